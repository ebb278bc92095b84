package tracing

import (
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// received is one request as the test collector saw it, the body decoded with the collector's
// own message type: what a real collector would make of our hand-written encoding.
type received struct {
	path   string
	header http.Header
	req    *coltracepb.ExportTraceServiceRequest
	err    error // of the decoding
}

// receiver is a test collector. It answers the statuses in answers in turn (with retryAfter),
// then 200.
type receiver struct {
	mu         sync.Mutex
	got        []received
	answers    []int
	retryAfter string
	errorBody  string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req, err := decodeExport(r)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.got = append(rc.got, received{path: r.URL.Path, header: r.Header.Clone(), req: req, err: err})
	if n := len(rc.got); n <= len(rc.answers) {
		if rc.retryAfter != "" {
			w.Header().Set("Retry-After", rc.retryAfter)
		}
		w.WriteHeader(rc.answers[n-1])
		_, _ = io.WriteString(w, rc.errorBody)
		return
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

func decodeExport(r *http.Request) (*coltracepb.ExportTraceServiceRequest, error) {
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			return nil, err
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	req := &coltracepb.ExportTraceServiceRequest{}
	return req, proto.Unmarshal(b, req)
}

// TestExportDecodesAsTheCollectorProto: the spans, their attributes and the resource arrive as a
// collector decodes them, with the headers, at the path, plain and gzipped.
func TestExportDecodesAsTheCollectorProto(t *testing.T) {
	for _, tc := range []struct {
		name, compression, wantEncoding string
	}{
		{"plain", "", ""},
		{"gzip", "gzip", "gzip"},
		{"none", "none", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			t.Setenv("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", tc.compression)
			rc := &receiver{}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			headers := filepath.Join(t.TempDir(), "headers")
			writeFile(t, headers, "Authorization: Bearer s3cr3t-token\n")
			tr, err := New(context.Background(), Config{Endpoint: srv.URL + "/otlp/v1/traces", SamplingRatio: 1, HeadersFile: headers}, "netbackup_exporter", "1.2.3")
			if err != nil {
				t.Fatal(err)
			}
			ctx, parent := tr.Provider.Tracer("test").Start(context.Background(), "probe")
			_, child := tr.Provider.Tracer("test").Start(ctx, "collector storage")
			child.SetAttributes(attribute.String("collector", "storage"), attribute.Int("pages", 3))
			child.End()
			parent.End()
			if err := tr.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			got := rc.requests()
			if len(got) != 1 {
				t.Fatalf("%d requests, want 1", len(got))
			}
			r := got[0]
			if r.err != nil {
				t.Fatalf("the collector proto does not decode the body: %v", r.err)
			}
			if r.path != "/otlp/v1/traces" || r.header.Get("Content-Type") != "application/x-protobuf" ||
				r.header.Get("Content-Encoding") != tc.wantEncoding || r.header.Get("Authorization") != "Bearer s3cr3t-token" ||
				r.header.Get("User-Agent") != "netbackup_exporter/1.2.3" {
				t.Errorf("request to %s with headers %v", r.path, r.header)
			}
			checkExport(t, r.req)
		})
	}
}

func checkExport(t *testing.T, req *coltracepb.ExportTraceServiceRequest) {
	t.Helper()
	if len(req.ResourceSpans) != 1 || len(req.ResourceSpans[0].ScopeSpans) != 1 {
		t.Fatalf("%d resources (want 1, with one scope)", len(req.ResourceSpans))
	}
	rs := req.ResourceSpans[0]
	if v := attr(rs.Resource.GetAttributes(), "service.name"); v.GetStringValue() != "netbackup_exporter" {
		t.Errorf("service.name = %v", v)
	}
	if v := attr(rs.Resource.GetAttributes(), "service.version"); v.GetStringValue() != "1.2.3" {
		t.Errorf("service.version = %v", v)
	}
	spans := map[string]*tracepb.Span{}
	for _, s := range rs.ScopeSpans[0].Spans {
		spans[s.Name] = s
	}
	probe, coll := spans["probe"], spans["collector storage"]
	if probe == nil || coll == nil || len(spans) != 2 {
		t.Fatalf("spans %v, want probe and collector storage", spans)
	}
	if string(coll.ParentSpanId) != string(probe.SpanId) || string(coll.TraceId) != string(probe.TraceId) {
		t.Error("the collector span is not the probe's child")
	}
	if attr(coll.Attributes, "collector").GetStringValue() != "storage" || attr(coll.Attributes, "pages").GetIntValue() != 3 {
		t.Errorf("collector span attributes %v", coll.Attributes)
	}
}

func attr(kvs []*commonpb.KeyValue, key string) *commonpb.AnyValue {
	for _, kv := range kvs {
		if kv.Key == key {
			return kv.Value
		}
	}
	return nil
}

// testClient is a client for rc's server that records its retry waits instead of taking them.
func testClient(t *testing.T, rc http.Handler, headers map[string]string) (*client, *[]time.Duration) {
	t.Helper()
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL + defaultURLPath)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(settings{url: u, headers: headers, timeout: defaultTimeout}, "test/1")
	var waits []time.Duration
	c.wait = func(_ context.Context, d time.Duration) error {
		waits = append(waits, d)
		return nil
	}
	return c, &waits
}

func oneBatch() []*tracepb.ResourceSpans {
	return []*tracepb.ResourceSpans{{ScopeSpans: []*tracepb.ScopeSpans{{Spans: []*tracepb.Span{{Name: "s"}}}}}}
}

// TestRetries: 429/502/503/504 are retried after Retry-After (seconds or a date) or a back-off,
// within the attempts and the deadline; other failures are not.
func TestRetries(t *testing.T) {
	for _, tc := range []struct {
		name       string
		answers    []int
		retryAfter string
		wantReqs   int
		wantWaits  []time.Duration // -1: a back-off, between firstBackoff/2 and firstBackoff
		wantErr    string
	}{
		{"503 retry-after 0", []int{503}, "0", 2, []time.Duration{0}, ""},
		{"429 retry-after 7", []int{429}, "7", 2, []time.Duration{7 * time.Second}, ""},
		{"502 past date", []int{502}, "Wed, 21 Oct 2015 07:28:00 GMT", 2, []time.Duration{0}, ""},
		{"504 back-off", []int{504}, "", 2, []time.Duration{-1}, ""},
		{"retry-after past the deadline", []int{503}, "3600", 1, nil, "HTTP 503 Service Unavailable"},
		{"always 503", []int{503, 503, 503, 503, 503}, "0", maxAttempts, []time.Duration{0, 0, 0, 0}, "HTTP 503"},
		{"400 not retried", []int{400}, "0", 1, nil, "HTTP 400 Bad Request"},
		{"500 not retried", []int{500}, "0", 1, nil, "HTTP 500 Internal Server Error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := &receiver{answers: tc.answers, retryAfter: tc.retryAfter}
			c, waits := testClient(t, rc, nil)
			err := c.UploadTraces(context.Background(), oneBatch())
			if (tc.wantErr == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
			if n := len(rc.requests()); n != tc.wantReqs {
				t.Errorf("%d requests, want %d", n, tc.wantReqs)
			}
			if len(*waits) != len(tc.wantWaits) {
				t.Fatalf("waits %v, want %v", *waits, tc.wantWaits)
			}
			for i, w := range tc.wantWaits {
				got := (*waits)[i]
				if w >= 0 && got != w || w < 0 && (got < firstBackoff/2 || got >= firstBackoff) {
					t.Errorf("wait %d = %v, want %v", i, got, w)
				}
			}
		})
	}
}

// TestErrorNamesEndpointAndStatusNotHeaders: the error says where and what, quotes a bounded
// start of the body, and blanks a header value the server echoes.
func TestErrorNamesEndpointAndStatusNotHeaders(t *testing.T) {
	rc := &receiver{answers: []int{401}, errorBody: "token Bearer s3cr3t-token refused\n" + strings.Repeat("x", 10<<10)}
	c, _ := testClient(t, rc, map[string]string{"Authorization": "Bearer s3cr3t-token"})
	err := c.UploadTraces(context.Background(), oneBatch())
	if err == nil {
		t.Fatal("no error for a 401")
	}
	msg := err.Error()
	if !strings.Contains(msg, c.url) || !strings.Contains(msg, "HTTP 401 Unauthorized") || !strings.Contains(msg, "refused") {
		t.Errorf("error %q: want the endpoint, the status and the body's start", msg)
	}
	if strings.Contains(msg, "s3cr3t-token") || len(msg) > 2*maxErrorText+len(c.url)+100 {
		t.Errorf("error holds the header value or the whole body: %q", msg)
	}
}

// TestTransportErrorWraps: a refused connection is not retried and its cause can be inspected.
func TestTransportErrorWraps(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u, _ := url.Parse(srv.URL + defaultURLPath)
	srv.Close()
	c := newClient(settings{url: u, timeout: defaultTimeout}, "test/1")
	c.wait = func(context.Context, time.Duration) error { t.Error("a transport error was retried"); return nil }
	err := c.UploadTraces(context.Background(), oneBatch())
	var ue *url.Error
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), u.Host) {
		t.Errorf("err = %v, want a wrapped *url.Error naming %s", err, u.Host)
	}
}

