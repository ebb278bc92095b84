package prober

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// BenchmarkNonReadingClientsRSS runs the exporter binary, as users run it (at its defaults),
// against a fake primary whose answer is some 15 MB (storage units with long names, read anew by
// every probe as the jobs are), sends it
// nonReadingClients probes from clients that never read (4 KiB receive buffers), and reports the
// exporter's RSS before them and its peak (VmHWM) over the next nonReadingWindow. EXPORTER_BIN runs
// another binary (a baseline built from another revision) instead of this tree's.
//
//	go test -run '^$' -bench NonReadingClientsRSS -benchtime 1x ./prober/
func BenchmarkNonReadingClientsRSS(b *testing.B) {
	dir := b.TempDir()
	bin := os.Getenv("EXPORTER_BIN")
	if bin == "" {
		bin = filepath.Join(dir, "exporter")
		if out, err := exec.Command("go", "build", "-o", bin, "..").CombinedOutput(); err != nil {
			b.Fatalf("building the exporter: %v\n%s", err, out)
		}
	}
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: func() time.Time { return fixtureNow }})
	var stus []fakenbu.StorageUnit
	for i := range 7000 {
		stus = append(stus, fakenbu.StorageUnit{Name: fmt.Sprintf("stu-%05d-%s", i, strings.Repeat("n", 300)), StorageType: "DISK",
			StorageServerType: "PureDisk", StorageCategory: "MSDP", TotalCapacityBytes: 100})
	}
	fake.SetStorageUnits(stus)
	srv := httptest.NewServer(fake)
	b.Cleanup(srv.Close)
	cfg := filepath.Join(dir, "modules.yml")
	yml := fmt.Sprintf("modules:\n  default: {timeout: 30s, api_key: %s, allowed_targets: [\"127.0.0.1\"], insecure_http: true, collectors: [storage], storage: {cache_ttl: 0s}}\n", testKey)
	if err := os.WriteFile(cfg, []byte(yml), 0o600); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		idle, peak, answer := nonReadingRSS(b, bin, cfg, srv.URL+"/netbackup")
		b.ReportMetric(idle, "idle-rss-MiB")
		b.ReportMetric(peak, "peak-rss-MiB")
		b.ReportMetric(answer, "answer-MB")
	}
}

const (
	nonReadingClients = 200
	nonReadingWindow  = 40 * time.Second
)

// nonReadingRSS starts the exporter, probes target once (reading: the storage collector's cache
// is then warm), then has nonReadingClients clients ask for probes and never read, for
// nonReadingWindow. It returns the RSS after the first probe and the peak, in MiB, and the size of
// the answer in MB.
func nonReadingRSS(b *testing.B, bin, cfg, target string) (idle, peak, answerMB float64) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "--config.file", cfg, "--web.listen-address", addr, "--log.level", "error")
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
	query := probeQuery("default", target)
	resp, err := http.Get("http://" + addr + "/probe?" + query)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "\nprobe_success 1\n") {
		b.Fatalf("the first probe failed: %.500s", body)
	}
	pid := cmd.Process.Pid
	idle = procStatus(b, pid, "VmRSS")
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range nonReadingClients {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		conns = append(conns, c)
		_ = c.(*net.TCPConn).SetReadBuffer(4096)
		if _, err := fmt.Fprintf(c, "GET /probe?%s HTTP/1.1\r\nHost: exporter\r\n\r\n", query); err != nil {
			b.Fatal(err)
		}
	}
	time.Sleep(nonReadingWindow) // the measurement's duration, not a synchronisation
	return idle, procStatus(b, pid, "VmHWM"), float64(len(body)) / 1e6
}
