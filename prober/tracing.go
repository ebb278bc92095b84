package prober

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/netbackup-exporter/netbackup_exporter/internal/tracing/nop"
)

// tracerName is the instrumentation scope of the prober's spans.
const tracerName = "github.com/netbackup-exporter/netbackup_exporter/prober"

// Attribute keys of the prober's spans (server.* are the OpenTelemetry semantic conventions').
const (
	attrModule       = attribute.Key("nbu.module")
	attrTarget       = attribute.Key("nbu.target")
	attrAPIVersion   = attribute.Key("nbu.api_version")
	attrTimeout      = attribute.Key("nbu.probe.timeout_seconds")
	attrDeadline     = attribute.Key("nbu.probe.deadline")
	attrSuccess      = attribute.Key("nbu.probe.success")
	attrCollector    = attribute.Key("nbu.collector")
	attrResult       = attribute.Key("nbu.collector.result")
	attrSkipped      = attribute.Key("nbu.collector.skipped")
	attrSource       = attribute.Key("nbu.collector.source")
	attrCached       = attribute.Key("nbu.collector.cached")
	attrRequests     = attribute.Key("nbu.collector.requests")
	attrShardFilter  = attribute.Key("nbu.shard.filter")
	attrShardRecords = attribute.Key("nbu.shard.records")
	attrShardPages   = attribute.Key("nbu.shard.pages")
	attrShardDone    = attribute.Key("nbu.shard.done")
)

// incoming reads a W3C traceparent from /probe requests, so that a tracing Prometheus or proxy
// sees the probe inside its own trace. An instance of our own, not OpenTelemetry's global.
var incoming = propagation.TraceContext{}

// tracer returns a tracer from the provider that made ctx's span: collectors and the jobs reader
// need no tracer of their own threaded through. Under a span that does not record (tracing off,
// or a probe not sampled: the sampler follows the parent) it is the no-op tracer, so that an
// untraced probe's collectors and shards cost nothing.
func tracer(ctx context.Context) trace.Tracer {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return nop.Tracer{}
	}
	return span.TracerProvider().Tracer(tracerName)
}

// serverKind is the probe span's option, built once (per call it would be an allocation).
var serverKind = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindServer)}

// startProbe starts the probe's span, as a child of the trace context the request carries.
func (h *Handler) startProbe(ctx context.Context, r *http.Request, module string, target Target, timeout time.Duration) (context.Context, trace.Span) {
	if r.Header["Traceparent"] != nil { // Extract would canonicalise the name: an allocation
		ctx = incoming.Extract(ctx, propagation.HeaderCarrier(r.Header))
	}
	// The prober's one tracing seam: a Handler built without a provider traces nothing. Every
	// other span of a probe is started from the provider of the span in its context.
	var tp trace.TracerProvider = nop.Provider{}
	if h.TracerProvider != nil {
		tp = h.TracerProvider
	}
	ctx, span := tp.Tracer(tracerName).Start(ctx, "probe", serverKind...)
	if !span.IsRecording() {
		return ctx, span
	}
	span.SetAttributes(attrModule.String(module), attrTarget.String(target.BaseURL),
		semconv.ServerAddressKey.String(target.Host), attrTimeout.Float64(timeout.Seconds()))
	if port, err := strconv.Atoi(target.Port); err == nil {
		span.SetAttributes(semconv.ServerPortKey.Int(port))
	}
	if dl, ok := ctx.Deadline(); ok {
		span.SetAttributes(attrDeadline.String(dl.UTC().Format(time.RFC3339Nano)))
	}
	return ctx, span
}

// logTraceID puts the probe's trace id into its log, and so into debug=true's output, when the
// probe is traced: that is the id to look the probe up by in the tracing backend.
func logTraceID(logger log.Logger, span trace.Span) {
	if sc := span.SpanContext(); span.IsRecording() && sc.IsValid() {
		level.Debug(logger).Log("msg", "probe traced", "trace_id", sc.TraceID().String(), "span_id", sc.SpanID().String())
	}
}

// endProbe records the probe's outcome on its span (ended by the caller once it has answered).
func endProbe(span trace.Span, success bool) {
	if !span.IsRecording() {
		return
	}
	span.SetAttributes(attrSuccess.Bool(success))
	if success {
		span.SetStatus(codes.Ok, "")
	} else {
		span.SetStatus(codes.Error, "probe failed")
	}
}

// noteAPIVersion puts the API version the probe talks on the probe's span.
func noteAPIVersion(ctx context.Context, version string) {
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.SetAttributes(attrAPIVersion.String(version))
	}
}

// recordProbeError records err on the probe's span, the one ctx carries.
func recordProbeError(ctx context.Context, err error) {
	recordError(trace.SpanFromContext(ctx), err)
}

// recordError puts err on span as the debug output shows it: the same text, as event and status.
func recordError(span trace.Span, err error) {
	span.RecordError(err)
	span.SetStatus(codes.Error, err.Error())
}

// startCollector starts the span of one collector's share of a probe.
func startCollector(ctx context.Context, name string) (context.Context, trace.Span) {
	ctx, span := tracer(ctx).Start(ctx, "collector")
	if span.IsRecording() {
		span.SetName("collector " + name)
		span.SetAttributes(attrCollector.String(name))
	}
	return ctx, span
}

// endCollector records how the collector fared on its span, and ends it.
func endCollector(span trace.Span, res *collectorResult) {
	defer span.End()
	if !span.IsRecording() {
		return
	}
	result := "success"
	switch {
	case res.skipped:
		result = "skipped"
	case res.err != nil:
		result = "failed"
		recordError(span, res.err)
	default:
		span.SetStatus(codes.Ok, "")
	}
	span.SetAttributes(attrResult.String(result), attrSkipped.Bool(res.skipped), attrRequests.Int64(res.requests))
	if !res.skipped {
		span.SetAttributes(attrSource.String(res.source.String()), attrCached.Bool(res.source == fromCache))
	}
	if res.skipped && res.err != nil {
		// Not an error of the probe's, but the reason belongs next to it.
		span.AddEvent("skipped", trace.WithAttributes(attribute.String("reason", res.err.Error())))
	}
}

// startShard starts the span of one backfill shard; filter is the range it pages.
func startShard(ctx context.Context, filter string) (context.Context, trace.Span) {
	ctx, span := tracer(ctx).Start(ctx, "jobs.shard")
	if span.IsRecording() {
		span.SetAttributes(attrShardFilter.String(filter))
	}
	return ctx, span
}

// endShard records how far the shard got. The caller holds the lock that guards res.
func endShard(span trace.Span, res *shardResult) {
	if span.IsRecording() {
		span.SetAttributes(attrShardRecords.Int(res.stats.Records), attrShardPages.Int(res.stats.Pages), attrShardDone.Bool(res.done))
		if res.err != nil {
			recordError(span, res.err)
		}
	}
	span.End()
}

// SessionOption configures a Sessions store.
type SessionOption func(*Sessions)

// WithTracing makes the sessions' NetBackup clients trace every request into tp and, when
// propagate is set, send the W3C trace context to NetBackup (for a tracing proxy in front of it).
// nbu.NewClient makes a nil provider or propagator a no-op.
func WithTracing(tp trace.TracerProvider, propagate bool) SessionOption {
	return func(s *Sessions) {
		s.tracerProvider = tp
		if propagate {
			s.propagator = propagation.TraceContext{}
		}
	}
}
