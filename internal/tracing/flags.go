package tracing

import (
	"errors"
	"os"

	"github.com/alecthomas/kingpin/v2"
)

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
