// Package tracing builds the exporter's OpenTelemetry tracer provider from its --tracing.* flags:
// the no-op provider when no endpoint is set (no exporter, no goroutine), else an SDK provider
// that batches spans to the SDK's OTLP/HTTP exporter (otlptracehttp). main builds it once and
// hands it down; nothing in the exporter reads or sets OpenTelemetry's global provider.
package tracing

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"

	"github.com/alecthomas/kingpin/v2"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/netbackup-exporter/netbackup_exporter/internal/tracing/nop"
)

// Config is what the --tracing.* flags say.
type Config struct {
	Endpoint             string  // OTLP/HTTP endpoint, host:port or URL; "" = the environment's, if any
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

	endpoint string                   // where the spans go, for the log
	sdk      *sdktrace.TracerProvider // nil when off: nothing was built
	httpc    *http.Client             // the exporter's, whose idle connections Shutdown closes
	once     sync.Once
	err      error
}

// Off is tracing switched off: the no-op provider, nothing to flush.
func Off() *Tracing { return &Tracing{Provider: nop.Provider{}} }

// New validates cfg and the OTEL_EXPORTER_OTLP_* variables the exporter reads itself, and builds
// the provider on the SDK's OTLP/HTTP exporter, which reads the others. With no endpoint in either
// it returns Off: nothing is read or built and no goroutine starts, so tracing costs an untraced
// exporter nothing but no-op calls.
func New(ctx context.Context, cfg Config, serviceName, serviceVersion string) (*Tracing, error) {
	if !cfg.enabled(os.Getenv) {
		return Off(), nil
	}
	s, err := resolve(cfg, os.Getenv)
	if err != nil {
		return nil, err
	}
	exp, httpc, err := newExporter(ctx, s)
	if err != nil {
		return nil, err
	}
	res := resource.NewSchemaless(
		attribute.String("service.name", serviceName),
		attribute.String("service.version", serviceVersion),
	)
	sdk := sdktrace.NewTracerProvider(
		// The queue bounds what tracing holds; the export timeout bounds a batch, retries included.
		sdktrace.WithBatcher(exp,
			sdktrace.WithMaxQueueSize(maxQueueSpans),
			sdktrace.WithMaxExportBatchSize(maxBatchSpans),
			sdktrace.WithExportTimeout(s.timeout)),
		sdktrace.WithResource(res),
		// Parent-based: a probe inside a traced Prometheus scrape is kept when the scrape is.
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(cfg.SamplingRatio))),
	)
	return &Tracing{Provider: sdk, PropagateToNetBackup: cfg.PropagateToNetBackup, sdk: sdk, httpc: httpc,
		endpoint: s.endpoint.url.Redacted()}, nil
}

// resolve checks cfg and reads what the exporter reads itself: the endpoint (to check it), the
// files (through config.ReadFile) and the timeout. It is called only when tracing is on.
func resolve(cfg Config, getenv func(string) string) (exporterSettings, error) {
	if cfg.SamplingRatio < 0 || cfg.SamplingRatio > 1 {
		return exporterSettings{}, fmt.Errorf("tracing: --tracing.sampling-ratio %v is not between 0 and 1", cfg.SamplingRatio)
	}
	ep, err := resolveEndpoint(cfg, getenv)
	if err != nil {
		return exporterSettings{}, err
	}
	s := exporterSettings{endpoint: ep}
	if s.timeout, err = envTimeout(getenv); err != nil {
		return exporterSettings{}, err
	}
	var tlsVar string
	if s.tls, tlsVar, err = envTLS(getenv); err != nil {
		return exporterSettings{}, err
	}
	if s.tls != nil && ep.url.Scheme == "http" {
		return exporterSettings{}, fmt.Errorf("tracing: %s is set, but the endpoint %s is plain HTTP", tlsVar, ep.url.Redacted())
	}
	if cfg.HeadersFile != "" {
		if s.headers, err = readHeaders(cfg.HeadersFile); err != nil {
			return exporterSettings{}, err
		}
	}
	return s, nil
}

// enabled says whether cfg or the environment names an endpoint.
func (cfg Config) enabled(getenv func(string) string) bool {
	name, _ := envEndpoint(getenv)
	return cfg.Endpoint != "" || name != ""
}

// Enabled says whether spans are exported.
func (t *Tracing) Enabled() bool { return t.sdk != nil }

// Endpoint is the URL the spans go to, "" when off. It holds no credentials.
func (t *Tracing) Endpoint() string { return t.endpoint }

// Shutdown exports the spans still pending and stops the exporter, within ctx. It is safe to call
// more than once (the later calls return the first one's result) and does nothing when off.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t.sdk == nil {
		return nil
	}
	t.once.Do(func() {
		t.err = t.sdk.Shutdown(ctx)
		t.httpc.CloseIdleConnections()
	})
	return t.err
}

// Flags are the --tracing.* flags, registered on an application; Config reads them once parsed.
type Flags struct {
	cfg Config
	// setBy* note flags given without --tracing.endpoint, which would silently do nothing.
	setRatio, setInsecure, setHeaders, setPropagate bool
}

// AddFlags registers the --tracing.* flags in the Prometheus projects' spelling.
func AddFlags(app *kingpin.Application) *Flags {
	f := &Flags{}
	app.Flag("tracing.endpoint", "OTLP/HTTP endpoint to send traces to, host:port (HTTPS unless --tracing.insecure) or URL (path default /v1/traces). Empty: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT, else tracing off.").
		Default("").StringVar(&f.cfg.Endpoint)
	app.Flag("tracing.insecure", "Send traces over plain HTTP to a host:port --tracing.endpoint.").
		IsSetByUser(&f.setInsecure).Default("false").BoolVar(&f.cfg.Insecure)
	app.Flag("tracing.sampling-ratio", "Share of probes traced, 0..1 (a probe inside a traced request follows its caller's decision).").
		IsSetByUser(&f.setRatio).Default("1").Float64Var(&f.cfg.SamplingRatio)
	app.Flag("tracing.headers-file", "File of extra headers for the tracing endpoint, one \"Name: value\" a line (e.g. an auth token; never logged).").
		IsSetByUser(&f.setHeaders).Default("").StringVar(&f.cfg.HeadersFile)
	app.Flag("tracing.propagate-to-netbackup", "Send the W3C trace context (traceparent) with every NetBackup request.").
		IsSetByUser(&f.setPropagate).Default("false").BoolVar(&f.cfg.PropagateToNetBackup)
	return f
}

// Config returns the parsed flags. A tracing flag without an endpoint (the flag or the
// environment's) is an error: the operator meant to trace, and would otherwise get silence.
func (f *Flags) Config() (Config, error) {
	if !f.cfg.enabled(os.Getenv) && (f.setRatio || f.setInsecure || f.setHeaders || f.setPropagate) {
		return Config{}, errors.New("tracing: --tracing.* flags given without --tracing.endpoint (or OTEL_EXPORTER_OTLP_ENDPOINT)")
	}
	return f.cfg, nil
}
