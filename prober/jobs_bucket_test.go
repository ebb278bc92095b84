package prober

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// randomFinishedJobs returns n DONE jobs ending in the hour before fixtureNow, over a few label
// sets, some without a duration or a dedup ratio, some read twice.
func randomFinishedJobs(r *rand.Rand, n int) []nbu.Job {
	types := []string{"BACKUP", "DUPLICATION", "IMAGECLEANUP", "RESTORE"}
	jobs := make([]nbu.Job, 0, n)
	for i := range n {
		end := fixtureNow.Add(-time.Duration(r.Int64N(int64(time.Hour))))
		j := nbu.Job{JobID: int64(1_000_000 + i), JobType: types[r.IntN(len(types))], PolicyType: "Standard",
			State: "DONE", Status: int64(r.IntN(3)), KilobytesTransferred: r.Int64N(1 << 30), NumberOfFiles: r.Int64N(1 << 20),
			EndTime: end}
		if r.IntN(4) > 0 {
			j.StartTime = end.Add(-time.Duration(r.Int64N(int64(30 * time.Hour))))
		}
		if r.IntN(2) == 0 {
			j.DedupRatio = r.Float64() * 50
		}
		jobs = append(jobs, j)
		if r.IntN(10) == 0 {
			jobs = append(jobs, j)
		}
	}
	return jobs
}

// bucketTotal is the sum of the buckets the state holds, as jobSums by label set.
func bucketTotal(s *jobsState) map[jobKey]jobSums {
	out := map[jobKey]jobSums{}
	for _, b := range s.buckets {
		for _, e := range b.stats {
			w := out[s.keys[e.key]]
			w.count += int64(e.count)
			w.bytes, w.files = satAdd(w.bytes, e.bytes), satAdd(w.files, e.files)
			w.durCount, w.durMillis = w.durCount+int64(e.durCount), w.durMillis+e.durMillis
			w.dedupCount, w.dedupMilli = w.dedupCount+int64(e.dedupCount), w.dedupMilli+e.dedupMilli
			for i, n := range e.durBuckets {
				w.durBuckets[i] += int64(n)
			}
			out[s.keys[e.key]] = w
		}
	}
	return out
}

func windowSums(s *jobsState) map[jobKey]jobSums {
	out := map[jobKey]jobSums{}
	for k, w := range s.window {
		out[k] = *w
	}
	return out
}

// The window's running sums are exactly the sum of its buckets, as jobs come in and as buckets
// leave, until none is left.
func TestWindowIsTheSumOfItsBuckets(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 1))
	st := newJobsState(time.Hour, fixtureNow.Add(-2*time.Hour))
	since := windowStart(fixtureNow, time.Hour)
	counted := 0
	for _, j := range randomFinishedJobs(r, 20000) {
		if st.add(&j, since) {
			counted++
		}
	}
	if got := st.jobsInWindow(since); got != counted || counted < 19000 {
		t.Fatalf("%d jobs in the window, %d counted", got, counted)
	}
	for cut := since; len(st.buckets) > 0; cut = cut.Add(7 * time.Minute) {
		st.prune(cut)
		want, got := bucketTotal(st), windowSums(st)
		if len(got) != len(want) {
			t.Fatalf("pruned to %v: %d label sets in the window, %d in the buckets", cut, len(got), len(want))
		}
		for k, w := range want {
			if got[k] != w {
				t.Fatalf("pruned to %v: window %+v for %v, buckets %+v", cut, got[k], k, w)
			}
		}
	}
	if len(st.window) != 0 {
		t.Errorf("window left with %d label sets and no bucket", len(st.window))
	}
}

// A bucket's entries stay sorted by label set, one each, however they come.
func TestMinuteBucketEntriesSorted(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 2))
	var b minuteBucket
	want := map[int32]int32{}
	for range 5000 {
		k := r.Int32N(400)
		b.sums(k).count++
		want[k]++
	}
	if !slices.IsSortedFunc(b.stats, func(x, y bucketEntry) int { return int(x.key) - int(y.key) }) || len(b.stats) != len(want) {
		t.Fatalf("%d entries, want %d, sorted and unique", len(b.stats), len(want))
	}
	for _, e := range b.stats {
		if want[e.key] != e.count {
			t.Errorf("key %d: count %d, want %d", e.key, e.count, want[e.key])
		}
	}
}

// A bucket at 2^31-1 jobs of one label set takes no more: the job is left out of the window as
// well, so that the bucket leaving takes with it exactly what it brought.
func TestFullBucketLeavesTheWindowExact(t *testing.T) {
	full := bucketSums{count: math.MaxInt32}
	if before := full; full.add(jobFigures{bytes: 1, hasDur: true}) || full != before {
		t.Fatalf("a full bucket took a job: %+v", full)
	}
	st := newJobsState(time.Hour, fixtureNow.Add(-2*time.Hour))
	since := windowStart(fixtureNow, time.Hour)
	job := func(id int64) *nbu.Job {
		return &nbu.Job{JobID: id, JobType: "BACKUP", PolicyType: "Standard", State: "DONE", KilobytesTransferred: 1,
			EndTime: fixtureNow.Add(-30 * time.Minute)}
	}
	st.add(job(1), since)
	k := jobKey{"BACKUP", "STANDARD", strconv.Itoa(0)} // keyOf spells the policy type as the spec does
	b := st.buckets[minuteOf(fixtureNow.Add(-30*time.Minute))]
	// As if 2^31-2 more jobs had come: the bucket and the window agree.
	b.stats[0].count, st.window[k].count = math.MaxInt32, math.MaxInt32
	st.add(job(2), since)
	if w := st.window[k]; w.count != math.MaxInt32 || w.bytes != 1024 {
		t.Fatalf("the window counted a job its bucket did not: %+v", w)
	}
	if st.totals[k].count != 2 {
		t.Errorf("the counters count every job: %d, want 2", st.totals[k].count)
	}
	st.prune(fixtureNow)
	if len(st.window) != 0 {
		t.Errorf("the bucket left %+v behind", st.window[k])
	}
}
