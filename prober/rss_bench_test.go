package prober

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkFirstProbeRSS runs the exporter binary, as users run it, against cmd/fakenbu with 100k
// jobs in the window (each in a process of its own), and reports what the exporter's process
// needed for its first probe: peak RSS (VmHWM), and CPU (user + system, /proc/<pid>/stat).
// Each iteration starts a fresh exporter.
//
//	go test -run '^$' -bench FirstProbeRSS -benchtime 3x ./prober/
func BenchmarkFirstProbeRSS(b *testing.B) {
	dir := b.TempDir()
	for _, bin := range []struct{ out, pkg string }{{"fakenbu", "../cmd/fakenbu"}, {"exporter", ".."}} {
		if out, err := exec.Command("go", "build", "-o", filepath.Join(dir, bin.out), bin.pkg).CombinedOutput(); err != nil {
			b.Fatalf("building %s: %v\n%s", bin.pkg, err, out)
		}
	}
	baseURL := startFakeProcess(b, filepath.Join(dir, "fakenbu"), "--jobs", "100000", "--window", "1h")
	cfg := filepath.Join(dir, "modules.yml")
	yml := fmt.Sprintf("modules:\n  default: {timeout: 5m, api_key: %s, allowed_targets: [\"127.0.0.1\"], insecure_http: true, collectors: [jobs, storage]}\n", testKey)
	if err := os.WriteFile(cfg, []byte(yml), 0o600); err != nil {
		b.Fatal(err)
	}
	var peak, base, cpu float64
	for b.Loop() {
		h, bs, c := firstProbeRSS(b, filepath.Join(dir, "exporter"), cfg, baseURL)
		peak, base, cpu = max(peak, h), max(base, bs), cpu+c
	}
	b.ReportMetric(peak, "peak-rss-MiB")
	b.ReportMetric(base, "idle-rss-MiB")
	b.ReportMetric(cpu/float64(b.N)*1000, "exporter-cpu-ms/probe")
}

// firstProbeRSS starts the exporter, probes baseURL once, and returns the process's peak RSS in
// MiB, its RSS before the probe, and the CPU seconds the probe cost it.
func firstProbeRSS(b *testing.B, bin, cfg, baseURL string) (peak, idle, cpu float64) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "--config.file", cfg, "--web.listen-address", addr, "--log.level", "warn")
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	for i := 0; ; i++ {
		if resp, err := http.Get("http://" + addr + "/metrics"); err == nil {
			resp.Body.Close()
			break
		}
		if i > 200 {
			b.Fatal("the exporter did not start")
		}
		time.Sleep(50 * time.Millisecond) // waiting for a process to listen, not synchronising tests
	}
	pid := cmd.Process.Pid
	idle, cpu0 := procStatus(b, pid, "VmRSS"), procCPU(b, pid)
	resp, err := http.Get("http://" + addr + "/probe?" + probeQuery("default", baseURL))
	if err != nil {
		b.Fatal(err)
	}
	body := new(strings.Builder)
	_, _ = bufio.NewReader(resp.Body).WriteTo(body)
	resp.Body.Close()
	if !strings.Contains(body.String(), "probe_success 1") {
		b.Fatalf("probe failed:\n%s", body)
	}
	return procStatus(b, pid, "VmHWM"), idle, procCPU(b, pid) - cpu0
}

// procStatus reads a kB field of /proc/<pid>/status, in MiB.
func procStatus(b *testing.B, pid int, field string) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^` + field + `:\s+(\d+) kB`).FindSubmatch(data)
	if m == nil {
		b.Fatalf("no %s in /proc/%d/status", field, pid)
	}
	kb, _ := strconv.ParseFloat(string(m[1]), 64)
	return kb / 1024
}

// procCPU is the process's user + system time in seconds (/proc/<pid>/stat, clock ticks of 1/100 s).
func procCPU(b *testing.B, pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// The command name, field 2, may hold spaces: count fields after its closing parenthesis.
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100
}

// startFakeProcess runs the fake primary binary until the benchmark ends and returns its base URL.
func startFakeProcess(b *testing.B, bin string, args ...string) string {
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, append([]string{"--listen", "127.0.0.1:0", "--api-key", testKey}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cancel(); _ = cmd.Wait() })
	re := regexp.MustCompile(`base_url=(\S+)`)
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			go func() {
				for sc.Scan() {
				}
			}()
			return m[1]
		}
	}
	b.Fatal("the fake did not say where it listens")
	return ""
}
