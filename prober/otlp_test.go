package prober

import (
	"context"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
	"github.com/netbackup-exporter/netbackup_exporter/internal/tracing"
)

// otlpReceiver is an OTLP/HTTP trace receiver: it decodes each export request's protobuf body and
// keeps the spans.
type otlpReceiver struct {
	mu       sync.Mutex
	spans    []*tracepb.Span
	resource map[string]string
	errs     []error
}

func (rcv *otlpReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	var req collectortrace.ExportTraceServiceRequest
	if err == nil {
		err = proto.Unmarshal(body, &req)
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if err != nil || r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
		rcv.errs = append(rcv.errs, err)
		http.Error(w, "bad export", http.StatusBadRequest)
		return
	}
	for _, rs := range req.GetResourceSpans() {
		rcv.resource = map[string]string{}
		for _, kv := range rs.GetResource().GetAttributes() {
			rcv.resource[kv.GetKey()] = kv.GetValue().GetStringValue()
		}
		for _, ss := range rs.GetScopeSpans() {
			rcv.spans = append(rcv.spans, ss.GetSpans()...)
		}
	}
	out, _ := proto.Marshal(&collectortrace.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

// otlpTree indexes exported spans by id.
type otlpTree struct {
	spans []*tracepb.Span
	byID  map[string]*tracepb.Span
}

func newOTLPTree(spans []*tracepb.Span) otlpTree {
	t := otlpTree{spans: spans, byID: map[string]*tracepb.Span{}}
	for _, s := range spans {
		t.byID[hex.EncodeToString(s.GetSpanId())] = s
	}
	return t
}

func (t otlpTree) named(name string) []*tracepb.Span {
	var out []*tracepb.Span
	for _, s := range t.spans {
		if s.GetName() == name {
			out = append(out, s)
		}
	}
	return out
}

func (t otlpTree) parent(s *tracepb.Span) string {
	if p := t.byID[hex.EncodeToString(s.GetParentSpanId())]; p != nil {
		return p.GetName()
	}
	return ""
}

// otlpAttr is one attribute of s as a string or an int (whichever it is).
func otlpAttr(s *tracepb.Span, key string) (string, int64, bool) {
	for _, kv := range s.GetAttributes() {
		if kv.GetKey() == key {
			v := kv.GetValue()
			return v.GetStringValue(), v.GetIntValue(), true
		}
	}
	return "", 0, false
}

// TestOTLPExportOfAProbe runs the real OTLP/HTTP exporter, built from the flags' Config as main
// builds it, against a receiver that decodes the export: a probe with two collectors, where the
// storage units answer 503 once (retried) and are paged (page size 2, four units).
func TestOTLPExportOfAProbe(t *testing.T) {
	rcv := &otlpReceiver{}
	collector := httptest.NewServer(rcv)
	defer collector.Close()
	tr, err := tracing.New(context.Background(), tracing.Config{Endpoint: collector.URL, SamplingRatio: 1}, "netbackup_exporter", "test")
	if err != nil {
		t.Fatal(err)
	}

	fake, _ := newFake(t, fakenbu.Options{})
	var storageCalls atomic.Int32
	nbuSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/storage/storage-units") && storageCalls.Add(1) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		fake.ServeHTTP(w, r)
	}))
	defer nbuSrv.Close()

	env := newTestEnv(t, mustConfig(t, testModulesYAML))
	env.handler.TracerProvider = tr.Provider
	env.handler.Sessions = NewSessions(time.Hour, nil, WithTracing(tr.Provider, false))
	defer env.handler.Sessions.Close()
	if w := env.probe(t, probeQuery("default", nbuSrv.URL), nil); !strings.Contains(w.Body.String(), "probe_success 1") {
		t.Fatalf("probe failed:\n%s", env.logs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := tr.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.errs) > 0 || rcv.resource["service.name"] != "netbackup_exporter" {
		t.Fatalf("receiver errors %v, resource %v", rcv.errs, rcv.resource)
	}
	checkOTLPTree(t, newOTLPTree(rcv.spans))
}

func checkOTLPTree(t *testing.T, tree otlpTree) {
	t.Helper()
	probes := tree.named("probe")
	if len(probes) != 1 || len(probes[0].GetParentSpanId()) != 0 || probes[0].GetKind() != tracepb.Span_SPAN_KIND_SERVER ||
		probes[0].GetStatus().GetCode() != tracepb.Status_STATUS_CODE_OK {
		t.Fatalf("want one root server span \"probe\" with status OK, got %v", probes)
	}
	if mod, _, _ := otlpAttr(probes[0], "nbu.module"); mod != "default" {
		t.Errorf("probe module %q", mod)
	}
	traceID := hex.EncodeToString(probes[0].GetTraceId())
	for _, s := range tree.spans {
		if hex.EncodeToString(s.GetTraceId()) != traceID {
			t.Errorf("span %q is in another trace", s.GetName())
		}
	}
	for _, name := range []string{"collector jobs", "collector storage"} {
		cs := tree.named(name)
		if len(cs) != 1 || tree.parent(cs[0]) != "probe" || cs[0].GetStatus().GetCode() != tracepb.Status_STATUS_CODE_OK {
			t.Fatalf("want one %q under the probe with status OK, got %v", name, cs)
		}
	}
	if vs := tree.named("nbu.detect_version"); len(vs) != 1 || tree.parent(vs[0]) != "probe" {
		t.Errorf("version ladder: %v", vs)
	}
	if len(tree.named("jobs.shard")) == 0 {
		t.Error("no shard span")
	}
	type attempt struct {
		page, attempt, status int64
		failed                bool
	}
	var got []attempt
	for _, s := range tree.named("GET /netbackup/storage/storage-units") {
		if tree.parent(s) != "collector storage" || s.GetKind() != tracepb.Span_SPAN_KIND_CLIENT {
			t.Errorf("storage attempt under %q, kind %v", tree.parent(s), s.GetKind())
		}
		if path, _, _ := otlpAttr(s, "url.path"); path != "/netbackup/storage/storage-units" {
			t.Errorf("url.path %q", path)
		}
		_, page, _ := otlpAttr(s, "nbu.page")
		_, n, _ := otlpAttr(s, "nbu.attempt")
		_, code, _ := otlpAttr(s, "http.response.status_code")
		got = append(got, attempt{page, n, code, s.GetStatus().GetCode() == tracepb.Status_STATUS_CODE_ERROR})
	}
	want := []attempt{{1, 1, 503, true}, {1, 2, 200, false}, {2, 1, 200, false}}
	if len(got) != len(want) {
		t.Fatalf("storage attempts %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("storage attempt %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	retry := tree.named("GET /netbackup/storage/storage-units")[1]
	if _, resend, ok := otlpAttr(retry, "http.request.resend_count"); !ok || resend != 1 {
		t.Errorf("the retry has resend_count %d", resend)
	}
	if failed := tree.named("GET /netbackup/storage/storage-units")[0]; !strings.Contains(failed.GetStatus().GetMessage(), "HTTP 503") || len(failed.GetEvents()) == 0 {
		t.Errorf("the 503 attempt: status %v, events %v", failed.GetStatus(), failed.GetEvents())
	}
}
