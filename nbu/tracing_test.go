package nbu

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// newTracedClient is newTestClient with an in-memory span recorder as the tracer provider.
func newTracedClient(t *testing.T, h http.Handler, mod func(*Options)) (*Client, *tracetest.SpanRecorder, *sdktrace.TracerProvider) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	c, _, _ := newTestClient(t, h, func(o *Options) {
		o.TracerProvider = tp
		if mod != nil {
			mod(o)
		}
	})
	return c, rec, tp
}

// rootCtx starts the span a probe would have around the client's calls.
func rootCtx(t *testing.T, tp *sdktrace.TracerProvider) (context.Context, func()) {
	ctx, span := tp.Tracer("test").Start(testCtx(t), "root")
	return ctx, func() { span.End() }
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

func TestAttemptSpansOfARetriedPagedWalk(t *testing.T) {
	var calls atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n := calls.Add(1); {
		case n == 1:
			writeJSON(w, http.StatusServiceUnavailable, errorJSON(503, "busy, key "+r.Header.Get("Authorization")))
		case r.URL.Query().Get("page[after]") == "":
			writeJSON(w, 200, cursorPage("c1", jobJSON(1)))
		default:
			writeJSON(w, 200, cursorPage("", jobJSON(2)))
		}
	})
	c, rec, tp := newTracedClient(t, h, nil)
	ctx, end := rootCtx(t, tp)
	if _, err := c.Jobs(ctx, JobsQuery{Filter: "state eq 'DONE'"}, func(*Job) error { return nil }); err != nil {
		t.Fatal(err)
	}
	end()
	spans := rec.Ended()
	if len(spans) != 4 { // three attempts and the root
		t.Fatalf("got %d spans, want 4", len(spans))
	}
	root := spans[3]
	wantPage := []int64{1, 1, 2}
	wantCode := []int64{503, 200, 200}
	for i, s := range spans[:3] {
		a := attrs(s)
		if s.Name() != "GET /netbackup/admin/jobs" || s.Parent().SpanID() != root.SpanContext().SpanID() {
			t.Errorf("span %d: name %q parent %v, want GET /netbackup/admin/jobs under the root", i, s.Name(), s.Parent().SpanID())
		}
		if a[attrPage].AsInt64() != wantPage[i] || a[semconv.HTTPResponseStatusCodeKey].AsInt64() != wantCode[i] {
			t.Errorf("span %d: page %v status %v, want %d %d", i, a[attrPage], a[semconv.HTTPResponseStatusCodeKey], wantPage[i], wantCode[i])
		}
		if a[semconv.URLPathKey].AsString() != "/netbackup/admin/jobs" || a[semconv.HTTPRequestMethodKey].AsString() != "GET" || a[semconv.ServerAddressKey].AsString() != "127.0.0.1" {
			t.Errorf("span %d: attributes %v", i, a)
		}
		if _, ok := a[semconv.ServerPortKey]; !ok || a[semconv.HTTPResponseBodySizeKey].AsInt64() <= 0 {
			t.Errorf("span %d: server.port %v, body size %v", i, a[semconv.ServerPortKey], a[semconv.HTTPResponseBodySizeKey])
		}
	}
	first, second := spans[0], spans[1]
	if first.Status().Code != codes.Error || !strings.Contains(first.Status().Description, "HTTP 503") || !attrs(first)[attrRetryable].AsBool() {
		t.Errorf("503 attempt: status %+v, attributes %v", first.Status(), attrs(first))
	}
	if strings.Contains(first.Status().Description, testKey) {
		t.Errorf("the echoed API key reached the span status: %q", first.Status().Description)
	}
	if a := attrs(second); a[attrAttempt].AsInt64() != 2 || a[semconv.HTTPRequestResendCountKey].AsInt64() != 1 || a[attrRetryWait].AsFloat64() <= 0 {
		t.Errorf("retry: attributes %v, want attempt 2, resend 1 and the wait before it", a)
	}
	if second.Status().Code == codes.Error {
		t.Errorf("200 attempt has status %+v", second.Status())
	}
}

func TestVersionLadderSpan(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.Header.Get("Accept"), "=12.0") {
			writeJSON(w, http.StatusNotAcceptable, errorJSON(406, "no"))
			return
		}
		writeJSON(w, 200, cursorPage(""))
	})
	c, rec, tp := newTracedClient(t, h, func(o *Options) { o.APIVersion = "" })
	ctx, end := rootCtx(t, tp)
	v, err := c.Version(ctx)
	end()
	if err != nil || v != "12.0" {
		t.Fatalf("Version = %q, %v", v, err)
	}
	spans := rec.Ended()
	ladder := spans[len(spans)-2]
	if ladder.Name() != "nbu.detect_version" || attrs(ladder)[attrAPIVersion].AsString() != "12.0" {
		t.Fatalf("ladder span %q attributes %v", ladder.Name(), attrs(ladder))
	}
	if got := attrs(ladder)[attrTried].AsStringSlice(); strings.Join(got, ",") != "14.0,13.0,12.0" {
		t.Errorf("tried %v", got)
	}
	for _, s := range spans[:len(spans)-2] {
		if s.Parent().SpanID() != ladder.SpanContext().SpanID() {
			t.Errorf("attempt %q is not a child of the ladder", s.Name())
		}
	}
}

func TestTraceContextIsSentOnlyWhenAsked(t *testing.T) {
	for _, propagate := range []bool{false, true} {
		var got atomic.Value
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got.Store(r.Header.Get("Traceparent"))
			writeJSON(w, 200, cursorPage(""))
		})
		c, _, tp := newTracedClient(t, h, func(o *Options) {
			if propagate {
				o.Propagator = propagation.TraceContext{}
			}
		})
		ctx, end := rootCtx(t, tp)
		if _, err := c.Jobs(ctx, JobsQuery{}, func(*Job) error { return nil }); err != nil {
			t.Fatal(err)
		}
		end()
		if tp := got.Load().(string); (tp != "") != propagate {
			t.Errorf("propagate=%v: traceparent %q", propagate, tp)
		}
	}
}

// TestUntracedClientMakesNoSpans: without a provider the client works and the context carries no
// recording span (the no-op default of newTracing).
func TestUntracedClientMakesNoSpans(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, cursorPage("")) })
	c, _, _ := newTestClient(t, h, nil)
	if c.tracing.tracer == nil || c.tracing.propagator == nil {
		t.Fatal("newTracing left a nil tracer or propagator")
	}
	if _, err := c.Jobs(testCtx(t), JobsQuery{}, func(*Job) error { return nil }); err != nil {
		t.Fatal(err)
	}
}

// TestUntracedAttemptAllocatesNothing: with no provider, an attempt's span calls cost nothing.
func TestUntracedAttemptAllocatesNothing(t *testing.T) {
	c, err := NewClient(Options{BaseURL: "https://nbu:1556/netbackup", APIKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "https://nbu:1556/netbackup/admin/jobs", nil)
	resp := &http.Response{StatusCode: 200}
	if n := testing.AllocsPerRun(100, func() {
		ctx, span := c.startAttempt(withPage(context.Background(), 2), http.MethodGet, "/netbackup/admin/jobs", 2, time.Second)
		c.tracing.propagator.Inject(ctx, propagation.HeaderCarrier(req.Header))
		noteResponse(ctx, resp)
		c.endAttempt(span, outcome{})
	}); n != 0 {
		t.Errorf("%v allocations per untraced attempt, want 0", n)
	}
}
