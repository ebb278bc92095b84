package tracing

import (
	"fmt"
	"net"
	"net/url"
	"path"
	"strings"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
)

// envPrefix starts the OpenTelemetry exporter variables; envPrefix+"TRACES_"+key is the
// traces-specific one, which wins over the generic envPrefix+key (the OpenTelemetry spec's rule).
const envPrefix = "OTEL_EXPORTER_OTLP_"

// defaultURLPath is where an OTLP/HTTP receiver takes traces (the OTLP specification's default).
const defaultURLPath = "/v1/traces"

// lookupEnv returns the traces-specific variable for key when set, else the generic one, with
// the name of the one used (errors name it). An empty variable is unset, as the spec says.
func lookupEnv(getenv func(string) string, key string) (name, value string) {
	for _, name := range []string{envPrefix + "TRACES_" + key, envPrefix + key} {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return name, v
		}
	}
	return "", ""
}

// envEndpoint is the endpoint the environment gives, "" when none.
func envEndpoint(getenv func(string) string) (name, value string) {
	return lookupEnv(getenv, "ENDPOINT")
}

// endpoint is where the spans go: the exporter options that say it (none when the SDK reads it
// from the environment) and its URL for the log and errors, which holds no credentials.
type endpoint struct {
	opts []otlptracehttp.Option
	url  *url.URL
}

// resolveEndpoint takes --tracing.endpoint when given, else checks the environment's endpoint,
// which the SDK then reads itself.
func resolveEndpoint(cfg Config, getenv func(string) string) (endpoint, error) {
	if cfg.Endpoint != "" {
		u, err := parseFlagEndpoint(cfg.Endpoint, cfg.Insecure)
		if err != nil {
			return endpoint{}, err
		}
		// A whole URL, so the variables' endpoint, path and scheme (and _INSECURE) give way to the flag.
		return endpoint{opts: []otlptracehttp.Option{otlptracehttp.WithEndpointURL(u.String())}, url: u}, nil
	}
	name, raw := envEndpoint(getenv)
	u, err := parseURL(name, raw)
	if err != nil {
		return endpoint{}, err
	}
	if cfg.Insecure && u.Scheme == "https" {
		return endpoint{}, fmt.Errorf("tracing: --tracing.insecure with an https:// %s: write http:// for plain HTTP", name)
	}
	// What the SDK makes of it, for the log: the generic variable is the base URL of all
	// signals, the traces one is used as is.
	if name == envPrefix+"ENDPOINT" {
		u.Path = path.Join("/", u.Path, defaultURLPath)
	} else if u.Path == "" {
		u.Path = "/"
	}
	return endpoint{url: u}, nil
}

// parseFlagEndpoint reads --tracing.endpoint: a URL says its scheme and path (no path =
// /v1/traces); host:port is HTTPS unless insecure, which an https URL contradicts.
func parseFlagEndpoint(raw string, insecure bool) (*url.URL, error) {
	if !strings.Contains(raw, "://") {
		if _, _, err := net.SplitHostPort(raw); err != nil {
			return nil, fmt.Errorf("tracing: --tracing.endpoint %q is neither host:port nor a URL: %w", raw, err)
		}
		scheme := "https"
		if insecure {
			scheme = "http"
		}
		return &url.URL{Scheme: scheme, Host: raw, Path: defaultURLPath}, nil
	}
	u, err := parseURL("--tracing.endpoint", raw)
	if err != nil {
		return nil, err
	}
	if insecure && u.Scheme == "https" {
		return nil, fmt.Errorf("tracing: --tracing.insecure with an https:// endpoint: write http:// for plain HTTP")
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = defaultURLPath
	}
	return u, nil
}

// parseURL checks an endpoint URL given by the flag or variable name. The SDK would take a URL
// it cannot use for its default, localhost: a start that fails says what is wrong instead.
func parseURL(name, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("tracing: %s is not a valid URL", name) // the text may hold a password
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("tracing: %s %q: scheme must be http or https", name, u.Redacted())
	case u.Host == "":
		return nil, fmt.Errorf("tracing: %s %q: no host", name, u.Redacted())
	case u.User != nil:
		return nil, fmt.Errorf("tracing: %s %q: put credentials in --tracing.headers-file, not the URL", name, u.Redacted())
	}
	return u, nil
}
