package tracing

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
)

// defaultURLPath is where an OTLP/HTTP receiver takes traces (the OTLP specification's default).
const defaultURLPath = "/v1/traces"

// exporterOptions turns cfg into the OTLP/HTTP exporter's options. Explicit options win over
// the OTEL_EXPORTER_OTLP_* environment variables, which the exporter also reads.
func exporterOptions(cfg Config) ([]otlptracehttp.Option, error) {
	if cfg.SamplingRatio < 0 || cfg.SamplingRatio > 1 {
		return nil, fmt.Errorf("tracing: --tracing.sampling-ratio %v is not between 0 and 1", cfg.SamplingRatio)
	}
	endpoint, err := endpointOption(cfg.Endpoint, cfg.Insecure)
	if err != nil {
		return nil, err
	}
	opts := endpoint
	if cfg.HeadersFile != "" {
		headers, err := readHeaders(cfg.HeadersFile)
		if err != nil {
			return nil, err
		}
		opts = append(opts, otlptracehttp.WithHeaders(headers))
	}
	return opts, nil
}

// endpointOption reads --tracing.endpoint: a URL says its scheme and path (no path = /v1/traces);
// host:port is HTTPS unless --tracing.insecure.
func endpointOption(raw string, insecure bool) ([]otlptracehttp.Option, error) {
	if !strings.Contains(raw, "://") {
		if _, _, err := net.SplitHostPort(raw); err != nil {
			return nil, fmt.Errorf("tracing: --tracing.endpoint %q is neither host:port nor a URL: %w", raw, err)
		}
		opts := []otlptracehttp.Option{otlptracehttp.WithEndpoint(raw)}
		if insecure {
			opts = append(opts, otlptracehttp.WithInsecure())
		}
		return opts, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("tracing: --tracing.endpoint is not a valid URL") // the text may hold a password
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("tracing: --tracing.endpoint %q: scheme must be http or https", u.Redacted())
	case u.Host == "":
		return nil, fmt.Errorf("tracing: --tracing.endpoint %q: no host", u.Redacted())
	case u.User != nil:
		return nil, fmt.Errorf("tracing: --tracing.endpoint %q: put credentials in --tracing.headers-file, not the URL", u.Redacted())
	case insecure && u.Scheme == "https":
		return nil, fmt.Errorf("tracing: --tracing.insecure with an https:// endpoint: write http:// for plain HTTP")
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = defaultURLPath
	}
	return []otlptracehttp.Option{otlptracehttp.WithEndpointURL(u.String())}, nil
}
