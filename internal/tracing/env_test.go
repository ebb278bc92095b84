package tracing

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alecthomas/kingpin/v2"
)

// envKeys are the variables the package reads, generic and traces-specific.
var envKeys = []string{"ENDPOINT", "HEADERS", "TIMEOUT", "COMPRESSION", "INSECURE", "CERTIFICATE", "CLIENT_CERTIFICATE", "CLIENT_KEY"}

// clearEnv blanks every variable the package reads (empty is unset), so that a developer's own
// OTEL_EXPORTER_OTLP_* settings do not change a test.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, k := range envKeys {
		t.Setenv(envPrefix+k, "")
		t.Setenv(envPrefix+"TRACES_"+k, "")
	}
}

func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// TestEnvPrecedence: the traces-specific variable wins over the generic one, a flag wins over
// both, and the endpoints get their paths as the spec says.
func TestEnvPrecedence(t *testing.T) {
	headers := filepath.Join(t.TempDir(), "headers")
	writeFile(t, headers, "X-From: file\n")
	const p = envPrefix
	for _, tc := range []struct {
		name        string
		cfg         Config
		env         map[string]string
		wantURL     string
		wantHeaders map[string]string
		wantTimeout time.Duration
		wantGzip    bool
	}{
		{name: "defaults", cfg: Config{Endpoint: "c:4318"}, wantURL: "https://c:4318/v1/traces", wantTimeout: defaultTimeout},
		{name: "generic endpoint gets the traces path", env: map[string]string{p + "ENDPOINT": "http://c:4318"},
			wantURL: "http://c:4318/v1/traces", wantTimeout: defaultTimeout},
		{name: "generic endpoint's path is a base", env: map[string]string{p + "ENDPOINT": "https://c/otlp/"},
			wantURL: "https://c/otlp/v1/traces", wantTimeout: defaultTimeout},
		{name: "traces endpoint as is, and wins", env: map[string]string{p + "ENDPOINT": "http://generic:4318", p + "TRACES_ENDPOINT": "http://c:4318/custom"},
			wantURL: "http://c:4318/custom", wantTimeout: defaultTimeout},
		{name: "traces endpoint without a path is the root", env: map[string]string{p + "TRACES_ENDPOINT": "http://c:4318"},
			wantURL: "http://c:4318/", wantTimeout: defaultTimeout},
		{name: "flag endpoint wins", cfg: Config{Endpoint: "http://flag:4318"}, env: map[string]string{p + "TRACES_ENDPOINT": "https://env:4318/x"},
			wantURL: "http://flag:4318/v1/traces", wantTimeout: defaultTimeout},
		{name: "insecure variable for host:port", cfg: Config{Endpoint: "c:4318"}, env: map[string]string{p + "INSECURE": "TRUE"},
			wantURL: "http://c:4318/v1/traces", wantTimeout: defaultTimeout},
		{name: "traces insecure wins", cfg: Config{Endpoint: "c:4318"}, env: map[string]string{p + "INSECURE": "true", p + "TRACES_INSECURE": "false"},
			wantURL: "https://c:4318/v1/traces", wantTimeout: defaultTimeout},
		{name: "insecure variable leaves a URL's scheme", cfg: Config{Endpoint: "https://c:4318"}, env: map[string]string{p + "INSECURE": "true"},
			wantURL: "https://c:4318/v1/traces", wantTimeout: defaultTimeout},
		{name: "headers decoded", cfg: Config{Endpoint: "c:4318"}, env: map[string]string{p + "HEADERS": "authorization=Bearer%20tok, x-scope-orgid=t1,"},
			wantURL: "https://c:4318/v1/traces", wantHeaders: map[string]string{"Authorization": "Bearer tok", "X-Scope-Orgid": "t1"}, wantTimeout: defaultTimeout},
		{name: "traces headers replace", cfg: Config{Endpoint: "c:4318"}, env: map[string]string{p + "HEADERS": "a=1", p + "TRACES_HEADERS": "b=2"},
			wantURL: "https://c:4318/v1/traces", wantHeaders: map[string]string{"B": "2"}, wantTimeout: defaultTimeout},
		{name: "headers file replaces", cfg: Config{Endpoint: "c:4318", HeadersFile: headers}, env: map[string]string{p + "TRACES_HEADERS": "b=2"},
			wantURL: "https://c:4318/v1/traces", wantHeaders: map[string]string{"X-From": "file"}, wantTimeout: defaultTimeout},
		{name: "timeout", cfg: Config{Endpoint: "c:4318"}, env: map[string]string{p + "TIMEOUT": "2500"},
			wantURL: "https://c:4318/v1/traces", wantTimeout: 2500 * time.Millisecond},
		{name: "traces timeout wins", cfg: Config{Endpoint: "c:4318"}, env: map[string]string{p + "TIMEOUT": "2500", p + "TRACES_TIMEOUT": "700"},
			wantURL: "https://c:4318/v1/traces", wantTimeout: 700 * time.Millisecond},
		{name: "gzip", cfg: Config{Endpoint: "c:4318"}, env: map[string]string{p + "COMPRESSION": "gzip"},
			wantURL: "https://c:4318/v1/traces", wantTimeout: defaultTimeout, wantGzip: true},
		{name: "traces compression wins", cfg: Config{Endpoint: "c:4318"}, env: map[string]string{p + "COMPRESSION": "gzip", p + "TRACES_COMPRESSION": "none"},
			wantURL: "https://c:4318/v1/traces", wantTimeout: defaultTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.SamplingRatio = 1
			s, err := resolve(tc.cfg, mapEnv(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if s.url.String() != tc.wantURL || !maps.Equal(s.headers, tc.wantHeaders) || s.timeout != tc.wantTimeout || s.gzip != tc.wantGzip {
				t.Errorf("got %s %v %v gzip=%v, want %s %v %v gzip=%v", s.url, s.headers, s.timeout, s.gzip, tc.wantURL, tc.wantHeaders, tc.wantTimeout, tc.wantGzip)
			}
		})
	}
}

// TestEnvErrors: a variable set wrong fails the start, names the variable and never repeats a
// header value.
func TestEnvErrors(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "junk.pem")
	writeFile(t, notPEM, "not a certificate")
	caFile, _, _ := testPKI(t, dir)
	const p = envPrefix
	for _, tc := range []struct {
		name string
		cfg  Config
		env  map[string]string
		want string
	}{
		{"endpoint scheme", Config{}, map[string]string{p + "ENDPOINT": "c:4318"}, p + "ENDPOINT \"c:4318\": scheme must be http or https"},
		{"endpoint user info", Config{}, map[string]string{p + "TRACES_ENDPOINT": "https://u:s3cr3t-token@c"}, p + "TRACES_ENDPOINT"},
		{"insecure flag with https variable", Config{Insecure: true}, map[string]string{p + "ENDPOINT": "https://c"}, "write http://"},
		{"timeout", Config{Endpoint: "c:4318"}, map[string]string{p + "TRACES_TIMEOUT": "10s"}, p + "TRACES_TIMEOUT \"10s\": want milliseconds"},
		{"timeout zero", Config{Endpoint: "c:4318"}, map[string]string{p + "TIMEOUT": "0"}, "want milliseconds"},
		{"compression", Config{Endpoint: "c:4318"}, map[string]string{p + "COMPRESSION": "zstd"}, "want gzip or none"},
		{"insecure", Config{Endpoint: "c:4318"}, map[string]string{p + "INSECURE": "yes"}, p + "INSECURE \"yes\": want true or false"},
		{"header without =", Config{Endpoint: "c:4318"}, map[string]string{p + "HEADERS": "a=1,s3cr3t-token"}, p + "HEADERS entry 2"},
		{"header escape", Config{Endpoint: "c:4318"}, map[string]string{p + "TRACES_HEADERS": "a=s3cr3t-token%zz"}, p + "TRACES_HEADERS entry 1: invalid header value"},
		{"ca missing", Config{Endpoint: "c:4318"}, map[string]string{p + "CERTIFICATE": filepath.Join(dir, "none")}, "no such file"},
		{"ca not PEM", Config{Endpoint: "c:4318"}, map[string]string{p + "TRACES_CERTIFICATE": notPEM}, "no PEM certificate"},
		{"ca for plain HTTP", Config{Endpoint: "http://c:4318"}, map[string]string{p + "CERTIFICATE": caFile}, p + "CERTIFICATE is set, but the endpoint http://c:4318/v1/traces is plain HTTP"},
		{"client cert without key", Config{Endpoint: "c:4318"}, map[string]string{p + "TRACES_CLIENT_CERTIFICATE": caFile}, "needs " + p + "TRACES_CLIENT_KEY"},
		{"traces key with generic cert", Config{Endpoint: "c:4318"}, map[string]string{p + "CLIENT_CERTIFICATE": caFile, p + "TRACES_CLIENT_KEY": caFile}, "needs " + p + "TRACES_CLIENT_CERTIFICATE"},
		{"client key not a key", Config{Endpoint: "c:4318"}, map[string]string{p + "CLIENT_CERTIFICATE": caFile, p + "CLIENT_KEY": notPEM}, p + "CLIENT_CERTIFICATE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.SamplingRatio = 1
			_, err := resolve(tc.cfg, mapEnv(tc.env))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cr3t-token") {
				t.Errorf("the error repeats a secret: %v", err)
			}
		})
	}
}

