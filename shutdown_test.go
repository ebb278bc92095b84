package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// connTracker counts a fake's open client connections, to see the exporter close its idle ones.
type connTracker struct {
	mu   sync.Mutex
	open map[net.Conn]bool
}

func (c *connTracker) state(conn net.Conn, s http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch s {
	case http.StateNew:
		c.open[conn] = true
	case http.StateClosed, http.StateHijacked:
		delete(c.open, conn)
	}
}

func (c *connTracker) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.open)
}

// runExporter runs the whole exporter in-process (flags, serving, shutdown) on a free port, until
// the returned cancel is called; the exit code arrives on the channel.
func runExporter(t *testing.T, args ...string) (base string, cancel context.CancelFunc, exit <-chan int, logs *syncBuffer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	logs = &syncBuffer{}
	code := make(chan int, 1)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		code <- run(ctx, args, runEnv{stdout: io.Discard, stderr: logs, listeners: []net.Listener{ln}})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-stopped:
		case <-time.After(deadline):
			t.Error("the exporter did not stop")
		}
		if t.Failed() {
			t.Logf("exporter logs:\n%s", logs)
		}
		assertNoSecret(t, "exporter logs", logs.String())
	})
	base = "http://" + ln.Addr().String()
	eventually(t, "the exporter to answer", func() bool {
		resp, err := http.Get(base + "/-/healthy")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return base, cancel, code, logs
}

func TestShutdownLetsInFlightProbeFinish(t *testing.T) {
	g := newGate(t)
	conns := &connTracker{open: map[net.Conn]bool{}}
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}})
	fake.SetStorageUnits(fakenbu.DemoStorageUnits())
	fakeSrv := httptest.NewUnstartedServer(g.wrap(fake))
	fakeSrv.Config.ConnState = conns.state
	fakeSrv.Start()
	t.Cleanup(fakeSrv.Close)

	file := filepath.Join(t.TempDir(), "modules.yml")
	writeFile(t, file, configYAML(moduleYAML("default", "api_key: "+testKey, `api_version: "14.0"`, "collectors: [storage]")))
	base, shutdown, exit, _ := runExporter(t, "--config.file="+file, "--web.shutdown-timeout=1m")

	type answer struct {
		code int
		body string
		err  error
	}
	probeDone := make(chan answer, 1)
	go func() {
		resp, err := http.Get(base + probeURL("/probe", "default", fakeSrv.URL+"/netbackup"))
		if err != nil {
			probeDone <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		probeDone <- answer{resp.StatusCode, string(b), err}
	}()
	g.waitEntered(t)

	shutdown()
	addr := strings.TrimPrefix(base, "http://")
	eventually(t, "the exporter to refuse new connections", func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return false
		}
		return errors.Is(err, syscall.ECONNREFUSED)
	})
	select {
	case a := <-probeDone:
		t.Fatalf("the probe ended before NetBackup answered: %+v", a)
	case code := <-exit:
		t.Fatalf("the exporter exited (%d) with a probe in flight", code)
	default:
	}

	g.open()
	select {
	case a := <-probeDone:
		if a.err != nil || a.code != http.StatusOK || !strings.Contains(a.body, "\nprobe_success 1\n") || !strings.Contains(a.body, "nbu_disk_bytes{") {
			t.Errorf("in-flight probe: %d %v\n%s", a.code, a.err, a.body)
		}
	case <-time.After(deadline):
		t.Fatal("the in-flight probe did not finish")
	}
	select {
	case code := <-exit:
		if code != 0 {
			t.Errorf("exit code %d, want 0", code)
		}
	case <-time.After(deadline):
		t.Fatal("the exporter did not exit")
	}
	// Sessions.Close dropped the kept-alive connection to NetBackup.
	eventually(t, "the exporter to close its NetBackup connections", func() bool { return conns.count() == 0 })
}

func TestShutdownCutsProbesAfterGrace(t *testing.T) {
	g := newGate(t) // never opened before cleanup: NetBackup hangs
	_, target := newFake(t, fakenbu.Options{}, g.wrap)
	file := filepath.Join(t.TempDir(), "modules.yml")
	writeFile(t, file, configYAML(moduleYAML("default", "api_key: "+testKey, `api_version: "14.0"`, "collectors: [storage]", "timeout: 1h")))
	base, shutdown, exit, logs := runExporter(t, "--config.file="+file, "--web.shutdown-timeout=50ms")

	probeDone := make(chan error, 1)
	go func() {
		resp, err := http.Get(base + probeURL("/probe", "default", target))
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		probeDone <- err
	}()
	g.waitEntered(t)
	shutdown()
	select {
	case code := <-exit:
		if code != 0 {
			t.Errorf("exit code %d, want 0", code)
		}
	case <-time.After(deadline):
		t.Fatal("the exporter did not exit after its grace period")
	}
	select {
	case <-probeDone: // cut off: an error or a truncated answer, but not a hang
	case <-time.After(deadline):
		t.Fatal("the probe's connection was not closed")
	}
	if !strings.Contains(logs.String(), "requests still in flight after the grace period") {
		t.Error("cutting probes short is not logged")
	}
}

func TestRunHistoryLimitFlag(t *testing.T) {
	_, target := newFake(t, fakenbu.Options{}, nil)
	file := filepath.Join(t.TempDir(), "modules.yml")
	writeFile(t, file, configYAML(moduleYAML("default", "api_key: "+testKey, "collectors: [storage]")))
	base, _, _, _ := runExporter(t, "--config.file="+file, "--history.limit=2")
	get := func(path string) string {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	for range 5 {
		get(probeURL("/probe", "default", target))
	}
	if n := len(logLink.FindAllString(get("/"), -1)); n != 2 {
		t.Errorf("--history.limit=2: landing page lists %d probes", n)
	}
}

func TestRunExitCodes(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yml")
	writeFile(t, good, configYAML(moduleYAML("default", "api_key: "+testKey)))
	bad := filepath.Join(dir, "bad.yml")
	writeFile(t, bad, configYAML(moduleYAML("default", "api_key: "+testKey, "tiemout: 1s")))
	tests := []struct {
		name       string
		args       []string
		want       int
		wantOutput string
	}{
		{"check valid", []string{"--config.check", "--config.file=" + good}, 0, "configuration is valid"},
		{"check invalid", []string{"--config.check", "--config.file=" + bad}, 1, `bad.yml:6: module "default": tiemout: unknown key`},
		{"start with invalid", []string{"--config.file=" + bad, "--web.listen-address=127.0.0.1:0"}, 1, "cannot load configuration"},
		{"unknown flag", []string{"--no-such-flag"}, 2, "unknown long flag"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out syncBuffer
			if got := run(context.Background(), tc.args, runEnv{stdout: &out, stderr: &out}); got != tc.want {
				t.Errorf("exit code %d, want %d; output:\n%s", got, tc.want, out.String())
			}
			if !strings.Contains(out.String(), tc.wantOutput) && !strings.Contains(out.String(), logfmtQuoted(tc.wantOutput)) {
				t.Errorf("output lacks %q:\n%s", tc.wantOutput, out.String())
			}
		})
	}
}
