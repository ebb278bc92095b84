package prober

import (
	"runtime"
	"testing"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// BenchmarkWindowBytesPerFinishedJob is BenchmarkWindowBytesPerJob without the jobs not finished:
// what a finished job in the window costs the state, the unfinished jobs' entries left out
// (BenchmarkUnfinishedBytesPerJob measures those).
//
//	go test -run '^$' -bench WindowBytesPerFinishedJob -benchtime 1x ./prober/
func BenchmarkWindowBytesPerFinishedJob(b *testing.B) {
	const n = 100_000
	finished := func() []nbu.Job {
		var out []nbu.Job
		for _, j := range decodedJobs(n) {
			if j.State == "DONE" {
				out = append(out, j)
			}
		}
		return out
	}
	var perJob float64
	for b.Loop() {
		empty, _, st0 := stateHeap(func() []nbu.Job { return nil })
		full, inWindow, st := stateHeap(finished)
		runtime.KeepAlive(st0)
		runtime.KeepAlive(st)
		perJob = (float64(full) - float64(empty)) / float64(inWindow)
	}
	b.ReportMetric(perJob, "bytes/job")
}
