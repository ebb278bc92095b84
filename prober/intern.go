package prober

import "sync"

// labelValues interns the label values the job state keeps (job types, policy types, states,
// statuses): every decoded job brings its own copy of "BACKUP", and the state would otherwise
// hold one for each label set of each minute bucket and each unfinished job. The values are few
// and the same on every primary, so one table serves all sessions; it is bounded, since a
// primary may send values without end: past maxInterned, values are kept as they come.
var labelValues = struct {
	sync.RWMutex
	m map[string]string
}{m: map[string]string{}}

const maxInterned = 4096

// intern returns the table's copy of s, adding a copy of s (so as not to keep a page's buffer
// alive) while there is room. A lookup allocates nothing.
func intern(s string) string {
	labelValues.RLock()
	v, ok := labelValues.m[s]
	labelValues.RUnlock()
	if ok {
		return v
	}
	labelValues.Lock()
	defer labelValues.Unlock()
	if v, ok := labelValues.m[s]; ok {
		return v
	}
	if len(labelValues.m) >= maxInterned {
		return s
	}
	c := string([]byte(s))
	labelValues.m[c] = c
	return c
}

// jobKinds interns the (job type, state) pairs of unfinished jobs, so that each of the tens of
// thousands a busy master has costs a pointer, not two string headers. Bounded like labelValues:
// past maxInterned, a pair is allocated for the job that brings it.
var jobKinds = struct {
	sync.RWMutex
	m map[stateKey]*stateKey
}{m: map[stateKey]*stateKey{}}

func internKind(action, state string) *stateKey {
	k := stateKey{action, state}
	jobKinds.RLock()
	v, ok := jobKinds.m[k]
	jobKinds.RUnlock()
	if ok {
		return v
	}
	jobKinds.Lock()
	defer jobKinds.Unlock()
	if v, ok := jobKinds.m[k]; ok {
		return v
	}
	v = &stateKey{intern(action), intern(state)}
	if len(jobKinds.m) < maxInterned {
		jobKinds.m[*v] = v
	}
	return v
}
