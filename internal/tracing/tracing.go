// Package tracing builds the exporter's OpenTelemetry tracer provider from its --tracing.* flags:
// the no-op provider when no endpoint is set (no exporter, no goroutine), else an SDK provider
// that batches spans to an OTLP/HTTP endpoint. main builds it once and hands it down; nothing in
// the exporter reads or sets OpenTelemetry's global provider.
package tracing

import (
	"context"
	"fmt"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/netbackup-exporter/netbackup_exporter/internal/tracing/nop"
)

// Config is what the --tracing.* flags say.
type Config struct {
	Endpoint             string  // OTLP/HTTP endpoint, host:port or URL; "" = tracing off
	Insecure             bool    // plain HTTP to a host:port endpoint
	SamplingRatio        float64 // of root spans, 0..1; a traced caller's decision is followed
	HeadersFile          string  // extra request headers for the endpoint, "Name: value" lines
	PropagateToNetBackup bool    // send the W3C trace context to NetBackup
}

// Tracing is the built provider and how to flush it.
type Tracing struct {
	// Provider is what the exporter's spans go to: the no-op provider when tracing is off.
	Provider trace.TracerProvider
	// PropagateToNetBackup is Config's, for the NetBackup clients.
	PropagateToNetBackup bool

	exporter sdktrace.SpanExporter // nil when off: nothing was built
	sdk      *sdktrace.TracerProvider
	once     sync.Once
	err      error
}

// Off is tracing switched off: the no-op provider, nothing to flush.
func Off() *Tracing { return &Tracing{Provider: nop.Provider{}} }

// New validates cfg and builds the provider. With no endpoint it returns Off: no exporter is
// built and no goroutine starts, so tracing costs an untraced exporter nothing but no-op calls.
func New(ctx context.Context, cfg Config, serviceName, serviceVersion string) (*Tracing, error) {
	if cfg.Endpoint == "" {
		return Off(), nil
	}
	opts, err := exporterOptions(cfg)
	if err != nil {
		return nil, err
	}
	// New connects to nothing: the first batch is the first request, so a collector that is down
	// at start-up costs failed exports (logged by the SDK), not a failed start.
	exp, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("tracing: building the OTLP/HTTP exporter: %w", err)
	}
	res := resource.NewSchemaless(
		attribute.String("service.name", serviceName),
		attribute.String("service.version", serviceVersion),
	)
	sdk := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(res),
		// Parent-based: a probe inside a traced Prometheus scrape is kept when the scrape is.
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(cfg.SamplingRatio))),
	)
	return &Tracing{Provider: sdk, PropagateToNetBackup: cfg.PropagateToNetBackup, exporter: exp, sdk: sdk}, nil
}

// Enabled says whether spans are exported.
func (t *Tracing) Enabled() bool { return t.exporter != nil }

// Shutdown exports the spans still pending and stops the exporter, within ctx. It is safe to call
// more than once (the later calls return the first one's result) and does nothing when off.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t.sdk == nil {
		return nil
	}
	t.once.Do(func() { t.err = t.sdk.Shutdown(ctx) })
	return t.err
}
