package tracing

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/net/http/httpguts"

	"github.com/netbackup-exporter/netbackup_exporter/config"
)

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
