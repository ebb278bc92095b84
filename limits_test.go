package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

func TestLimitRequestsAnswers503PastTheCap(t *testing.T) {
	inside, release := make(chan struct{}), make(chan struct{})
	h := limitRequests(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inside <- struct{}{}
		<-release
	}), 1, "/")
	done := make(chan int)
	go func() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/probe", nil))
		done <- w.Code
	}()
	<-inside
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/probe", nil))
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "--web.max-requests") {
		t.Errorf("second request in flight: %d %q, want 503", w.Code, w.Body)
	}
	health := make(chan int)
	go func() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/-/healthy", nil))
		health <- w.Code
	}()
	<-inside // the health check is served although the slot is taken
	close(release)
	if code := <-health; code != http.StatusOK {
		t.Errorf("/-/healthy while the requests are at the cap: %d", code)
	}
	if code := <-done; code != http.StatusOK {
		t.Errorf("first request: %d", code)
	}
}

type closeRecorder struct {
	net.Conn
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

func TestConnLimiter(t *testing.T) {
	l := &connLimiter{max: 4}
	var conns []*closeRecorder
	for range 6 {
		c := &closeRecorder{}
		conns = append(conns, c)
		l.track(c, http.StateNew)
	}
	for i, c := range conns {
		if c.closed != (i >= 4) {
			t.Errorf("connection %d closed = %v, want only those past the cap closed", i, c.closed)
		}
	}
	for _, c := range conns[4:] {
		l.track(c, http.StateClosed)
	}
	// Four open, above half the cap: one going idle is shed, one busy is not.
	l.track(conns[0], http.StateActive)
	l.track(conns[1], http.StateIdle)
	if conns[0].closed || !conns[1].closed {
		t.Errorf("active closed %v, idle closed %v; want the idle one shed", conns[0].closed, conns[1].closed)
	}
	l.track(conns[1], http.StateClosed)
	l.track(conns[2], http.StateClosed)
	l.track(conns[3], http.StateIdle)
	if conns[3].closed {
		t.Error("an idle connection was shed at half the cap")
	}
}

// Many idle keep-alive connections to the exporter do not starve it: past half of
// --web.max-connections they are closed, and a probe still gets through.
func TestIdleKeepAliveConnectionsDoNotStarveProbes(t *testing.T) {
	_, target := newFake(t, fakenbu.Options{}, nil)
	file := filepath.Join(t.TempDir(), "modules.yml")
	writeFile(t, file, configYAML(moduleYAML("default", "api_key: "+testKey)))
	addr, _, _, _ := runExporter(t, "--config.file="+file, "--web.max-connections=20")
	var clients []*http.Client
	for range 60 {
		c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
		resp, err := c.Get(addr + "/-/healthy")
		if err != nil {
			t.Fatalf("keep-alive connection %d: %v", len(clients), err)
		}
		_, _ = io.Copy(io.Discard, resp.Body) // read to the end, or the client closes the connection itself
		resp.Body.Close()
		clients = append(clients, c)
	}
	resp, err := http.Get(addr + probeURL("/probe", "default", target))
	if err != nil {
		t.Fatalf("probe with %d idle keep-alive connections open: %v", len(clients), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("probe: %d", resp.StatusCode)
	}
	// The connections the exporter kept are those it reuses now: at most the cap.
	reused := 0
	for _, c := range clients {
		req, _ := http.NewRequest("GET", addr+"/-/healthy", nil)
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			GotConn: func(info httptrace.GotConnInfo) {
				if info.Reused {
					reused++
				}
			},
		}))
		if resp, err := c.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		c.CloseIdleConnections()
	}
	t.Logf("reused %d", reused)
	if reused > 20 {
		t.Errorf("the exporter kept %d of %d idle keep-alive connections open, want at most --web.max-connections", reused, len(clients))
	}
}

// A key file swapped for a FIFO or a device fails the reload at once, and the exporter still
// shuts down.
func TestReloadOfANonRegularKeyFileFailsAndShutdownWorks(t *testing.T) {
	for _, kind := range []string{"fifo", "device"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			key := filepath.Join(dir, "api.key")
			writeFile(t, key, testKey)
			file := filepath.Join(dir, "modules.yml")
			writeFile(t, file, configYAML(moduleYAML("default", "api_key_file: "+key)))
			a := newTestAppAt(t, file)
			if err := os.Remove(key); err != nil {
				t.Fatal(err)
			}
			switch kind {
			case "fifo":
				if err := syscall.Mkfifo(key, 0o600); err != nil {
					t.Skipf("mkfifo: %v", err)
				}
			case "device":
				if err := os.Symlink("/dev/zero", key); err != nil {
					t.Fatal(err)
				}
			}
			code, body := a.do(t, "POST", "/-/reload")
			if code != http.StatusInternalServerError || !strings.Contains(body, "not a regular file") {
				t.Errorf("reload with the key file a %s: %d %q", kind, code, body)
			}
		})
	}
}

// --config.file naming a FIFO or a device fails the start at once instead of hanging in the read.
func TestRunRefusesANonRegularConfigFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "modules.yml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, path := range []string{fifo, "/dev/zero"} {
		var out strings.Builder
		if code := run(t.Context(), []string{"--config.file=" + path}, runEnv{stdout: &out, stderr: &out}); code != 1 || !strings.Contains(out.String(), "not a regular file") {
			t.Errorf("run with --config.file=%s: exit %d\n%s", path, code, out.String())
		}
	}
}
