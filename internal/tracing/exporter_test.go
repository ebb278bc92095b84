package tracing

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
)

// TestExportDecodesAsTheCollectorProto: the spans, their attributes and the resource arrive as a
// collector decodes them, with the headers file's headers, at the path, plain and gzipped.
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
				r.header.Get("Content-Encoding") != tc.wantEncoding || r.header.Get("Authorization") != "Bearer s3cr3t-token" {
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

// testExporter is the exporter New builds, for the server at base, with no batch processor in
// front: ExportSpans returns what the batch processor would hand to OpenTelemetry's error
// handler, which logs it.
func testExporter(t *testing.T, base string, headers map[string]string) *otlptrace.Exporter {
	t.Helper()
	clearEnv(t)
	exp, httpc, err := newExporter(context.Background(), exporterSettings{endpoint: testEndpoint(t, base), headers: headers, timeout: defaultTimeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = exp.Shutdown(context.Background())
		httpc.CloseIdleConnections()
	})
	return exp
}

// exportOne exports one span within the batch timeout, as the batch processor does.
func exportOne(exp *otlptrace.Exporter) error {
	ctx, cancel := context.WithTimeout(context.Background(), defaultTimeout)
	defer cancel()
	return exp.ExportSpans(ctx, tracetest.SpanStubs{{Name: "s"}}.Snapshots())
}

// TestRetries: 429/502/503/504 are retried after Retry-After or a back-off, within the batch's
// timeout; other failures are not.
func TestRetries(t *testing.T) {
	for _, tc := range []struct {
		name       string
		answers    []int
		retryAfter string
		wantReqs   int
		wantErr    string
	}{
		{"503 retry-after 0", []int{503}, "0", 2, ""},
		{"429 retry-after 1", []int{429}, "1", 2, ""},
		{"504 back-off", []int{504}, "", 2, ""},
		{"retry-after past the timeout", []int{503}, "3600", 1, "HTTP 503 Service Unavailable from http://"},
		{"400 not retried", []int{400}, "0", 1, "400 Bad Request"},
		{"500 not retried", []int{500}, "0", 1, "500 Internal Server Error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := &receiver{answers: tc.answers, retryAfter: tc.retryAfter}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			err := exportOne(testExporter(t, srv.URL, nil))
			if (tc.wantErr == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
			if n := len(rc.requests()); n != tc.wantReqs {
				t.Errorf("%d requests, want %d", n, tc.wantReqs)
			}
		})
	}
}

// TestErrorNamesEndpointAndStatusNotHeaders: the error says where and what, quotes a bounded
// start of the body, and blanks the header values the server echoes, the headers file's and the
// environment's alike.
func TestErrorNamesEndpointAndStatusNotHeaders(t *testing.T) {
	rc := &receiver{answers: []int{401}, errorBody: "token Bearer s3cr3t-token and env-s3cr3t refused\n" + strings.Repeat("x", 10<<10)}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	exp := testExporter(t, srv.URL, map[string]string{"Authorization": "Bearer s3cr3t-token"})
	err := exportOne(exp)
	if err == nil {
		t.Fatal("no error for a 401")
	}
	msg := err.Error()
	if !strings.Contains(msg, srv.URL) || !strings.Contains(msg, "401 Unauthorized") || !strings.Contains(msg, "refused") {
		t.Errorf("error %q: want the endpoint, the status and the body's start", msg)
	}
	if strings.Contains(msg, "s3cr3t-token") || len(msg) > 2*maxErrorText+len(srv.URL)+100 {
		t.Errorf("error holds a header value or the whole body: %q", msg)
	}

	t.Setenv(envPrefix+"HEADERS", "x-token=env-s3cr3t")
	exp, httpc, err := newExporter(context.Background(), exporterSettings{endpoint: testEndpoint(t, srv.URL), timeout: defaultTimeout})
	if err != nil {
		t.Fatal(err)
	}
	defer httpc.CloseIdleConnections()
	defer exp.Shutdown(context.Background())
	rc.mu.Lock()
	rc.answers = append(rc.answers, 401)
	rc.mu.Unlock()
	if err := exportOne(exp); err == nil || strings.Contains(err.Error(), "env-s3cr3t") || !strings.Contains(err.Error(), "<redacted>") {
		t.Errorf("with the header from OTEL_EXPORTER_OTLP_HEADERS: %v, want it redacted", err)
	}
	if got := rc.requests(); got[len(got)-1].header.Get("X-Token") != "env-s3cr3t" {
		t.Errorf("the SDK did not send the environment's header: %v", got[len(got)-1].header)
	}
}

// testEndpoint is base's OTLP path, as --tracing.endpoint=base makes it.
func testEndpoint(t *testing.T, base string) endpoint {
	t.Helper()
	u, err := url.Parse(base + defaultURLPath)
	if err != nil {
		t.Fatal(err)
	}
	return endpoint{opts: []otlptracehttp.Option{otlptracehttp.WithEndpointURL(u.String())}, url: u}
}

// TestReasonPhraseIsNotQuoted: the status line's text is the server's to write; the error gives
// the standard one.
func TestReasonPhraseIsNotQuoted(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, req.Body)
		_, _ = io.WriteString(c, "HTTP/1.1 403 Bearer s3cr3t-token\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	}()
	err = exportOne(testExporter(t, "http://"+ln.Addr().String(), map[string]string{"Authorization": "Bearer s3cr3t-token"}))
	if err == nil || !strings.Contains(err.Error(), "403 Forbidden") || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("err = %v, want 403 Forbidden and no header value", err)
	}
}

