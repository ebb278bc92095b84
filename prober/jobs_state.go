package prober

import (
	"math"
	"strconv"
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
		s.dedupMilli += f.dedupMilli
	}
	if f.hasDur {
		s.durCount++
		s.durMillis += f.durMillis
		if f.durBucket < len(s.durBuckets) {
			s.durBuckets[f.durBucket]++
		}
	}
}

// merge adds o to s, or subtracts it when sign is -1.
func (s *jobSums) merge(o *jobSums, sign int64) {
	s.count += sign * o.count
	if sign > 0 {
		s.bytes, s.files = satAdd(s.bytes, o.bytes), satAdd(s.files, o.files)
	} else {
		// A sum that saturated is no longer exact: it must still never go below 0.
		s.bytes, s.files = max(s.bytes-o.bytes, 0), max(s.files-o.files, 0)
	}
	s.durCount += sign * o.durCount
	s.durMillis += sign * o.durMillis
	s.dedupCount += sign * o.dedupCount
	s.dedupMilli += sign * o.dedupMilli
	for i := range s.durBuckets {
		s.durBuckets[i] += sign * o.durBuckets[i]
	}
}

// drop subtracts a bucket that leaves the window from the window's sums: exactly, since the window
// added each of its jobs' figures as the bucket did.
func (s *jobSums) drop(o *bucketSums) {
	s.count -= int64(o.count)
	// A sum that saturated is no longer exact: it must still never go below 0.
	s.bytes, s.files = max(s.bytes-o.bytes, 0), max(s.files-o.files, 0)
	s.durCount -= int64(o.durCount)
	s.durMillis -= o.durMillis
	s.dedupCount -= int64(o.dedupCount)
	s.dedupMilli -= o.dedupMilli
	for i := range s.durBuckets {
		s.durBuckets[i] -= int64(o.durBuckets[i])
	}
}

// jobsPhase is where a target's job state stands. It only moves forward: a probe cut short in
// phaseFollowing leaves the window gauges a little behind (nbu_jobs_updates_read_until_timestamp_seconds
// says how much), it does not withhold them again.
type jobsPhase int

const (
	// phaseFirstRead: nothing of the window read yet. The next read starts at the window's start,
	// and is the whole overlap there is.
	phaseFirstRead jobsPhase = iota
	// phaseBackfill: the window is being read, over as many probes as it takes; its gauges are
	// withheld rather than reported short.
	phaseBackfill
	// phaseFollowing: every update of the window was read once; each probe reads what changed
	// since the watermark.
	phaseFollowing
)

func (p jobsPhase) String() string { return [...]string{"first read", "backfill", "following"}[p] }

// jobsState is what the jobs collector keeps of one target between probes, so that a probe reads
// only the jobs NetBackup changed since the previous one (the glossary is in doc.go). Its size
// follows the jobs that ended inside the look-back window (an id and a share of a bucket each);
// buckets that leave the window are dropped, and the whole state goes with its session when the
// target is no longer probed.
//
// Every change to what the state exports goes through touch, which bumps version; the built
// series are rebuilt when version moved since they were built.
type jobsState struct {
	labels *interner
	// scrub takes the module's secrets out of the label values the state keeps (set by Collect).
	scrub    func(string) string
	lookback time.Duration
	phase    jobsPhase
	// followedSince: when the exporter began following the target; the counters count jobs that
	// ended from then on.
	followedSince time.Time
	// watermark: every job update with a lastUpdateTime before it has been read (phaseFirstRead:
	// zero). A read starts at the watermark, or updateOverlap before it once every overlapInterval.
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
	keysSorted []jobKey  // keys in label order (sortedKeys)
	readAt     time.Time // when NetBackup was last read completely (zero: never)
	// unfinished is exported once unfinishedKnown: a read of the jobs not DONE has succeeded, so
	// the state gauges cover jobs that sent no update in the window.
	unfinished      unfinishedJobs
	unfinishedKnown bool
	reseededAt      time.Time // when the unfinished jobs were last read in full

	// maxKeys caps the label sets the state aggregates by (each is a few series): a primary
	// inventing job types must not grow it without bound. keysDropped counts the jobs left out,
	// keysCut the label sets whose values were cut to maxLabelValueBytes.
	maxKeys     int
	keysDropped int
	keysCut     int

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
	if b == nil {
		b = &minuteBucket{}
		s.buckets[m] = b
	}
	if !b.ids.add(j.JobID) {
		return false
	}
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

// observeUnfinished applies one job record of the update walk to the unfinished jobs.
func (s *jobsState) observeUnfinished(j *nbu.Job) {
	if s.unfinished.observe(j, s.labels) {
		s.touch()
	}
}

// mergeUnfinished applies records (the newest of each job, from unfinishedJobs.record) unless the
// set holds newer ones.
func (s *jobsState) mergeUnfinished(records unfinishedJobs) {
	if s.unfinished.apply(records) {
		s.touch()
	}
}

// replaceUnfinished installs a full read of the jobs not DONE.
func (s *jobsState) replaceUnfinished(fresh unfinishedJobs, at time.Time) {
	s.unfinished = unfinishedJobs{}
	s.unfinished.apply(fresh)
	s.reseededAt = at
	s.unfinishedKnown = true
	s.touch()
}

// reseededBeforeWindow installs the first read of the unfinished jobs the update walk cannot see
// (not updated since the window started); the walk brings the others.
func (s *jobsState) reseededBeforeWindow(fresh unfinishedJobs, at time.Time) {
	s.unfinished.apply(fresh)
	s.reseededAt = at
	s.unfinishedKnown = true
	s.touch()
}

// enter moves the state to phase p (never back).
func (s *jobsState) enter(p jobsPhase) {
	if p > s.phase {
		s.phase = p
		s.touch()
	}
}

// keyOf is the label set a finished job is aggregated by, its values cut to maxLabelValueBytes
// (so that two long values sharing a prefix aggregate together instead of colliding at export).
// It returns the label set's number in keys; ok is false when the job would start a label set past
// maxKeys.
func (s *jobsState) keyOf(j *nbu.Job) (int32, bool) {
	// Scrubbed before it is cut: a secret cut in two would no longer be recognised.
	action, policyType := s.scrubbed(j.JobType), s.scrubbed(j.PolicyType)
	k := jobKey{cutUTF8(action, maxLabelValueBytes), cutUTF8(policyType, maxLabelValueBytes), strconv.FormatInt(j.Status, 10)}
	if id, known := s.keyIDs[k]; known {
		return id, true
	}
	if s.maxKeys > 0 && len(s.keys) >= s.maxKeys {
		s.keysDropped++
		s.touch()
		return 0, false
	}
	if k.action != action || k.policyType != policyType {
		s.keysCut++
	}
	// Interned: the decoded job's strings would otherwise be kept for as long as the state.
	k = jobKey{s.labels.value(k.action), s.labels.value(k.policyType), s.labels.value(k.status)}
	id := int32(len(s.keys))
	s.keys = append(s.keys, k)
	s.keyIDs[k] = id
	return id, true
}

func (s *jobsState) scrubbed(v string) string {
	if s.scrub == nil {
		return v
	}
	return s.scrub(v)
}

// satAdd adds a non-negative v to a sum that must never wrap: a counter never decreases, and a
// hostile primary can send enough large jobs to pass 2^63.
func satAdd(sum, v int64) int64 {
	if v > math.MaxInt64-sum {
		return math.MaxInt64
	}
	return sum + v
}
