package prober

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// decodedJobs returns n generated jobs as the decoder hands them over: every string a fresh
// allocation of its own, as decoded from a page, so that what the state keeps of them shows.
func decodedJobs(n int) []nbu.Job {
	src := fakenbu.GenerateJobs(1, n, time.Hour, fixtureNow)
	jobs := make([]nbu.Job, len(src))
	for i, j := range src {
		jobs[i] = nbu.Job{JobID: j.JobID, JobType: strings.Clone(j.JobType), PolicyType: strings.Clone(j.PolicyType),
			PolicyName: strings.Clone(j.PolicyName), ClientName: strings.Clone(j.ClientName), State: strings.Clone(j.State),
			Status: j.Status, JobQueueReason: j.JobQueueReason, KilobytesTransferred: j.KilobytesTransferred,
			NumberOfFiles: j.NumberOfFiles, StartTime: j.StartTime, EndTime: j.EndTime, LastUpdateTime: j.LastUpdateTime}
	}
	return jobs
}

// stateHeap is the live heap after folding jobs into a fresh state as the read does, with the
// jobs themselves already dropped; it returns how many of them are in the window.
func stateHeap(jobs func() []nbu.Job) (uint64, int, *jobsState) {
	st := newJobsState(time.Hour, fixtureNow.Add(-2*time.Hour))
	since := windowStart(fixtureNow, time.Hour)
	f := st.newFolder(jobsPlan{now: fixtureNow, since: since}, nil)
	for _, j := range jobs() {
		f.fold(&j)
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc, st.jobsInWindow(since), st
}

// BenchmarkWindowBytesPerJob reports what a finished job in the window costs the state: the heap
// after GC with 100k jobs folded in, less the heap with none, over the jobs in the window.
//
//	go test -run '^$' -bench WindowBytesPerJob -benchtime 1x ./prober/
func BenchmarkWindowBytesPerJob(b *testing.B) {
	const n = 100_000
	var perJob float64
	for b.Loop() {
		empty, _, st0 := stateHeap(func() []nbu.Job { return nil })
		full, inWindow, st := stateHeap(func() []nbu.Job { return decodedJobs(n) })
		runtime.KeepAlive(st0)
		runtime.KeepAlive(st)
		perJob = (float64(full) - float64(empty)) / float64(inWindow)
	}
	b.ReportMetric(perJob, "bytes/job")
}
