package nop

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

func TestStartAllocatesNothing(t *testing.T) {
	tr := Provider{}.Tracer("x")
	ctx := context.Background()
	if n := testing.AllocsPerRun(100, func() {
		c, span := tr.Start(ctx, "s")
		_, child := tr.Start(c, "child")
		child.End()
		span.End()
	}); n != 0 {
		t.Errorf("%v allocations per span pair, want 0", n)
	}
}

// TestRecordingParentIsNotEnded: under another provider's recording span, the no-op span is a
// span of its own: ending it leaves the parent open.
func TestRecordingParentIsNotEnded(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	ctx, parent := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)).Tracer("p").Start(context.Background(), "parent")
	_, span := Provider{}.Tracer("x").Start(ctx, "s")
	span.End()
	if span.IsRecording() || len(rec.Ended()) != 0 || !span.SpanContext().Equal(parent.SpanContext()) {
		t.Errorf("no-op span recording %v, %d spans ended, context %v", span.IsRecording(), len(rec.Ended()), span.SpanContext())
	}
	parent.End()
}
