package prober

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-kit/log"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// newTracedEnv is newTestEnv with an in-memory span recorder behind the handler and its sessions.
func newTracedEnv(t *testing.T, cfg *config.Config, propagate bool) (*testEnv, *tracetest.SpanRecorder) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
	env := newTestEnv(t, cfg)
	env.handler.Sessions = NewSessions(time.Hour, env.metrics.ObserveRequest, WithTracing(tp, propagate))
	t.Cleanup(env.handler.Sessions.Close)
	env.handler.TracerProvider = tp
	return env, rec
}

// spanTree indexes recorded spans by id, for parent/child checks.
type spanTree struct {
	spans []sdktrace.ReadOnlySpan
	byID  map[trace.SpanID]sdktrace.ReadOnlySpan
}

func newSpanTree(spans []sdktrace.ReadOnlySpan) spanTree {
	t := spanTree{spans: spans, byID: map[trace.SpanID]sdktrace.ReadOnlySpan{}}
	for _, s := range spans {
		t.byID[s.SpanContext().SpanID()] = s
	}
	return t
}

func (t spanTree) named(name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range t.spans {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

func (t spanTree) one(tb testing.TB, name string) sdktrace.ReadOnlySpan {
	tb.Helper()
	got := t.named(name)
	if len(got) != 1 {
		tb.Fatalf("%d spans named %q, want 1; spans: %s", len(got), name, t)
	}
	return got[0]
}

// parentName is the name of s's parent span ("" for a root or a remote parent).
func (t spanTree) parentName(s sdktrace.ReadOnlySpan) string {
	if p, ok := t.byID[s.Parent().SpanID()]; ok {
		return p.Name()
	}
	return ""
}

func (t spanTree) String() string {
	var b strings.Builder
	for _, s := range t.spans {
		fmt.Fprintf(&b, "\n  %s <- %q", s.Name(), t.parentName(s))
	}
	return b.String()
}

func spanAttrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

func TestProbeSpanTree(t *testing.T) {
	_, srv := newFake(t, fakenbu.Options{})
	env, rec := newTracedEnv(t, mustConfig(t, testModulesYAML), false)
	if w := env.probe(t, probeQuery("default", srv.URL), nil); !strings.Contains(w.Body.String(), "probe_success 1") {
		t.Fatalf("probe failed:\n%s", env.logs)
	}
	tree := newSpanTree(rec.Ended())
	probe := tree.one(t, "probe")
	a := spanAttrs(probe)
	if probe.SpanKind() != trace.SpanKindServer || probe.Parent().IsValid() || probe.Status().Code != codes.Ok {
		t.Errorf("probe span: kind %v parent %v status %+v", probe.SpanKind(), probe.Parent(), probe.Status())
	}
	if a[attrModule].AsString() != "default" || a[semconv.ServerAddressKey].AsString() != "127.0.0.1" || a[semconv.ServerPortKey].AsInt64() == 0 ||
		a[attrAPIVersion].AsString() != "14.0" || !a[attrSuccess].AsBool() || a[attrDeadline].AsString() == "" {
		t.Errorf("probe attributes: %v", a)
	}
	if p := tree.parentName(tree.one(t, "nbu.detect_version")); p != "probe" {
		t.Errorf("version ladder under %q, want probe", p)
	}
	for _, name := range []string{"jobs", "storage"} {
		c := tree.one(t, "collector "+name)
		ca := spanAttrs(c)
		if tree.parentName(c) != "probe" || ca[attrResult].AsString() != "success" || ca[attrSource].AsString() != "ran" || ca[attrRequests].AsInt64() == 0 {
			t.Errorf("collector %s: parent %q attributes %v", name, tree.parentName(c), ca)
		}
	}
	var pages []int64
	for _, s := range tree.named("GET /netbackup/storage/storage-units") {
		if tree.parentName(s) != "collector storage" {
			t.Errorf("storage request under %q", tree.parentName(s))
		}
		pages = append(pages, spanAttrs(s)[attribute.Key("nbu.page")].AsInt64())
	}
	if fmt.Sprint(pages) != "[1 2]" {
		t.Errorf("storage pages %v, want [1 2] (page size 2, four units)", pages)
	}
	shards := tree.named("jobs.shard")
	if len(shards) == 0 {
		t.Fatalf("no shard span:%s", tree)
	}
	for _, s := range shards {
		if tree.parentName(s) != "collector jobs" || spanAttrs(s)[attrShardPages].AsInt64() == 0 {
			t.Errorf("shard under %q, attributes %v", tree.parentName(s), spanAttrs(s))
		}
	}
	underShard := 0
	for _, s := range tree.named("GET /netbackup/admin/jobs") {
		switch p := tree.parentName(s); p {
		case "jobs.shard":
			underShard++
		case "collector jobs", "nbu.detect_version":
		default:
			t.Errorf("jobs request under %q", p)
		}
	}
	if underShard == 0 {
		t.Errorf("no jobs request under a shard:%s", tree)
	}
}

func TestCachedCollectorSpan(t *testing.T) {
	_, srv := newFake(t, fakenbu.Options{})
	env, rec := newTracedEnv(t, mustConfig(t, testModulesYAML), false)
	env.probe(t, probeQuery("storageonly", srv.URL), nil)
	rec.Reset()
	env.probe(t, probeQuery("storageonly", srv.URL), nil)
	c := newSpanTree(rec.Ended()).one(t, "collector storage")
	a := spanAttrs(c)
	if a[attrSource].AsString() != "cache" || !a[attrCached].AsBool() || a[attrRequests].AsInt64() != 0 || a[attrResult].AsString() != "success" {
		t.Errorf("cached collector attributes %v", a)
	}
}

func TestFailedCollectorSpanHasTheLoggedError(t *testing.T) {
	fake, _ := newFake(t, fakenbu.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/storage/storage-units") {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	env, rec := newTracedEnv(t, mustConfig(t, testModulesYAML), false)
	env.probe(t, probeQuery("storageonly", srv.URL), nil)
	tree := newSpanTree(rec.Ended())
	c := tree.one(t, "collector storage")
	if c.Status().Code != codes.Error || spanAttrs(c)[attrResult].AsString() != "failed" {
		t.Fatalf("collector span status %+v attributes %v", c.Status(), spanAttrs(c))
	}
	// The log line is logfmt: the error text is quoted there.
	if !strings.Contains(env.logs.String(), fmt.Sprintf("err=%q", c.Status().Description)) {
		t.Errorf("span error %q is not the logged one:\n%s", c.Status().Description, env.logs)
	}
	if len(c.Events()) == 0 || c.Events()[0].Name != "exception" {
		t.Errorf("no error event on the collector span: %v", c.Events())
	}
	if p := tree.one(t, "probe"); p.Status().Code != codes.Error || spanAttrs(p)[attrSuccess].AsBool() {
		t.Errorf("probe span status %+v", p.Status())
	}
}

func TestIncomingTraceparentIsTheProbesParent(t *testing.T) {
	_, srv := newFake(t, fakenbu.Options{})
	env, rec := newTracedEnv(t, mustConfig(t, testModulesYAML), false)
	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	env.probe(t, probeQuery("storageonly", srv.URL), http.Header{"Traceparent": {"00-" + traceID + "-" + parentID + "-01"}})
	probe := newSpanTree(rec.Ended()).one(t, "probe")
	if probe.SpanContext().TraceID().String() != traceID || probe.Parent().SpanID().String() != parentID || !probe.Parent().IsRemote() {
		t.Errorf("probe span trace %s parent %s, want %s %s (remote)", probe.SpanContext().TraceID(), probe.Parent().SpanID(), traceID, parentID)
	}
}

// TestTraceContextToNetBackupOnlyWhenAsked: NetBackup gets a traceparent only with
// WithTracing(tp, true), i.e. --tracing.propagate-to-netbackup.
func TestTraceContextToNetBackupOnlyWhenAsked(t *testing.T) {
	for _, propagate := range []bool{false, true} {
		fake, _ := newFake(t, fakenbu.Options{})
		var mu sync.Mutex
		var seen []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen = append(seen, r.Header.Get("Traceparent"))
			mu.Unlock()
			fake.ServeHTTP(w, r)
		}))
		env, rec := newTracedEnv(t, mustConfig(t, testModulesYAML), propagate)
		env.probe(t, probeQuery("storageonly", srv.URL), nil)
		srv.Close()
		traceID := newSpanTree(rec.Ended()).one(t, "probe").SpanContext().TraceID().String()
		for _, tp := range seen {
			if propagate != strings.Contains(tp, traceID) || (!propagate && tp != "") {
				t.Errorf("propagate=%v: NetBackup got traceparent %q (probe trace %s)", propagate, tp, traceID)
			}
		}
	}
}

