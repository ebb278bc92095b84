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

// BenchmarkSteadyProbeExternal measures the exporter's own CPU per steady-state probe, with the
// fake primary in a process of its own (in-process, its 100k jobs and its work would be counted
// too): the process CPU time (user + system) spent per probe, from getrusage.
func BenchmarkSteadyProbeExternal(b *testing.B) {
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
	env := newBenchEnv(b, cfg)
	env.handler.Now = time.Now
	query := probeQuery("default", baseURL)
	env.mustProbe(b, query) // the backfill
	env.mustProbe(b, query) // the first full read of unfinished jobs is behind us too
	if f := os.Getenv("STEADY_CPUPROFILE"); f != "" {
		w, _ := os.Create(f)
		_ = pprof.StartCPUProfile(w)
		defer pprof.StopCPUProfile()
	}
	for _, enc := range []string{"identity", "gzip"} {
		b.Run("encoding="+enc, func(b *testing.B) {
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
