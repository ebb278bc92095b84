package tracing

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/http/httpguts"

	"github.com/netbackup-exporter/netbackup_exporter/config"
)

// envPrefix starts the OpenTelemetry exporter variables; envPrefix+"TRACES_"+key is the
// traces-specific one, which wins over the generic envPrefix+key (the OpenTelemetry spec's rule).
const envPrefix = "OTEL_EXPORTER_OTLP_"

// maxPEMFile bounds a certificate or key file, as config bounds the modules' TLS files: a CA
// bundle fits, a runaway file does not.
const maxPEMFile = 4 << 20

// envSettings is what the OTEL_EXPORTER_OTLP_* variables say, but the endpoint (resolveEndpoint
// reads it only when the flag is not given).
type envSettings struct {
	headers  map[string]string
	timeout  time.Duration
	tls      *tls.Config // nil when no certificate variable is set
	tlsVar   string      // the variable that made tls, for an error
	gzip     bool
	insecure bool
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

// readEnv reads the variables other than the endpoint. A variable that is set but wrong is an
// error: the operator meant something by it, and would otherwise get another setting silently.
func readEnv(getenv func(string) string) (envSettings, error) {
	env := envSettings{timeout: defaultTimeout}
	var err error
	if name, v := lookupEnv(getenv, "HEADERS"); name != "" {
		if env.headers, err = parseEnvHeaders(name, v); err != nil {
			return envSettings{}, err
		}
	}
	if name, v := lookupEnv(getenv, "TIMEOUT"); name != "" {
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil || ms <= 0 || ms > int64(time.Hour/time.Millisecond) {
			return envSettings{}, fmt.Errorf("tracing: %s %q: want milliseconds, 1 to 3600000", name, v)
		}
		env.timeout = time.Duration(ms) * time.Millisecond
	}
	if name, v := lookupEnv(getenv, "COMPRESSION"); name != "" {
		if v != "gzip" && v != "none" {
			return envSettings{}, fmt.Errorf("tracing: %s %q: want gzip or none", name, v)
		}
		env.gzip = v == "gzip"
	}
	if name, v := lookupEnv(getenv, "INSECURE"); name != "" {
		if env.insecure, err = parseEnvBool(name, v); err != nil {
			return envSettings{}, err
		}
	}
	if env.tls, env.tlsVar, err = envTLS(getenv); err != nil {
		return envSettings{}, err
	}
	return env, nil
}

// parseEnvBool takes true or false in any case; the spec's "anything else is false" would turn a
// typo into silence.
func parseEnvBool(name, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("tracing: %s %q: want true or false", name, v)
}

// parseEnvHeaders reads the W3C-baggage-like "name=value,name=value" list, values URL-encoded.
// The values are credentials: errors name the entry's position, never its text.
func parseEnvHeaders(name, v string) (map[string]string, error) {
	headers := map[string]string{}
	for i, entry := range strings.Split(v, ",") {
		if strings.TrimSpace(entry) == "" {
			continue // "a=1," is a list of one
		}
		k, val, ok := strings.Cut(entry, "=")
		k = strings.TrimSpace(k)
		if !ok || !httpguts.ValidHeaderFieldName(k) {
			return nil, fmt.Errorf("tracing: %s entry %d: want name=value with a valid header name", name, i+1)
		}
		val, err := url.PathUnescape(strings.TrimSpace(val))
		if err != nil || !httpguts.ValidHeaderFieldValue(val) {
			return nil, fmt.Errorf("tracing: %s entry %d: invalid header value", name, i+1)
		}
		headers[http.CanonicalHeaderKey(k)] = val
	}
	return headers, nil
}

// envTLS builds the TLS configuration of the CA and client certificate variables; nil when none
// is set, so the transport keeps Go's defaults.
func envTLS(getenv func(string) string) (*tls.Config, string, error) {
	caVar, caFile := lookupEnv(getenv, "CERTIFICATE")
	certVar, certFile, keyVar, keyFile := clientCertEnv(getenv)
	if caVar == "" && certVar == "" && keyVar == "" {
		return nil, "", nil
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
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
	switch {
	case certVar == "" && keyVar == "":
		return conf, caVar, nil
	case certVar == "" || keyVar == "":
		return nil, "", fmt.Errorf("tracing: %s%s needs %s too", certVar, keyVar, pairName(certVar, keyVar))
	}
	cert, err := loadKeyPair(certVar, certFile, keyVar, keyFile)
	if err != nil {
		return nil, "", err
	}
	conf.Certificates = []tls.Certificate{cert}
	return conf, certVar, nil
}

// clientCertEnv picks the client certificate and key as a pair: the traces-specific pair when
// either of it is set, so a traces certificate is never matched with the generic key.
func clientCertEnv(getenv func(string) string) (certVar, certFile, keyVar, keyFile string) {
	for _, prefix := range []string{envPrefix + "TRACES_", envPrefix} {
		cert, key := strings.TrimSpace(getenv(prefix+"CLIENT_CERTIFICATE")), strings.TrimSpace(getenv(prefix+"CLIENT_KEY"))
		if cert == "" && key == "" {
			continue
		}
		if cert != "" {
			certVar, certFile = prefix+"CLIENT_CERTIFICATE", cert
		}
		if key != "" {
			keyVar, keyFile = prefix+"CLIENT_KEY", key
		}
		return certVar, certFile, keyVar, keyFile
	}
	return "", "", "", ""
}

// pairName is the missing half of a client certificate pair, for the error.
func pairName(certVar, keyVar string) string {
	if certVar == "" {
		return strings.TrimSuffix(keyVar, "KEY") + "CERTIFICATE"
	}
	return strings.TrimSuffix(certVar, "CERTIFICATE") + "KEY"
}

// loadKeyPair reads the client certificate and key through the exporter's bounded reader. The
// key's content never reaches an error: tls.X509KeyPair's errors do not quote it.
func loadKeyPair(certVar, certFile, keyVar, keyFile string) (tls.Certificate, error) {
	certPEM, err := config.ReadFile(certFile, maxPEMFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tracing: %s: %w", certVar, err)
	}
	keyPEM, err := config.ReadFile(keyFile, maxPEMFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tracing: %s: %w", keyVar, err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tracing: %s %s with %s %s: %w", certVar, certFile, keyVar, keyFile, err)
	}
	return cert, nil
}