// hangingHandler answers nothing until the client leaves or release is called (register it
// after the server's Close, which waits for the handlers), telling arrived when a request came.
func hangingHandler(arrived chan<- struct{}) (h http.Handler, release func()) {
	ch := make(chan struct{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Read to the end: the server notices a client that hung up only after the body.
		_, _ = io.Copy(io.Discard, r.Body)
		if arrived != nil {
			arrived <- struct{}{}
		}
		select {
		case <-r.Context().Done():
		case <-ch:
		}
	}), func() { close(ch) }
}

// TestTimeoutEndsAHungExport: the configured timeout bounds an export the collector never
// answers.
func TestTimeoutEndsAHungExport(t *testing.T) {
	h, release := hangingHandler(nil)
	c, _ := testClient(t, h, nil)
	t.Cleanup(release)
	c.timeout = time.Millisecond
	err := c.UploadTraces(context.Background(), oneBatch())
	var ue *url.Error
	if !errors.As(err, &ue) || !ue.Timeout() {
		t.Errorf("hung export with a 1ms timeout: %v, want a timeout", err)
	}
}

// TestStopEndsExportsInFlight: Stop cancels an export in flight, and after Stop nothing is sent.
func TestStopEndsExportsInFlight(t *testing.T) {
	arrived := make(chan struct{}, 1)
	h, release := hangingHandler(arrived)
	c, _ := testClient(t, h, nil)
	t.Cleanup(release)
	done := make(chan error, 1)
	go func() { done <- c.UploadTraces(context.Background(), oneBatch()) }()
	<-arrived
	if err := c.Stop(context.Background()); err != nil {
		t.Errorf("Stop: %v", err)
	}
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("export in flight at Stop: %v, want it cancelled", err)
	}
	if err := c.UploadTraces(context.Background(), oneBatch()); !errors.Is(err, errStopped) {
		t.Errorf("export after Stop: %v", err)
	}
}

// TestEncodeMatchesTheCollectorProto: the hand-written request is byte for byte what the
// generated ExportTraceServiceRequest marshals to, for no, one and several resources.
func TestEncodeMatchesTheCollectorProto(t *testing.T) {
	c := &client{}
	for _, rss := range [][]*tracepb.ResourceSpans{nil, oneBatch(), append(oneBatch(), oneBatch()...)} {
		got, err := c.encode(rss)
		if err != nil {
			t.Fatal(err)
		}
		want, err := proto.MarshalOptions{Deterministic: true}.Marshal(&coltracepb.ExportTraceServiceRequest{ResourceSpans: rss})
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%d resources: encoded %x, the collector proto %x", len(rss), got, want)
		}
	}
}
