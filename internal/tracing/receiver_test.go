package tracing

import (
	"compress/gzip"
	"io"
	"net/http"
	"sync"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// received is one request as the test collector saw it, the body decoded with the collector's
// own message type.
type received struct {
	path   string
	header http.Header
	req    *coltracepb.ExportTraceServiceRequest
	err    error // of the decoding
}

// receiver is a test collector. It answers the statuses in answers in turn (with retryAfter and
// errorBody), then 200.
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

// sdkEnvKeys are the OTEL_EXPORTER_OTLP_* variables (generic and traces-specific) that the
// exporter or the SDK reads.
var sdkEnvKeys = []string{"ENDPOINT", "HEADERS", "TIMEOUT", "COMPRESSION", "INSECURE", "CERTIFICATE",
	"CLIENT_CERTIFICATE", "CLIENT_KEY", "PROTOCOL"}

// clearEnv blanks every variable the exporter or the SDK reads (empty is unset), so that a
// developer's own OTEL_EXPORTER_OTLP_* settings do not change a test.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, k := range sdkEnvKeys {
		t.Setenv(envPrefix+k, "")
		t.Setenv(envPrefix+"TRACES_"+k, "")
	}
}
