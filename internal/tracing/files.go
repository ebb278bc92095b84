package tracing

import (
	"bufio"
	"bytes"
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
	certVar, certFile, keyVar, keyFile := clientCertEnv(getenv)
	if caVar == "" && certVar == "" && keyVar == "" {
		return nil, "", nil
	}
	conf = &tls.Config{MinVersion: tls.VersionTLS12}
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

// loadKeyPair reads the client certificate and key. The key's content never reaches an error:
// tls.X509KeyPair's errors do not quote it.
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
