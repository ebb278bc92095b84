package prober

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

func TestSatAdd(t *testing.T) {
	const top = math.MaxInt64
	for _, tc := range []struct{ sum, v, want int64 }{
		{0, 1, 1},
		{top - 1, 1, top},
		{top - 1, 2, top},
		{top, top, top},
		{top / 2, top/2 + 2, top},
		{5, -3, 2},
		{5, -5, 0},
		{5, -6, 0},
		{top, -top, 0},
		{0, -top, 0},
	} {
		if got := satAdd(tc.sum, tc.v); got != tc.want {
			t.Errorf("satAdd(%d, %d) = %d, want %d", tc.sum, tc.v, got, tc.want)
		}
	}
}

// Every sum of the window and of its buckets stops at MaxInt64 instead of wrapping negative, and
// subtracting from a saturated sum stops at 0.
func TestJobSumsSaturate(t *testing.T) {
	big := int64(math.MaxInt64/2 + 1) // two of them pass 2^63
	f := jobFigures{bytes: big, files: big, durMillis: big, dedupMilli: big, hasDur: true, hasDedup: true}
	var w jobSums
	var b bucketSums
	for range 2 {
		w.add(f)
		b.add(f)
	}
	if w.bytes != math.MaxInt64 || w.files != math.MaxInt64 || w.durMillis != math.MaxInt64 || w.dedupMilli != math.MaxInt64 {
		t.Errorf("window sums %+v, want each at MaxInt64", w)
	}
	if b.bytes != math.MaxInt64 || b.files != math.MaxInt64 || b.durMillis != math.MaxInt64 || b.dedupMilli != math.MaxInt64 {
		t.Errorf("bucket sums %+v, want each at MaxInt64", b)
	}
	byPolicy := jobSums{}
	byPolicy.merge(&w, 1)
	byPolicy.merge(&w, 1)
	if byPolicy.bytes != math.MaxInt64 || byPolicy.durMillis != math.MaxInt64 || byPolicy.dedupMilli != math.MaxInt64 || byPolicy.count != 4 {
		t.Errorf("merged sums %+v, want each at MaxInt64 and 4 jobs", byPolicy)
	}
	small := jobSums{count: 1, bytes: 1, files: 1, durMillis: 1, dedupMilli: 1, durCount: 1, dedupCount: 1}
	small.merge(&w, -1) // as if the saturated label set had been merged in before
	if small.bytes != 0 || small.files != 0 || small.durMillis != 0 || small.dedupMilli != 0 {
		t.Errorf("subtracting a saturated sum left %+v, want 0, never below", small)
	}
	w.add(jobFigures{bytes: 1, files: 1, durMillis: 1, dedupMilli: 1, hasDur: true, hasDedup: true})
	w.drop(&b) // the saturated bucket leaves the window: what is left is no longer exact, but not negative
	if w.count != 1 || w.bytes != 0 || w.files != 0 || w.durMillis != 0 || w.dedupMilli != 0 || w.durCount != 1 || w.dedupCount != 1 {
		t.Errorf("after the saturated bucket left, window %+v, want one job and sums of 0", w)
	}
}

// A primary's impossible dedup ratios and durations are left out of the window gauges, as
// impossible byte counts are, instead of wrapping their sums negative: one job with a ratio of
// 1e300, two with 9e15 (together past 2^63 thousandths), durations just past ten years or
// negative; a ratio of 10,000 and a duration of ten years are possible.
func TestImpossibleRatiosAndDurationsAreRejected(t *testing.T) {
	const tenYears = 10 * 365 * 24 * time.Hour
	end := fixtureNow.Add(-10 * time.Minute)
	jobs := []fakenbu.Job{finished(1, end, 0), finished(2, end, 0), finished(3, end, 0), finished(4, end, 0), finished(5, end, 0),
		finished(6, end, 0), finished(7, end, 0), finished(8, end, 0), finished(9, end, 0)}
	jobs[0].DedupRatio = 1e300
	jobs[1].DedupRatio, jobs[2].DedupRatio = 9e15, 9e15
	jobs[3].DedupRatio, jobs[4].DedupRatio = 10_000, 2
	jobs[5].StartTime = end.Add(-tenYears)
	jobs[6].StartTime = end.Add(-tenYears - time.Second)
	jobs[7].StartTime = end.Add(time.Second)
	jobs[8].StartTime = end.Add(-tenYears * 3)
	e := newIncEnv(t, jobs)
	env := e.exporter(t)
	w := env.probe(t, probeQuery("default", e.url), nil)
	fams := parseExposition(t, w.Body.String())
	match := map[string]string{"action": "BACKUP", "policy_type": "STANDARD"}
	if got := sumFamily(fams, "nbu_jobs_count", match); got != 9 {
		t.Fatalf("nbu_jobs_count = %v, want all 9 jobs (a rejected field drops no job)", got)
	}
	if got := sumFamily(fams, "nbu_jobs_dedup_ratio", match); got != 5001 {
		t.Errorf("nbu_jobs_dedup_ratio = %v, want 5001: the mean of the possible ratios, 10000 and 2", got)
	}
	h := fams["nbu_job_duration_seconds"].GetMetric()[0].GetHistogram()
	// Five jobs of a minute (finished) and the one of exactly ten years; three left out.
	if wantSum := 5*60 + tenYears.Seconds(); h.GetSampleCount() != 6 || h.GetSampleSum() != wantSum {
		t.Errorf("duration histogram: %d jobs, sum %v s; want 6 jobs, %v s", h.GetSampleCount(), h.GetSampleSum(), wantSum)
	}
	for _, line := range strings.Split(w.Body.String(), "\n") {
		if strings.HasPrefix(line, "nbu_") && strings.Contains(line, " -") {
			t.Errorf("a negative value: %s", line)
		}
	}
	if !strings.Contains(env.logs.String(), "rejected_fields=6") {
		t.Errorf("the log does not count the 6 rejected fields:\n%s", env.logs)
	}
}
