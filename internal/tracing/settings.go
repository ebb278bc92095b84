package tracing

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"golang.org/x/net/http/httpguts"

	"github.com/netbackup-exporter/netbackup_exporter/config"
)

// envPrefix starts the OpenTelemetry exporter variables; envPrefix+"TRACES_"+key is the
// traces-specific one, which wins over the generic envPrefix+key (the OpenTelemetry spec's rule).
const envPrefix = "OTEL_EXPORTER_OTLP_"

// defaultURLPath is where an OTLP/HTTP receiver takes traces (the OTLP specification's default).
const defaultURLPath = "/v1/traces"

// exporterSettings is what New resolved: where, with which headers and TLS, within what time.
type exporterSettings struct {
	endpoint endpoint
	headers  map[string]string // from the headers file; nil leaves the SDK's from the environment
	tls      *tls.Config       // nil: the system's roots and no client certificate
	timeout  time.Duration
}

// envTimeout reads OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT: the SDK applies it to its own HTTP
// client only, and the exporter brings its own. Milliseconds a batch may take, retries included.
func envTimeout(getenv func(string) string) (time.Duration, error) {
	name, v := lookupEnv(getenv, "TIMEOUT")
	if name == "" {
		return defaultTimeout, nil
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil || ms <= 0 || ms > int64(time.Hour/time.Millisecond) {
		return 0, fmt.Errorf("tracing: %s %q: want milliseconds, 1 to 3600000", name, v)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

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

// The files tracing reads go through config.ReadFile, as every file the exporter is pointed at:
// a FIFO, a device or a runaway file fails the start instead of hanging it or filling memory.
const (
	// maxHeadersFile bounds the headers file: a few tokens, never megabytes.
	maxHeadersFile = 64 << 10
	// maxPEMFile bounds a certificate or key file, as config bounds the modules' TLS files.
	maxPEMFile = 4 << 20
)

// readHeaders reads the extra headers for the OTLP endpoint: one "Name: value" a line, blank
// lines and lines starting with # ignored. The values are typically credentials, so errors name
// the file and the line, never what the line holds.
func readHeaders(path string) (map[string]string, error) {
	b, err := config.ReadFile(path, maxHeadersFile)
	if err != nil {
		return nil, fmt.Errorf("tracing: --tracing.headers-file: %w", err)
	}
	headers := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		switch {
		case !ok:
			return nil, fmt.Errorf("tracing: --tracing.headers-file %s line %d: want \"Name: value\"", path, n)
		case !httpguts.ValidHeaderFieldName(name):
			return nil, fmt.Errorf("tracing: --tracing.headers-file %s line %d: invalid header name", path, n)
		case !httpguts.ValidHeaderFieldValue(value):
			return nil, fmt.Errorf("tracing: --tracing.headers-file %s line %d: invalid header value", path, n)
		}
		headers[http.CanonicalHeaderKey(name)] = value
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("tracing: --tracing.headers-file %s: %w", path, err)
	}
	return headers, nil
}

// envTLS builds the TLS configuration of the CA and client certificate variables, reading their
// files itself; nil when none is set, so the transport keeps Go's defaults. tlsVar is the
// variable that made it, for an error.
func envTLS(getenv func(string) string) (conf *tls.Config, tlsVar string, err error) {
	caVar, caFile := lookupEnv(getenv, "CERTIFICATE")
	cert, certVar, err := clientCert(getenv)
	if err != nil || caVar == "" && certVar == "" {
		return nil, "", err
	}
	conf = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: cert}
	if caVar != "" {
		pem, err := config.ReadFile(caFile, maxPEMFile)
		if err != nil {
			return nil, "", fmt.Errorf("tracing: %s: %w", caVar, err)
		}
		conf.RootCAs = x509.NewCertPool()
		if !conf.RootCAs.AppendCertsFromPEM(pem) {
			return nil, "", fmt.Errorf("tracing: %s %s: no PEM certificate in it", caVar, caFile)
		}
	}
	return conf, cmp.Or(certVar, caVar), nil
}

// clientCert reads the client certificate and key, as a pair: the traces-specific pair when
// either half of it is set, so a traces certificate is never matched with the generic key. The
// key's content never reaches an error: tls.X509KeyPair's errors do not quote it.
func clientCert(getenv func(string) string) (cert []tls.Certificate, certVar string, err error) {
	for _, prefix := range []string{envPrefix + "TRACES_", envPrefix} {
		certVar, keyVar := prefix+"CLIENT_CERTIFICATE", prefix+"CLIENT_KEY"
		certFile, keyFile := strings.TrimSpace(getenv(certVar)), strings.TrimSpace(getenv(keyVar))
		switch {
		case certFile == "" && keyFile == "":
			continue
		case certFile == "":
			return nil, "", fmt.Errorf("tracing: %s needs %s too", keyVar, certVar)
		case keyFile == "":
			return nil, "", fmt.Errorf("tracing: %s needs %s too", certVar, keyVar)
		}
		certPEM, err := config.ReadFile(certFile, maxPEMFile)
		if err != nil {
			return nil, "", fmt.Errorf("tracing: %s: %w", certVar, err)
		}
		keyPEM, err := config.ReadFile(keyFile, maxPEMFile)
		if err != nil {
			return nil, "", fmt.Errorf("tracing: %s: %w", keyVar, err)
		}
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, "", fmt.Errorf("tracing: %s %s with %s %s: %w", certVar, certFile, keyVar, keyFile, err)
		}
		return []tls.Certificate{pair}, certVar, nil
	}
	return nil, "", nil
}
