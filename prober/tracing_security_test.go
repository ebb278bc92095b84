package prober

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// spanText is everything a span carries that an exporter would send: name, attributes, status,
// events with their attributes, links and the resource.
func spanText(s sdktrace.ReadOnlySpan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %v %q\n", s.Name(), s.Attributes(), s.Status().Description)
	for _, e := range s.Events() {
		fmt.Fprintf(&b, "  event %s %v\n", e.Name, e.Attributes)
	}
	for _, l := range s.Links() {
		fmt.Fprintf(&b, "  link %v\n", l.Attributes)
	}
	fmt.Fprintf(&b, "  resource %v\n", s.Resource().Attributes())
	return b.String()
}

// TestSpansKeepTheKeyHome runs the fault suite's broken servers, each of which echoes the API key
// back (status line, error body, HTML page, Location...), with tracing on and the trace context
// sent to NetBackup, and searches every recorded span for the keys, as the fault suite searches
// the logs.
func TestSpansKeepTheKeyHome(t *testing.T) {
	cfg := faultModules(t)
	env := newSecEnv(t, cfg)
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	env.handler.TracerProvider = tp
	env.handler.Sessions = NewSessions(time.Hour, nil, WithTracing(tp, true))
	t.Cleanup(env.handler.Sessions.Close)

	var mu sync.Mutex
	seen := 0
	faults := startFaults(t, func(key string) {
		mu.Lock()
		defer mu.Unlock()
		if key == faultInlineKey || key == faultFileKey {
			seen++
		}
	})
	var wg sync.WaitGroup
	for _, f := range faults {
		if f.skip != "" || f.deadline > 0 { // the long-deadline fault tests the body cap, not text
			continue
		}
		for _, module := range []string{"inline", "keyfile"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				header := http.Header{scrapeTimeoutHeader: {strconv.FormatFloat(faultDeadline.Seconds(), 'f', -1, 64)}}
				if _, err := env.try("debug=true&"+probeQuery(module, f.target), header, faultDeadline+probeLimit); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	env.handler.Sessions.Close()
	for _, f := range faults {
		if f.closer != nil {
			f.closer()
		}
	}
	if seen == 0 {
		t.Fatal("no fault server received a key: the search below would prove nothing")
	}
	spans := rec.Ended()
	var all strings.Builder
	for _, s := range spans {
		all.WriteString(spanText(s))
	}
	text := all.String()
	if !strings.Contains(text, "<redacted>") {
		t.Error("no span holds a redacted server echo: the search did not reach the errors")
	}
	for _, secret := range []string{faultInlineKey, faultFileKey, "PRIVATE KEY"} {
		if i := strings.Index(text, secret); i >= 0 {
			t.Errorf("a span holds a secret: ...%s...", text[max(0, i-200):min(len(text), i+len(secret)+50)])
		}
	}
	t.Logf("searched %d spans", len(spans))
}
