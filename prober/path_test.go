package prober

import (
	"net/http/httptest"
	"net/http/httptrace"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// maxPathFiles bounds the files of this module (tests aside) on the call stacks of a steady
// probe of the storage collector: at its NetBackup requests and at its answer's writes.
const maxPathFiles = 6

// proberPathFiles are the prober's share of those: the handler, the probe, the collector.
var proberPathFiles = []string{"prober/handler.go", "prober/probe.go", "prober/storage.go"}

// stackFiles records which of this module's files are on the call stacks it is shown.
type stackFiles struct {
	root  string // the module's directory
	mu    sync.Mutex
	files map[string]bool
	calls int
}

func newStackFiles(t *testing.T) *stackFiles {
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("no caller information")
	}
	return &stackFiles{root: filepath.Dir(filepath.Dir(self)) + "/", files: map[string]bool{}}
}

func (s *stackFiles) record() {
	pcs := make([]uintptr, 256)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	for {
		f, more := frames.Next()
		if rel, ok := strings.CutPrefix(f.File, s.root); ok && !strings.HasSuffix(rel, "_test.go") {
			s.files[rel] = true
		}
		if !more {
			return
		}
	}
}

func (s *stackFiles) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for f := range s.files {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

// stackRecorder records the stack of every write of the answer.
type stackRecorder struct {
	*httptest.ResponseRecorder
	stacks *stackFiles
}

func (w stackRecorder) Write(b []byte) (int, error) {
	w.stacks.record()
	return w.ResponseRecorder.Write(b)
}

// The way through a steady probe is short: from Handler.ServeHTTP to the storage collector's call
// into the nbu client, the prober's files on the stacks are the handler, the probe and the
// collector; the answer is written from the handler. `go test -v -run TestProbePathIsShort
// ./prober/` lists every file of the module on those stacks.
func TestProbePathIsShort(t *testing.T) {
	_, srv := newFake(t, fakenbu.Options{})
	// No result cache: every probe asks NetBackup for the storage units.
	env := newTestEnv(t, mustConfig(t, `
modules:
  storage:
    api_key: `+testKey+`
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    collectors: [storage]
    storage: {cache_ttl: 0s}
`))
	query := probeQuery("storage", srv.URL+"/netbackup")
	env.probe(t, query, nil) // the first probe detects the API version and logs in: not steady

	requests, writes := newStackFiles(t), newStackFiles(t)
	r := httptest.NewRequest("GET", "/probe?"+query, nil)
	r = r.WithContext(httptrace.WithClientTrace(r.Context(), &httptrace.ClientTrace{GetConn: func(string) { requests.record() }}))
	w := stackRecorder{ResponseRecorder: httptest.NewRecorder(), stacks: writes}
	env.handler.ServeHTTP(w, r)
	if !strings.Contains(w.Body.String(), "\nprobe_success 1\n") || requests.calls == 0 || writes.calls == 0 {
		t.Fatalf("%d requests, %d writes, answer:\n%s\n%s", requests.calls, writes.calls, w.Body, env.logs)
	}
	all := map[string]bool{}
	for _, f := range append(requests.list(), writes.list()...) {
		all[f] = true
	}
	var files []string
	for f := range all {
		files = append(files, f)
		if strings.HasPrefix(f, "prober/") && !slices.Contains(proberPathFiles, f) {
			t.Errorf("%s is on the probe's path; the prober's files there are %v", f, proberPathFiles)
		}
	}
	slices.Sort(files)
	t.Logf("%d files on the stacks of %d NetBackup requests: %v", len(requests.list()), requests.calls, requests.list())
	t.Logf("%d files on the stacks of %d writes of the answer: %v", len(writes.list()), writes.calls, writes.list())
	t.Logf("%d files on the probe's path: %s", len(files), strings.Join(files, " "))
	if len(files) > maxPathFiles {
		t.Errorf("%d files on the probe's path, want at most %d", len(files), maxPathFiles)
	}
}
