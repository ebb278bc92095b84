package tracing

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

const (
	// defaultURLPath is where an OTLP/HTTP receiver takes traces (the OTLP specification's default).
	defaultURLPath = "/v1/traces"
	// defaultTimeout bounds one batch export, retries included (the OTLP specification's default).
	defaultTimeout = 10 * time.Second
)

// settings is what the OTLP client needs, resolved from the flags over the environment.
type settings struct {
	url     *url.URL
	headers map[string]string
	timeout time.Duration
	tls     *tls.Config // nil: the system's roots and no client certificate
	gzip    bool
}

// resolve turns cfg and the OTEL_EXPORTER_OTLP_* variables (read through getenv) into settings;
// a flag wins over a variable. It is called only when tracing is on.
func resolve(cfg Config, getenv func(string) string) (settings, error) {
	if cfg.SamplingRatio < 0 || cfg.SamplingRatio > 1 {
		return settings{}, fmt.Errorf("tracing: --tracing.sampling-ratio %v is not between 0 and 1", cfg.SamplingRatio)
	}
	env, err := readEnv(getenv)
	if err != nil {
		return settings{}, err
	}
	u, err := resolveEndpoint(cfg, env, getenv)
	if err != nil {
		return settings{}, err
	}
	s := settings{url: u, headers: env.headers, timeout: env.timeout, tls: env.tls, gzip: env.gzip}
	if s.tls != nil && u.Scheme == "http" {
		return settings{}, fmt.Errorf("tracing: %s is set, but the endpoint %s is plain HTTP", env.tlsVar, u.Redacted())
	}
	if cfg.HeadersFile != "" {
		// The file replaces the variables' headers as a whole, as a flag replaces a variable.
		if s.headers, err = readHeaders(cfg.HeadersFile); err != nil {
			return settings{}, err
		}
	}
	return s, nil
}

// resolveEndpoint takes --tracing.endpoint when given, else the environment's endpoint.
func resolveEndpoint(cfg Config, env envSettings, getenv func(string) string) (*url.URL, error) {
	if cfg.Endpoint != "" {
		return parseEndpoint(cfg.Endpoint, cfg.Insecure || env.insecure, cfg.Insecure)
	}
	name, raw := envEndpoint(getenv)
	if name == "" {
		return nil, errors.New("tracing: no endpoint") // New checked before; kept for a direct caller
	}
	u, err := parseURL(name, raw)
	if err != nil {
		return nil, err
	}
	if cfg.Insecure && u.Scheme == "https" {
		return nil, fmt.Errorf("tracing: --tracing.insecure with an https:// %s: write http:// for plain HTTP", name)
	}
	if name == envPrefix+"ENDPOINT" {
		// The generic variable is the base URL of all signals; the traces one is used as is.
		u.Path = strings.TrimSuffix(u.Path, "/") + defaultURLPath
	} else if u.Path == "" {
		u.Path = "/"
	}
	return u, nil
}

// parseEndpoint reads --tracing.endpoint: a URL says its scheme and path (no path = /v1/traces);
// host:port is HTTPS unless insecure. flagInsecure is --tracing.insecure alone, which an https
// URL contradicts.
func parseEndpoint(raw string, insecure, flagInsecure bool) (*url.URL, error) {
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
	if flagInsecure && u.Scheme == "https" {
		return nil, fmt.Errorf("tracing: --tracing.insecure with an https:// endpoint: write http:// for plain HTTP")
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = defaultURLPath
	}
	return u, nil
}

// parseURL checks an endpoint URL given by the flag or variable name.
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
