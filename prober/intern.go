package prober

import "sync"

// interner interns the label values one target's job state keeps (job types, policy types,
// states, statuses): every decoded job brings its own copy of "BACKUP", and the state would
// otherwise hold one for each label set of each minute bucket and each unfinished job. It is
// bounded, since a primary may send values without end: past maxInterned, values are kept as they
// come. One per job state (a session), guarded: the full read of the unfinished jobs runs beside
// the update walk.
type interner struct {
	mu     sync.Mutex
	values map[string]string
	kinds  map[jobKind]*jobKind
}

const maxInterned = 4096

func newInterner() *interner {
	return &interner{values: map[string]string{}, kinds: map[jobKind]*jobKind{}}
}

// value returns the table's copy of s, adding a copy of s (so as not to keep a page's buffer
// alive) while there is room. A lookup allocates nothing.
func (in *interner) value(s string) string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.valueLocked(s)
}

func (in *interner) valueLocked(s string) string {
	if v, ok := in.values[s]; ok {
		return v
	}
	if len(in.values) >= maxInterned {
		return s
	}
	c := string([]byte(s))
	in.values[c] = c
	return c
}

// kind interns the (job type, state, queue reason) of an unfinished job, so that each of the tens
// of thousands a busy master has costs a pointer, not two string headers and a reason: a master
// has a few dozen kinds. Past maxInterned, a kind is allocated for the job that brings it.
func (in *interner) kind(action, state string, reason int64) *jobKind {
	k := jobKind{action, state, reason}
	in.mu.Lock()
	defer in.mu.Unlock()
	if v, ok := in.kinds[k]; ok {
		return v
	}
	v := &jobKind{in.valueLocked(action), in.valueLocked(state), reason}
	if len(in.kinds) < maxInterned {
		in.kinds[*v] = v
	}
	return v
}
