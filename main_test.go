package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
	"github.com/netbackup-exporter/netbackup_exporter/internal/logging"
)

// Secrets the tests plant, then look for in every output.
const (
	testKey      = "main-test-key-4b1c9d0e7a"
	otherKey     = "other-test-key-90f8e7d6c5"
	keyFileValue = "key-file-secret-3e2d1c0b9a"
)

var secrets = []string{testKey, otherKey, keyFileValue}

// assertNoSecret fails if s holds any planted secret.
func assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, k := range secrets {
		if strings.Contains(s, k) {
			t.Errorf("%s contains a secret (%q)", what, k)
		}
	}
}

// syncBuffer is a log sink written by the exporter's goroutines and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// deadline bounds every wait in these tests: long enough for a slow -race run, short enough that
// a broken behaviour fails instead of hanging.
const deadline = 20 * time.Second

// eventually polls cond until it holds, failing the test at the deadline. Polling is the
// synchronisation: nothing here sleeps for a fixed time and hopes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// newFake starts a fake NetBackup primary accepting testKey with a few jobs and storage units.
func newFake(t *testing.T, opts fakenbu.Options, wrap func(http.Handler) http.Handler) (*fakenbu.Server, string) {
	t.Helper()
	if len(opts.APIKeys) == 0 {
		opts.APIKeys = []string{testKey}
	}
	now := time.Now()
	if opts.Now == nil {
		opts.Now = func() time.Time { return now }
	}
	fake := fakenbu.New(opts)
	fake.SetJobs(fakenbu.GenerateJobs(1, 40, time.Hour, now))
	fake.SetStorageUnits(fakenbu.DemoStorageUnits())
	var h http.Handler = fake
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return fake, srv.URL + "/netbackup"
}

// gate holds NetBackup requests until released, so a test can act while a probe is in flight.
type gate struct {
	entered     chan struct{}
	release     chan struct{}
	enterOnce   sync.Once
	releaseOnce sync.Once
}

func newGate(t *testing.T) *gate {
	g := &gate{entered: make(chan struct{}), release: make(chan struct{})}
	// Registered before the fake's Close (cleanups run last-in first-out), so a test that fails
	// midway does not leave the fake waiting for a handler that waits for the gate.
	t.Cleanup(g.open)
	return g
}

func (g *gate) open() { g.releaseOnce.Do(func() { close(g.release) }) }

func (g *gate) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.enterOnce.Do(func() { close(g.entered) })
		select {
		case <-g.release:
		case <-r.Context().Done():
			return
		}
		h.ServeHTTP(w, r)
	})
}

// waitEntered waits (bounded) until a request reached the gate.
func (g *gate) waitEntered(t *testing.T) {
	t.Helper()
	select {
	case <-g.entered:
	case <-time.After(deadline):
		t.Fatal("timed out waiting for the probe to reach NetBackup")
	}
}

// writeFile replaces path's content the way editors do: a new file renamed over the old one.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// testApp is the exporter built in-process with a config file in a temporary directory.
type testApp struct {
	*app
	dir  string
	file string
	logs *syncBuffer
	reg  *prometheus.Registry
}

// testAppParams are the app's parameters and what only tests choose.
type testAppParams struct {
	appParams
	debounce time.Duration // of file events: short, unless a test needs the exporter's own
	logLevel string
	logTo    io.Writer // where the log goes besides the buffer the tests read
}

type appOption func(*testAppParams)

func withWatch(p *testAppParams)       { p.watchConfig = true }
func withHistory(n int) appOption      { return func(p *testAppParams) { p.historyLimit = n } }
func withOwnDebounce(p *testAppParams) { p.debounce = 0 }

// withLog logs at lvl, to w as well.
func withLog(w io.Writer, lvl string) appOption {
	return func(p *testAppParams) { p.logTo, p.logLevel = w, lvl }
}

// newTestApp writes configYAML to modules.yml in a temporary directory and builds the exporter
// on it with newTestAppAt.
func newTestApp(t *testing.T, configYAML string, opts ...appOption) *testApp {
	t.Helper()
	file := filepath.Join(t.TempDir(), "modules.yml")
	writeFile(t, file, configYAML)
	return newTestAppAt(t, file, opts...)
}

// newTestAppAt builds the exporter on the config file at path (logging at info, as in
// production) and runs its reload loop until the test ends.
func newTestAppAt(t *testing.T, file string, opts ...appOption) *testApp {
	t.Helper()
	dir := filepath.Dir(file)
	logs := &syncBuffer{}
	reg := prometheus.NewRegistry()
	p := testAppParams{
		appParams: appParams{configFile: file, timeoutOffset: 500 * time.Millisecond, historyLimit: 100, registerer: reg, gatherer: reg},
		debounce:  20 * time.Millisecond,
		logLevel:  "info",
	}
	for _, o := range opts {
		o(&p)
	}
	var w io.Writer = logs
	if p.logTo != nil {
		w = io.MultiWriter(logs, p.logTo)
	}
	var err error
	if p.logger, err = logging.New(w, p.logLevel, "logfmt"); err != nil {
		t.Fatal(err)
	}
	a, err := newApp(p.appParams)
	if err != nil {
		t.Fatalf("newApp: %v\nlogs:\n%s", err, logs)
	}
	if p.debounce > 0 {
		a.reloader.SetDebounce(p.debounce)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() {
		cancel()
		<-a.reloader.Done()
		a.close()
	})
	go a.reloader.Loop(ctx)
	<-a.reloader.Ready()
	ta := &testApp{app: a, dir: dir, file: file, logs: logs, reg: reg}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("exporter logs:\n%s", logs)
		}
		assertNoSecret(t, "exporter logs", logs.String())
	})
	return ta
}

func newRecorder(method, target string) (*http.Request, *httptest.ResponseRecorder) {
	return httptest.NewRequest(method, target, nil), httptest.NewRecorder()
}

// do sends one request through the exporter's routes.
func (a *testApp) do(t *testing.T, method, target string) (int, string) {
	t.Helper()
	r, w := newRecorder(method, target)
	a.mux.ServeHTTP(w, r)
	body, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(body)
}

func probeURL(path, module, target string, extra ...string) string {
	v := url.Values{"target": {target}}
	if module != "" {
		v.Set("module", module)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return path + "?" + v.Encode()
}

// gauge returns the value of an unlabelled gauge in the exporter's own registry.
func (a *testApp) gauge(t *testing.T, name string) float64 {
	t.Helper()
	mfs, err := a.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && mf.GetType() == dto.MetricType_GAUGE && len(mf.Metric) == 1 {
			return mf.Metric[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("gauge %s not found", name)
	return 0
}
