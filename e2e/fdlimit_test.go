//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// The exporter under a limit of 256 open files probes 300 primaries, each a session of its own,
// twice, 24 probes at a time: it shares its descriptors between Prometheus's connections and
// NetBackup's (closing the idle connections of the least recently probed), so every probe
// succeeds and nothing fails with "too many open files".
func TestProbesUnderALowFileLimit(t *testing.T) {
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("prlimit is not installed")
	}
	const primaries, parallel, fdLimit = 300, 24, 256
	const key = "e2e-fdlimit-key-6b1f0c2d"
	var targets []string
	for range primaries {
		fake := fakenbu.New(fakenbu.Options{APIKeys: []string{key}})
		fake.SetStorageUnits(fakenbu.DemoStorageUnits())
		srv := httptest.NewServer(fake)
		t.Cleanup(srv.Close)
		targets = append(targets, srv.URL)
	}
	dir := t.TempDir()
	bin := buildExporter(t, dir)
	cfg := write(t, dir, "modules.yml", fmt.Sprintf(`modules:
  storage:
    timeout: 20s
    api_key: %s
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    collectors: [storage]
`, key))
	addr := freeAddr(t)
	exp := start(t, dir, "exporter", prlimit, fmt.Sprintf("--nofile=%d:%d", fdLimit, fdLimit), bin,
		"--config.file", cfg, "--web.listen-address", addr, "--log.level", "warn")
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: parallel}}
	waitFor(t, "the exporter", func() error { _, err := get(client, "http://"+addr+"/-/ready", false); return err })

	var mu sync.Mutex
	var failures []string
	work := make(chan string)
	var wg sync.WaitGroup
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for target := range work {
				body, err := get(client, "http://"+addr+"/probe?module=storage&target="+url.QueryEscape(target), false)
				if err == nil && !strings.Contains(body, "\nprobe_success 1") {
					err = fmt.Errorf("probe_success is not 1:\n%s", body)
				}
				if err != nil {
					mu.Lock()
					failures = append(failures, target+": "+err.Error())
					mu.Unlock()
				}
			}
		}()
	}
	for range 2 {
		for _, target := range targets {
			work <- target
		}
	}
	close(work)
	wg.Wait()
	if len(failures) > 0 {
		t.Errorf("%d of %d probes failed; the first: %s", len(failures), 2*primaries, failures[0])
	}
	if out := exp.output(); strings.Contains(out, "too many open files") {
		t.Errorf("the exporter ran out of file descriptors:\n%s", out)
	}
}