func TestDebugShowsTheTraceID(t *testing.T) {
	_, srv := newFake(t, fakenbu.Options{})
	cfg := mustConfig(t, testModulesYAML)
	env, rec := newTracedEnv(t, cfg, false)
	w := env.probe(t, probeQuery("storageonly", srv.URL)+"&debug=true", nil)
	traceID := newSpanTree(rec.Ended()).one(t, "probe").SpanContext().TraceID().String()
	if !strings.Contains(w.Body.String(), "trace_id="+traceID) {
		t.Errorf("debug output lacks trace_id=%s:\n%s", traceID, w.Body)
	}
	untraced := newTestEnv(t, cfg)
	if w := untraced.probe(t, probeQuery("storageonly", srv.URL)+"&debug=true", nil); strings.Contains(w.Body.String(), "trace_id") {
		t.Errorf("untraced debug output names a trace:\n%s", w.Body)
	}
}

// TestUntracedHandlerDefaultsToNoop: a Handler and Sessions built without tracing (as every other
// test builds them) still probe; the no-op provider stands in.
func TestUntracedHandlerDefaultsToNoop(t *testing.T) {
	h := &Handler{Logger: log.NewNopLogger()}
	r := httptest.NewRequest(http.MethodGet, "/probe", nil)
	if _, span := h.startProbe(t.Context(), r, "default", Target{}, time.Second); span.IsRecording() {
		t.Error("the default provider records")
	}
}

// TestUntracedProbeSpansAllocateNothing: with tracing off, the probe's, collectors' and shards'
// span calls cost no allocation (the steady-state probe benchmark stays where it was).
func TestUntracedProbeSpansAllocateNothing(t *testing.T) {
	h := &Handler{}
	r := httptest.NewRequest("GET", "/probe", nil)
	target := Target{BaseURL: "https://nbu:1556/netbackup", Host: "nbu", Port: "1556"}
	res := &shardResult{}
	if n := testing.AllocsPerRun(100, func() {
		ctx, span := h.startProbe(t.Context(), r, "default", target, time.Second)
		noteAPIVersion(ctx, "14.0")
		cctx, cspan := tracer(ctx).Start(ctx, "collector")
		_, sspan := startShard(cctx, "filter")
		endShard(sspan, res)
		cspan.End()
		endProbe(span, true)
		span.End()
	}); n != 0 {
		t.Errorf("%v allocations per untraced probe's spans, want 0", n)
	}
}
