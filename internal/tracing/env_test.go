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

	"github.com/alecthomas/kingpin/v2"
)

// unused is an address nothing listens on: spans sent there are lost, and a test that finds
// them at its receiver knows they went elsewhere.
const unused = "http://127.0.0.1:1"

// TestEnvHonoured: the variables the SDK reads (endpoints, headers, compression) and ours
// (--tracing.endpoint, the headers file) take effect as docs/configuration.md says, seen from a receiver: the
// traces-specific variable wins over the generic one, a flag wins over both.
func TestEnvHonoured(t *testing.T) {
	headers := filepath.Join(t.TempDir(), "headers")
	writeFile(t, headers, "X-From: file\n")
	const p = envPrefix
	for _, tc := range []struct {
		name        string
		cfg         func(srv string) Config
		env         func(srv string) map[string]string
		wantPath    string
		wantHeaders map[string]string // the request's headers but the SDK's own
		wantGzip    bool
	}{
		{name: "generic endpoint gets the traces path", env: func(srv string) map[string]string { return map[string]string{p + "ENDPOINT": srv} },
			wantPath: "/v1/traces"},
		{name: "generic endpoint's path is a base", env: func(srv string) map[string]string { return map[string]string{p + "ENDPOINT": srv + "/otlp/"} },
			wantPath: "/otlp/v1/traces"},
		{name: "traces endpoint as is, and wins", env: func(srv string) map[string]string {
			return map[string]string{p + "ENDPOINT": unused, p + "TRACES_ENDPOINT": srv + "/custom"}
		}, wantPath: "/custom"},
		{name: "traces endpoint without a path is the root", env: func(srv string) map[string]string { return map[string]string{p + "TRACES_ENDPOINT": srv} },
			wantPath: "/"},
		{name: "flag endpoint wins", cfg: func(srv string) Config { return Config{Endpoint: srv} },
			env: func(string) map[string]string { return map[string]string{p + "TRACES_ENDPOINT": unused + "/x"} }, wantPath: "/v1/traces"},
		{name: "host:port with --tracing.insecure", cfg: func(srv string) Config { return Config{Endpoint: strings.TrimPrefix(srv, "http://"), Insecure: true} },
			wantPath: "/v1/traces"},
		{name: "headers decoded", env: func(srv string) map[string]string {
			return map[string]string{p + "ENDPOINT": srv, p + "HEADERS": "authorization=Bearer%20tok, x-scope-orgid=t1,"}
		}, wantPath: "/v1/traces", wantHeaders: map[string]string{"Authorization": "Bearer tok", "X-Scope-Orgid": "t1"}},
		{name: "traces headers replace", env: func(srv string) map[string]string {
			return map[string]string{p + "ENDPOINT": srv, p + "HEADERS": "a=1", p + "TRACES_HEADERS": "b=2"}
		}, wantPath: "/v1/traces", wantHeaders: map[string]string{"B": "2"}},
		{name: "headers file replaces", cfg: func(srv string) Config { return Config{Endpoint: srv, HeadersFile: headers} },
			env:      func(string) map[string]string { return map[string]string{p + "TRACES_HEADERS": "b=2"} },
			wantPath: "/v1/traces", wantHeaders: map[string]string{"X-From": "file"}},
		{name: "gzip", env: func(srv string) map[string]string {
			return map[string]string{p + "ENDPOINT": srv, p + "COMPRESSION": "gzip"}
		},
			wantPath: "/v1/traces", wantGzip: true},
		{name: "traces compression wins", env: func(srv string) map[string]string {
			return map[string]string{p + "ENDPOINT": srv, p + "COMPRESSION": "gzip", p + "TRACES_COMPRESSION": "none"}
		}, wantPath: "/v1/traces"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			rc := &receiver{}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			cfg := Config{}
			if tc.cfg != nil {
				cfg = tc.cfg(srv.URL)
			}
			cfg.SamplingRatio = 1
			if tc.env != nil {
				for k, v := range tc.env(srv.URL) {
					t.Setenv(k, v)
				}
			}
			exportOneSpan(t, cfg)
			got := rc.requests()
			if len(got) != 1 || got[0].err != nil {
				t.Fatalf("%d requests (%+v), want 1 that decodes", len(got), got)
			}
			r := got[0]
			if r.path != tc.wantPath || !maps.Equal(customHeaders(r.header), tc.wantHeaders) || (r.header.Get("Content-Encoding") == "gzip") != tc.wantGzip {
				t.Errorf("request to %s with headers %v, want %s %v gzip=%v", r.path, r.header, tc.wantPath, tc.wantHeaders, tc.wantGzip)
			}
		})
	}
}

// exportOneSpan builds tracing from cfg and the environment, ends one span and flushes it.
func exportOneSpan(t *testing.T, cfg Config) {
	t.Helper()
	tr, err := New(context.Background(), cfg, "x", "1")
	if err != nil {
		t.Fatal(err)
	}
	_, span := tr.Provider.Tracer("test").Start(context.Background(), "one")
	span.End()
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// customHeaders are the request headers but those the transport and the SDK always send.
func customHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for k := range h {
		switch k {
		case "Content-Type", "Content-Encoding", "Content-Length", "User-Agent", "Accept-Encoding":
			continue
		}
		out[k] = h.Get(k)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// TestEnvErrors: a variable the exporter reads, set wrong, fails the start, names the variable
// and never repeats a secret.
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
		{"ca missing", Config{Endpoint: "c:4318"}, map[string]string{p + "CERTIFICATE": filepath.Join(dir, "none")}, "no such file"},
		{"ca not a regular file", Config{Endpoint: "c:4318"}, map[string]string{p + "CERTIFICATE": dir}, "not a regular file"},
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
	var peers, requests atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		peers.Store(int32(len(r.TLS.PeerCertificates)))
	}))
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAnyClientCert}
	srv.StartTLS()
	defer srv.Close()
	ca, cert, key := testPKI(t, t.TempDir(), srv)
	t.Setenv(envPrefix+"TRACES_CERTIFICATE", ca)
	t.Setenv(envPrefix+"CLIENT_CERTIFICATE", cert)
	t.Setenv(envPrefix+"CLIENT_KEY", key)
	exportOneSpan(t, Config{Endpoint: srv.URL, SamplingRatio: 1})
	if requests.Load() != 1 || peers.Load() != 1 {
		t.Errorf("the collector got %d requests with %d client certificates, want 1 with 1", requests.Load(), peers.Load())
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