// TestEnvEndpointTurnsTracingOn: with no flag, the environment's endpoint is where the spans go,
// and tracing flags are no longer an error.
func TestEnvEndpointTurnsTracingOn(t *testing.T) {
	clearEnv(t)
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	t.Setenv(envPrefix+"ENDPOINT", srv.URL)
	app := kingpin.New("test", "")
	f := AddFlags(app)
	if _, err := app.Parse([]string{"--tracing.sampling-ratio=1"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := f.Config()
	if err != nil {
		t.Fatalf("a tracing flag with the endpoint in the environment: %v", err)
	}
	tr, err := New(context.Background(), cfg, "x", "1")
	if err != nil {
		t.Fatal(err)
	}
	if !tr.Enabled() || tr.Endpoint() != srv.URL+defaultURLPath {
		t.Fatalf("enabled %v, endpoint %q", tr.Enabled(), tr.Endpoint())
	}
	_, span := tr.Provider.Tracer("test").Start(context.Background(), "one")
	span.End()
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := rc.requests(); len(got) != 1 || got[0].path != defaultURLPath {
		t.Errorf("requests %+v, want one to %s", got, defaultURLPath)
	}
}

// TestEnvCertificates: the CA variable makes the collector's certificate trusted, and the client
// certificate pair is presented to it.
func TestEnvCertificates(t *testing.T) {
	clearEnv(t)
	var peers atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		peers.Store(int32(len(r.TLS.PeerCertificates)))
	}))
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAnyClientCert}
	srv.StartTLS()
	defer srv.Close()
	ca, cert, key := testPKI(t, t.TempDir(), srv)
	t.Setenv(envPrefix+"TRACES_CERTIFICATE", ca)
	t.Setenv(envPrefix+"CLIENT_CERTIFICATE", cert)
	t.Setenv(envPrefix+"CLIENT_KEY", key)
	tr, err := New(context.Background(), Config{Endpoint: srv.URL, SamplingRatio: 1}, "x", "1")
	if err != nil {
		t.Fatal(err)
	}
	_, span := tr.Provider.Tracer("test").Start(context.Background(), "one")
	span.End()
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatalf("export over TLS with the environment's CA and client certificate: %v", err)
	}
	if n := peers.Load(); n != 1 {
		t.Errorf("the collector saw %d client certificates, want 1", n)
	}
}

// testPKI writes the PEM files of a TLS server (httptest's own unless srv is given): its
// certificate serves as the CA file and, with its key, as a client certificate.
func testPKI(t *testing.T, dir string, srv ...*httptest.Server) (ca, cert, key string) {
	t.Helper()
	s := httptest.NewUnstartedServer(http.NotFoundHandler())
	if len(srv) > 0 {
		s = srv[0]
	} else {
		s.StartTLS()
		defer s.Close()
	}
	leaf := s.TLS.Certificates[0]
	der, err := x509.MarshalPKCS8PrivateKey(leaf.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, key = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "key.pem")
	writeFile(t, ca, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Certificate[0]})))
	writeFile(t, key, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})))
	return ca, ca, key
}
