package prober

import (
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

type jobKey struct{ action, policyType, status string }
type policyKey struct{ action, policyType string }
type actionStatusKey struct{ action, status string }

// jobSums aggregates finished jobs that share a label set: the window's running sums (a minute
// bucket keeps the smaller bucketSums). Integers, so that a bucket leaving the window can be
// subtracted from them exactly.
type jobSums struct {
	count, bytes, files int64
	durCount, durMillis int64
	durBuckets          [len(jobDurationBucketsArr)]int64 // per bucket, not cumulative
	// dedupCount jobs reported a dedupRatio; dedupMilli is the sum of those ratios in
	// thousandths, an integer so that a bucket leaving the window subtracts exactly.
	dedupCount, dedupMilli int64
}

// add adds a job's figures, as bucketSums.add does for its bucket (without the guard: these counts
// are 64 bits).
func (s *jobSums) add(f jobFigures) {
	s.count++
	s.bytes, s.files = satAdd(s.bytes, f.bytes), satAdd(s.files, f.files)
	if f.hasDedup {
		s.dedupCount++
		s.dedupMilli = satAdd(s.dedupMilli, f.dedupMilli)
	}
	if f.hasDur {
		s.durCount++
		s.durMillis = satAdd(s.durMillis, f.durMillis)
		if f.durBucket < len(s.durBuckets) {
			s.durBuckets[f.durBucket]++
		}
	}
}

// merge adds o to s, or subtracts it when sign is -1.
func (s *jobSums) merge(o *jobSums, sign int64) {
	s.count += sign * o.count
	s.bytes, s.files = satAdd(s.bytes, sign*o.bytes), satAdd(s.files, sign*o.files)
	s.durCount += sign * o.durCount
	s.durMillis = satAdd(s.durMillis, sign*o.durMillis)
	s.dedupCount += sign * o.dedupCount
	s.dedupMilli = satAdd(s.dedupMilli, sign*o.dedupMilli)
	for i := range s.durBuckets {
		s.durBuckets[i] += sign * o.durBuckets[i]
	}
}

// drop subtracts a bucket that leaves the window from the window's sums: exactly, since the window
// added each of its jobs' figures as the bucket did (unless a sum saturated, see satAdd).
func (s *jobSums) drop(o *bucketSums) {
	s.count -= int64(o.count)
	s.bytes, s.files = satAdd(s.bytes, -o.bytes), satAdd(s.files, -o.files)
	s.durCount -= int64(o.durCount)
	s.durMillis = satAdd(s.durMillis, -o.durMillis)
	s.dedupCount -= int64(o.dedupCount)
	s.dedupMilli = satAdd(s.dedupMilli, -o.dedupMilli)
	for i := range s.durBuckets {
		s.durBuckets[i] -= int64(o.durBuckets[i])
	}
}

// jobsState is what the jobs collector keeps of one target between probes, so that a probe reads
// only the jobs NetBackup changed since the previous one (the glossary is in doc.go). Its size
// follows the jobs that ended inside the look-back window (an id and a share of a bucket each);
// buckets that leave the window are dropped, and the whole state goes with its session when the
// target is no longer probed.
//
// Its phase (jobsPhase, embedded) is all of it that decides what a probe reads and exports; the
// other fields are data.
//
// Every change to what the state exports goes through touch, which bumps version; the built
// series are rebuilt when version moved since they were built.
type jobsState struct {
	labels *interner
	// scrub takes the module's secrets out of the label values the state keeps (set by Collect).
	scrub    labelScrub
	lookback time.Duration
	jobsPhase
	// followedSince: when the exporter began following the target; the counters count jobs that
	// ended from then on.
	followedSince time.Time
	// watermark: every job update with a lastUpdateTime before it has been read (zero: none read
	// yet). A read starts at the watermark, or updateOverlap before it once every overlapInterval.
	watermark time.Time
	overlapAt time.Time // when a read last started updateOverlap before the watermark
	// pending: ranges of lastUpdateTime a probe planned but could not finish before its deadline.
	pending []timeRange
	pace    readPace
	buckets map[int64]*minuteBucket
	window  map[jobKey]*jobSums // the sum of the buckets, kept as jobs come and buckets go
	totals  map[jobKey]*countBytesTotal
	// keys numbers the label sets seen (those of totals), their values interned; keyIDs finds a
	// label set's number.
	keys       []jobKey
	keyIDs     map[jobKey]int32
	keysSorted []jobKey // keys in label order (sortedKeys)
	// unfinished: the jobs not DONE, exported once unfinishedKnown (see jobsPhase).
	unfinished unfinishedJobs
	stall      stallWatch // for the hung-jobs gauges (jobs_stalled.go)

	// maxKeys caps the label sets the state aggregates by (each is a few series): a primary
	// inventing job types must not grow it without bound. keysDropped counts the jobs left out,
	// keysCut the label sets whose values were cut to maxLabelValueBytes.
	maxKeys     int
	keysDropped int
	keysCut     int

	// maxJobs caps the jobs the state keeps (jobs.max_jobs): held, the finished jobs in the
	// buckets, plus the unfinished ones. jobsRefused counts the jobs left out for it.
	maxJobs     int
	held        int
	jobsRefused int

	version uint64
	cached  *jobsExport // the job series as last built
}

// touch records that what the state exports changed.
func (s *jobsState) touch() { s.version++ }

// pendingFrom returns the pending ranges that still matter for a window starting at since.
func (s *jobsState) pendingFrom(since time.Time) []timeRange {
	var out []timeRange
	for _, r := range s.pending {
		if !r.hi.After(since) {
			continue
		}
		if r.lo.Before(since) {
			r.lo = since
		}
		out = append(out, r)
	}
	return out
}

type countBytesTotal struct{ count, bytes int64 }

func newJobsState(lookback time.Duration, now time.Time) *jobsState {
	return &jobsState{lookback: lookback, followedSince: now, buckets: map[int64]*minuteBucket{}, window: map[jobKey]*jobSums{},
		totals: map[jobKey]*countBytesTotal{}, keyIDs: map[jobKey]int32{},
		unfinished: unfinishedJobs{}, labels: newInterner(), version: 1}
}

// jobsStateFor is the state a probe with this look-back continues: prev, or a new one (in backfill,
// the unfinished jobs unread) when there is none or prev was kept for another look-back (its
// buckets, watermark and phase are another window's).
func jobsStateFor(prev *jobsState, lookback time.Duration, maxSeries int, now time.Time) *jobsState {
	if prev != nil && prev.lookback == lookback {
		return prev
	}
	s := newJobsState(lookback, now)
	s.maxKeys = maxSeries / 2 // each label set is at least its two counters
	return s
}

func minuteOf(t time.Time) int64 {
	s := t.Unix()
	if s < 0 {
		return (s - 59) / 60
	}
	return s / 60
}

// windowStart is the oldest end time the window gauges count: the look-back, widened to the start
// of its minute so that the per-minute buckets cover the window exactly.
func windowStart(now time.Time, lookback time.Duration) time.Time {
	return now.Add(-lookback).Truncate(time.Minute)
}

// prune drops the buckets that ended before the window.
func (s *jobsState) prune(since time.Time) {
	first := minuteOf(since)
	for m, b := range s.buckets {
		if m >= first {
			continue
		}
		for i := range b.stats {
			k := s.keys[b.stats[i].key]
			w := s.window[k]
			w.drop(&b.stats[i].bucketSums)
			if w.count == 0 {
				delete(s.window, k)
			}
		}
		s.held -= b.ids.len()
		delete(s.buckets, m)
		s.touch()
	}
}

// add folds one job into the state if it is a finished job, inside the window, not seen before. It
// reports whether the job was counted.
func (s *jobsState) add(j *nbu.Job, since time.Time) bool {
	if j.State != "DONE" || j.EndTime.IsZero() || j.EndTime.Before(since) {
		return false
	}
	m := minuteOf(j.EndTime)
	b := s.buckets[m]
	if s.full() && (b == nil || !b.ids.has(j.JobID)) {
		s.refuse()
		return false
	}
	if b == nil {
		b = &minuteBucket{}
		s.buckets[m] = b
	}
	if !b.ids.add(j.JobID) {
		return false
	}
	s.held++
	id, ok := s.keyOf(j)
	if !ok {
		return false
	}
	k, fig := s.keys[id], figuresOf(j)
	if b.sums(id).add(fig) { // else the bucket is full (bucketSums.add): out of the window as well
		w := s.window[k]
		if w == nil {
			w = &jobSums{}
			s.window[k] = w
		}
		w.add(fig)
	}
	t := s.totals[k]
	if t == nil {
		t = &countBytesTotal{} // a backfilled label set starts at 0, so that increase() sees its first job
		s.totals[k] = t
	}
	// The counters count what happens while the exporter follows the target: jobs that ended
	// before (the backfill) are in the window gauges only. Counting them too would make every
	// restart look like the window's jobs happened again to increase() and rate().
	if !j.EndTime.Before(s.followedSince) {
		t.count++
		t.bytes = satAdd(t.bytes, j.KilobytesTransferred*1024)
	}
	s.touch()
	return true
}

// jobsInWindow counts the finished jobs the state holds inside the window.
func (s *jobsState) jobsInWindow(since time.Time) int {
	first, n := minuteOf(since), 0
	for m, b := range s.buckets {
		if m >= first {
			n += b.ids.len()
		}
	}
	return n
}

// full reports whether the state holds jobs.max_jobs jobs: a job it does not know is left out.
func (s *jobsState) full() bool {
	return s.maxJobs > 0 && s.held+len(s.unfinished) >= s.maxJobs
}

func (s *jobsState) refuse() {
	s.jobsRefused++
	s.touch()
}

// admits reports whether an unfinished job's record may enter the set: one it holds already, a
// DONE one (which only removes), or any while the state is not full.
func (s *jobsState) admits(id int64, done bool) bool {
	if _, had := s.unfinished[id]; had || done || !s.full() {
		return true
	}
	s.refuse()
	return false
}

// observeUnfinished applies one job record of the update walk to the unfinished jobs.
func (s *jobsState) observeUnfinished(j *nbu.Job) {
	before, had := s.unfinished[j.JobID]
	if !s.admits(j.JobID, j.State == "DONE") {
		return
	}
	if s.unfinished.observe(j, s.labels) || s.stallsChanged(before, had, j.JobID) {
		s.touch()
	}
}

// mergeUnfinished applies records (the newest of each job, from unfinishedJobs.record) unless the
// set holds newer ones.
func (s *jobsState) mergeUnfinished(records unfinishedJobs) {
	changed := false
	for id, e := range records {
		before, had := s.unfinished[id]
		if !s.admits(id, e.kind.state == "DONE") {
			continue
		}
		if s.unfinished.applyOne(id, e) || s.stallsChanged(before, had, id) {
			changed = true
		}
	}
	if changed {
		s.touch()
	}
}

// replaceUnfinished installs a full read of the jobs not DONE; a job whose byte count the read
// shows unchanged keeps when it last moved.
func (s *jobsState) replaceUnfinished(fresh unfinishedJobs) {
	old := s.unfinished
	s.unfinished = unfinishedJobs{}
	for id, e := range fresh {
		if s.admits(id, e.kind.state == "DONE") {
			s.unfinished.applyOne(id, e)
		}
	}
	s.unfinished.keepMoves(old)
	s.touch()
}

// enter moves the state to the phase after a probe that saw e.
func (s *jobsState) enter(e probeEvents) {
	next := s.next(e)
	if next.exportsDiffer(s.jobsPhase) {
		s.touch()
	}
	s.jobsPhase = next
}

// keyOf is the label set a finished job is aggregated by: its type and policy type in the spec's
// spelling (so that "VMware" and "VMWARE" aggregate together), its values cut to
// maxLabelValueBytes (so that two long values sharing a prefix aggregate together instead of
// colliding at export). It returns the label set's number in keys; ok is false when the job would
// start a label set past maxKeys.
func (s *jobsState) keyOf(j *nbu.Job) (int32, bool) {
	// Scrubbed and cut together: a secret cut in two would no longer be recognised.
	action := labelValue(s.scrub, nbu.JobTypes.Normalize(j.JobType))
	policyType := labelValue(s.scrub, nbu.PolicyTypes.Normalize(j.PolicyType))
	k := jobKey{action, policyType, statusLabel(j)}
	if id, known := s.keyIDs[k]; known {
		return id, true
	}
	if s.maxKeys > 0 && len(s.keys) >= s.maxKeys {
		s.keysDropped++
		s.touch()
		return 0, false
	}
	if len(j.JobType) > maxLabelValueBytes || len(j.PolicyType) > maxLabelValueBytes {
		s.keysCut++
	}
	// Interned: the decoded job's strings would otherwise be kept for as long as the state.
	k = jobKey{s.labels.value(k.action), s.labels.value(k.policyType), s.labels.value(k.status)}
	id := int32(len(s.keys))
	s.keys = append(s.keys, k)
	s.keyIDs[k] = id
	return id, true
}

// satAdd adds v, or subtracts -v, to a sum of figures that are never negative (bytes, files,
// durations, dedup ratios), keeping it within 0..MaxInt64: a primary can send enough large jobs to
// pass 2^63, and wrapping would turn a gauge negative or make a counter go down. A sum that
// saturated is no longer exact, so subtracting from it must still never go below 0.
func satAdd(sum, v int64) int64 {
	switch {
	case v > 0 && sum > math.MaxInt64-v:
		return math.MaxInt64
	case v < 0 && sum < -v:
		return 0
	}
	return sum + v
}

// statusLabel is a finished job's status label: its NetBackup status code, or "unknown" for a
// record that has none (absent is not 0, which would read as a success).
func statusLabel(j *nbu.Job) string {
	if j.StatusAbsent {
		return "unknown"
	}
	return strconv.FormatInt(j.Status, 10)
}

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