// TestRedirectNotFollowed: a redirect would take the headers to another host.
func TestRedirectNotFollowed(t *testing.T) {
	elsewhere := &receiver{}
	other := httptest.NewServer(elsewhere)
	defer other.Close()
	srv := httptest.NewServer(http.RedirectHandler(other.URL+defaultURLPath, http.StatusTemporaryRedirect))
	defer srv.Close()
	err := exportOne(testExporter(t, srv.URL, map[string]string{"X-Api-Key": "s3cr3t-token"}))
	if err == nil || !strings.Contains(err.Error(), "307") {
		t.Errorf("err = %v, want the 307", err)
	}
	if n := len(elsewhere.requests()); n != 0 {
		t.Errorf("the redirect was followed: the other host got %d requests", n)
	}
}

// TestTimeoutEndsAHungExport: OTEL_EXPORTER_OTLP_TIMEOUT bounds a batch the collector never
// answers, so that the flush at shutdown ends well within its own deadline (the default timeout,
// 10 s, would outlast it).
func TestTimeoutEndsAHungExport(t *testing.T) {
	clearEnv(t)
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case arrived <- struct{}{}:
		default:
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	t.Setenv(envPrefix+"TRACES_TIMEOUT", "100")
	tr, err := New(context.Background(), Config{Endpoint: srv.URL, SamplingRatio: 1}, "x", "1")
	if err != nil {
		t.Fatal(err)
	}
	_, span := tr.Provider.Tracer("test").Start(context.Background(), "one")
	span.End()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := tr.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown with a hung collector and a 100 ms timeout: %v", err)
	}
	select {
	case <-arrived:
	default:
		t.Error("the export never reached the collector")
	}
}

func TestEnvTimeout(t *testing.T) {
	for _, tc := range []struct {
		env     map[string]string
		want    time.Duration
		wantErr string
	}{
		{nil, defaultTimeout, ""},
		{map[string]string{envPrefix + "TIMEOUT": "2500"}, 2500 * time.Millisecond, ""},
		{map[string]string{envPrefix + "TIMEOUT": "2500", envPrefix + "TRACES_TIMEOUT": "700"}, 700 * time.Millisecond, ""},
		{map[string]string{envPrefix + "TRACES_TIMEOUT": "10s"}, 0, envPrefix + "TRACES_TIMEOUT \"10s\": want milliseconds"},
		{map[string]string{envPrefix + "TIMEOUT": "0"}, 0, "want milliseconds"},
	} {
		got, err := envTimeout(mapEnv(tc.env))
		if got != tc.want || (err == nil) != (tc.wantErr == "") || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%v: %v, %v; want %v, %q", tc.env, got, err, tc.want, tc.wantErr)
		}
	}
}

func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestScrub(t *testing.T) {
	sent := http.Header{
		"Authorization": {"Bearer s3cr3t-token"},
		"X-Short":       {"s3cr3t"}, // inside the other: replaced after it, never before
		"Content-Type":  {"application/x-protobuf"},
	}
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"  refused\n", `"refused"`},
		{"got Bearer s3cr3t-token, s3cr3t", `"got <redacted>, <redacted>"`},
		{"want application/x-protobuf", `"want application/x-protobuf"`},
		{strings.Repeat("x", 300), strconv.Quote(strings.Repeat("x", maxErrorText) + "...")},
	} {
		if got := scrub(tc.in, sent); got != tc.want {
			t.Errorf("scrub(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
