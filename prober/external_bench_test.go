package prober

import (
	"bufio"
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"syscall"
	"testing"
	"time"
)

// BenchmarkProbeExternal measures the exporter alone against 100k jobs in the window, with
// the fake primary in a process of its own (in-process, its jobs and its work would be counted
// too): the first probe's peak heap, and the process CPU time (user + system, from getrusage)
// per probe, first and steady state.
func BenchmarkProbeExternal(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "fakenbu")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/fakenbu").CombinedOutput(); err != nil {
		b.Fatalf("building the fake: %v\n%s", err, out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--listen", "127.0.0.1:0", "--api-key", testKey, "--jobs", "100000", "--window", "1h")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { cancel(); _ = cmd.Wait() }()
	baseURL := ""
	re := regexp.MustCompile(`base_url=(\S+)`)
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			baseURL = m[1]
			break
		}
	}
	if baseURL == "" {
		b.Fatal("the fake did not say where it listens")
	}
	go func() {
		for sc.Scan() {
		}
	}()

	cfg := mustConfigB(b, benchModulesYAML)
	query := probeQuery("default", baseURL)
	// The first probe backfills the window; its peak heap is the exporter's alone here.
	b.Run("first", func(b *testing.B) {
		var peakMiB float64
		before := cpuTime()
		for b.Loop() {
			env := newBenchEnv(b, cfg)
			env.handler.Now = time.Now
			peak := newHeapPeak()
			env.mustProbe(b, query)
			peakMiB = max(peakMiB, float64(peak.stop())/(1<<20))
			env.handler.Sessions.Close()
		}
		b.ReportMetric(peakMiB, "peak-heap-MiB")
		b.ReportMetric(float64(cpuTime()-before)/float64(b.N)/1e6, "exporter-cpu-ms/probe")
	})
	env := newBenchEnv(b, cfg)
	env.handler.Now = time.Now
	env.mustProbe(b, query) // the backfill
	env.mustProbe(b, query) // the first full read of unfinished jobs is behind us too
	if f := os.Getenv("STEADY_CPUPROFILE"); f != "" {
		w, _ := os.Create(f)
		_ = pprof.StartCPUProfile(w)
		defer pprof.StopCPUProfile()
	}
	for _, enc := range []string{"identity", "gzip"} {
		b.Run("steady/encoding="+enc, func(b *testing.B) {
			b.ReportAllocs()
			before := cpuTime()
			for b.Loop() {
				r := httptest.NewRequest("GET", "/probe?"+query, nil)
				r.Header.Set("Accept-Encoding", enc)
				w := httptest.NewRecorder()
				env.handler.ServeHTTP(w, r)
				if w.Code != 200 {
					b.Fatalf("status %d", w.Code)
				}
			}
			b.ReportMetric(float64(cpuTime()-before)/float64(b.N)/1e6, "exporter-cpu-ms/probe")
		})
	}
	env.handler.Sessions.Close()
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
