package nbu

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// stackRecorder is a RoundTripper that records which of the package's files are on the stack when
// a request goes out and while its answer is read.
type stackRecorder struct {
	base http.RoundTripper

	mu      sync.Mutex
	request map[string]bool // at the round trip
	answer  map[string]bool // at each read of a response body
}

func newStackRecorder() *stackRecorder {
	return &stackRecorder{base: http.DefaultTransport.(*http.Transport).Clone(), request: map[string]bool{}, answer: map[string]bool{}}
}

func (s *stackRecorder) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.request)
	clear(s.answer)
}

func (s *stackRecorder) note(into map[string]bool) {
	pcs := make([]uintptr, 128)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		f, more := frames.Next()
		if strings.Contains(f.Function, "/netbackup_exporter/nbu.") && !strings.HasSuffix(f.File, "_test.go") {
			into[filepath.Base(f.File)] = true
		}
		if !more {
			return
		}
	}
}

func (s *stackRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	s.note(s.request)
	resp, err := s.base.RoundTrip(r)
	if resp != nil {
		resp.Body = &recordingBody{ReadCloser: resp.Body, s: s}
	}
	return resp, err
}

func (s *stackRecorder) files() (request, answer []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for f := range s.request {
		request = append(request, f)
	}
	for f := range s.answer {
		answer = append(answer, f)
	}
	slices.Sort(request)
	slices.Sort(answer)
	return request, answer
}

type recordingBody struct {
	io.ReadCloser
	s *stackRecorder
}

func (b *recordingBody) Read(p []byte) (int, error) {
	b.s.note(b.s.answer)
	return b.ReadCloser.Read(p)
}

// TestRequestPathFiles follows a steady StorageUnits call (version detected, token held) from the
// method to the round trip and through the reading of its answer: the reader following it meets
// the endpoint's file, the paging file and request.go, nothing else.
func TestRequestPathFiles(t *testing.T) {
	fake := fakenbu.New(fakenbu.Options{Users: []fakenbu.User{{Name: "monitor", Password: "s3cret-password"}}})
	fake.SetStorageUnits(fakenbu.DemoStorageUnits())
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	login := Login{UserName: "monitor", Password: "s3cret-password"}
	for _, tc := range []struct {
		name   string
		opts   Options
		traced bool
	}{
		{"api key", Options{APIKey: fakenbu.DefaultAPIKey}, false},
		{"login", Options{Login: login}, false},
		{"login, traced", Options{Login: login}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newStackRecorder()
			opts := tc.opts
			opts.BaseURL, opts.Transport = srv.URL+"/netbackup", rec
			ctx := testCtx(t)
			if tc.traced {
				tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tracetest.NewSpanRecorder()))
				opts.TracerProvider = tp
				var end func()
				ctx, end = rootCtx(t, tp)
				defer end()
			}
			c, err := NewClient(opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(c.Close)
			// The first call detects the version and logs in; the steady call after it is measured.
			if _, err := c.StorageUnits(ctx, 2); err != nil {
				t.Fatal(err)
			}
			rec.reset()
			units, err := c.StorageUnits(ctx, 2)
			if err != nil || len(units) == 0 {
				t.Fatalf("StorageUnits: %d units, %v", len(units), err)
			}
			request, answer := rec.files()
			t.Logf("nbu files at the round trip: %v; while reading the answer: %v", request, answer)
			want := []string{"paging.go", "request.go", "storage.go"}
			if !slices.Equal(request, want) {
				t.Errorf("files on the stack at the round trip = %v, want %v", request, want)
			}
			if !slices.Equal(answer, want) {
				t.Errorf("files on the stack while the answer is read = %v, want %v", answer, want)
			}
		})
	}
}

// With the client's own transport (its dialer, the connection budget), the files on the stack when
// the connection for a steady request is taken are the same three.
func TestRequestPathFilesOwnTransport(t *testing.T) {
	fake := fakenbu.New(fakenbu.Options{})
	fake.SetStorageUnits(fakenbu.DemoStorageUnits())
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	c, err := NewClient(Options{BaseURL: srv.URL + "/netbackup", APIKey: fakenbu.DefaultAPIKey, Conns: NewConnBudget(8)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	if _, err := c.StorageUnits(testCtx(t), 2); err != nil {
		t.Fatal(err)
	}
	rec := newStackRecorder()
	ctx := httptrace.WithClientTrace(testCtx(t), &httptrace.ClientTrace{GetConn: func(string) { rec.note(rec.request) }})
	if _, err := c.StorageUnits(ctx, 2); err != nil {
		t.Fatal(err)
	}
	request, _ := rec.files()
	if want := []string{"paging.go", "request.go", "storage.go"}; !slices.Equal(request, want) {
		t.Errorf("files on the stack when the connection is taken = %v, want %v", request, want)
	}
}
