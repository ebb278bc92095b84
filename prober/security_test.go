package prober

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"gopkg.in/yaml.v3"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// secEnv is a handler wired as main wires it, with the exporter's logger at debug level writing
// logfmt to a buffer, no timeout offset (tests set the deadline with the scrape-timeout header),
// and a config that another goroutine may swap, as a reload does.
type secEnv struct {
	handler *Handler
	logs    *lockedBuffer
	reg     *prometheus.Registry
	cfg     atomic.Pointer[config.Config]
}

func newSecEnv(t *testing.T, cfg *config.Config) *secEnv {
	t.Helper()
	e := &secEnv{logs: &lockedBuffer{}, reg: prometheus.NewRegistry()}
	e.cfg.Store(cfg)
	m := NewExporterMetrics(e.reg)
	sessions := NewSessions(time.Hour, m.ObserveRequest)
	t.Cleanup(sessions.Close)
	e.handler = &Handler{
		Config:   func() *config.Config { return e.cfg.Load() },
		Logger:   level.NewFilter(log.NewLogfmtLogger(e.logs), level.AllowDebug()),
		Sessions: sessions,
		Metrics:  m,
		History:  NewHistory(1000),
		Now:      func() time.Time { return fixtureNow },
	}
	return e
}

// probeLimit is how long past its deadline a probe may take to answer before a test calls it a
// hang: the margin covers writing the answer on a loaded CI machine under -race, many times over,
// so that it never fails a probe that ended.
const probeLimit = 10 * time.Second

// serve runs one /probe request and returns its answer. It fails the test if the handler has not
// returned by limit: a handler that hangs is the failure these tests look for.
func (e *secEnv) serve(t *testing.T, query string, header http.Header, limit time.Duration) *httptest.ResponseRecorder {
	t.Helper()
	w, err := e.try(query, header, limit)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// try is serve for goroutines other than the test's: it reports a hang as an error.
func (e *secEnv) try(query string, header http.Header, limit time.Duration) (*httptest.ResponseRecorder, error) {
	r := httptest.NewRequest("GET", "/probe?"+query, nil)
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.handler.ServeHTTP(w, r)
	}()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case <-done:
		return w, nil
	case <-timer.C:
		return nil, fmt.Errorf("/probe?%s has not returned after %v", clip(query), limit)
	}
}

// exporterMetrics is what /metrics would show of the exporter's own metrics.
func (e *secEnv) exporterMetrics(t *testing.T) string {
	t.Helper()
	mfs, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// history is the debug output of every probe the landing page keeps.
func (e *secEnv) history() string {
	var b strings.Builder
	for _, r := range e.handler.History.List() {
		if full, ok := e.handler.History.Get(r.ID); ok {
			b.WriteString(full.DebugOutput)
		}
	}
	return b.String()
}

// startFake serves a fake primary with the fixture data behind a tracking listener.
func startFake(t *testing.T, keys ...string) (*fakenbu.Server, *httptest.Server, *trackingListener) {
	t.Helper()
	fake := fakenbu.New(fakenbu.Options{APIKeys: keys, Now: func() time.Time { return fixtureNow }})
	fake.SetJobs(fixtureJobs())
	fake.SetStorageUnits(fixtureStorage())
	srv, tl := startTracked(t, fake)
	return fake, srv, tl
}

func startTracked(t *testing.T, h http.Handler) (*httptest.Server, *trackingListener) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	tl := trackListener(srv.Listener)
	srv.Listener = tl
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, tl
}

func hostPort(rawURL string) string {
	return strings.TrimPrefix(strings.TrimPrefix(rawURL, "http://"), "https://")
}

// A module may only be used against the targets it lists, and a refused target costs no
// connection: the check comes before anything touches the network. Counted on the listener, so a
// TCP connect without any HTTP request would count too.
func TestDisallowedTargetOpensNoConnection(t *testing.T) {
	fake, srv, tl := startFake(t, testKey)
	addr := hostPort(srv.URL)
	_, port, _ := net.SplitHostPort(addr)
	cfg := mustConfig(t, `
modules:
  local:
    api_key: `+testKey+`
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
  elsewhere:
    api_key: `+testKey+`
    allowed_targets: ["nbu-*.example.com", "127.0.0.2"]
    insecure_http: true
  otherport:
    api_key: `+testKey+`
    allowed_targets: ["127.0.0.1:1556", "127.0.0.*:1"]
    insecure_http: true
  wildcard:
    api_key: `+testKey+`
    allowed_targets: ["127.0.0.*"]
    insecure_http: true
`)
	env := newSecEnv(t, cfg)
	tests := []struct{ name, module, target string }{
		{"host not listed", "elsewhere", srv.URL},
		{"host not listed, bare host:port", "elsewhere", addr},
		{"listed host on another port", "otherport", srv.URL + "/netbackup"},
		{"name of an allowed address", "local", "localhost:" + port},
		{"wildcard does not cross a dot", "wildcard", "https://127.0.0.1.attacker.invalid:" + port},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := env.serve(t, probeQuery(tc.module, tc.target), nil, 10*time.Second)
			body := w.Body.String()
			if w.Code != http.StatusForbidden {
				t.Fatalf("status %d, want 403: %s", w.Code, body)
			}
			for _, want := range []string{fmt.Sprintf("module %q may not be used against target", tc.module), "allowed_targets"} {
				if !strings.Contains(body, want) {
					t.Errorf("answer %q does not say %q", body, want)
				}
			}
		})
	}
	if n := tl.acceptedBefore(t); n != 0 {
		t.Fatalf("refused probes opened %d connection(s) to the target", n)
	}
	if n := fake.TotalRequests(); n != 0 {
		t.Fatalf("refused probes sent %d request(s)", n)
	}

	// The same listener does count a probe that is allowed: the zero above is not for want of
	// counting.
	if body := env.serve(t, probeQuery("local", srv.URL), nil, 10*time.Second).Body.String(); !strings.Contains(body, "probe_success 1") {
		t.Fatalf("allowed probe failed:\n%s", body)
	}
	if n := tl.acceptedBefore(t); n == 0 {
		t.Fatal("the allowed probe made no connection that the listener saw")
	}
}

// NetBackup API calls do not redirect; a 3xx would send the API key wherever the server (or
// whoever answers in its name) points. The probe fails naming the redirect, and the redirect
// target, another port or another host name, receives nothing at all.
func TestRedirectIsNotFollowed(t *testing.T) {
	other, otherL := startTracked(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("redirect target got %s %s", r.Method, r.URL)
	}))
	otherAddr := hostPort(other.URL)
	_, otherPort, _ := net.SplitHostPort(otherAddr)
	tests := []struct{ name, location, wantHost string }{
		{"same host, other port", other.URL + "/netbackup/admin/jobs", otherAddr},
		{"other host name", "http://localhost:" + otherPort + "/netbackup/admin/jobs?key=" + testKey, "localhost:" + otherPort},
		{"https upgrade", "https://" + otherAddr + "/netbackup/admin/jobs", otherAddr},
	}
	cfg := mustConfig(t, `
modules:
  default:
    api_key: `+testKey+`
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
`)
	env := newSecEnv(t, cfg)
	for _, tc := range tests {
		for _, code := range []int{301, 302, 307, 308} {
			t.Run(fmt.Sprintf("%s %d", tc.name, code), func(t *testing.T) {
				srv, _ := startTracked(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, tc.location, code)
				}))
				w := env.serve(t, "debug=true&"+probeQuery("default", srv.URL), http.Header{scrapeTimeoutHeader: {"5"}}, 5*time.Second+probeLimit)
				body := w.Body.String()
				want := fmt.Sprintf("HTTP %d redirect to host %q not followed", code, tc.wantHost)
				if !strings.Contains(body, "probe_success 0") || !strings.Contains(body, strings.ReplaceAll(want, `"`, `\"`)) {
					t.Errorf("want probe_success 0 and %q in:\n%s", want, body)
				}
			})
		}
	}
	if n := otherL.acceptedBefore(t); n != 0 {
		t.Fatalf("the redirect target accepted %d connection(s)", n)
	}
	if strings.Contains(env.logs.String(), testKey) {
		t.Error("the key from the Location header reached the log")
	}
}

// insecure_skip_verify: true lets a module probe a server whose certificate nothing vouches for,
// and /config (the config marshalled as YAML) shows it, so an operator can see which modules run
// without verification.
func TestInsecureSkipVerifyProbesSelfSignedAndShows(t *testing.T) {
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: func() time.Time { return fixtureNow }})
	fake.SetJobs(fixtureJobs())
	fake.SetStorageUnits(fixtureStorage())
	srv := httptest.NewTLSServer(fake) // httptest's own self-signed certificate
	defer srv.Close()
	cfg := mustConfig(t, `
modules:
  insecure:
    api_key: `+testKey+`
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    tls_config: {insecure_skip_verify: true}
  verified:
    api_key: `+testKey+`
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
`)
	env := newSecEnv(t, cfg)
	if body := env.serve(t, "debug=true&"+probeQuery("insecure", srv.URL), nil, 30*time.Second).Body.String(); !strings.Contains(body, "probe_success 1") {
		t.Errorf("insecure_skip_verify: true should probe a self-signed server:\n%s", body)
	}
	if body := env.serve(t, "debug=true&"+probeQuery("verified", srv.URL), nil, 30*time.Second).Body.String(); !strings.Contains(body, "probe_success 0") || !strings.Contains(body, "certificate signed by unknown authority") {
		t.Errorf("without insecure_skip_verify the same server must fail on its certificate:\n%s", body)
	}

	out, err := yaml.Marshal(env.cfg.Load())
	if err != nil {
		t.Fatal(err)
	}
	var shown struct {
		Modules map[string]struct {
			TLS map[string]any `yaml:"tls_config"`
		} `yaml:"modules"`
	}
	if err := yaml.Unmarshal(out, &shown); err != nil {
		t.Fatalf("/config is not YAML: %v\n%s", err, out)
	}
	if v := shown.Modules["insecure"].TLS["insecure_skip_verify"]; v != true {
		t.Errorf("/config shows insecure_skip_verify = %v for the insecure module:\n%s", v, out)
	}
	if v := shown.Modules["verified"].TLS["insecure_skip_verify"]; v == true {
		t.Errorf("/config shows insecure_skip_verify: true for the verified module:\n%s", out)
	}
}

// testPKI is a CA the module trusts, and certificates for the fault cases, made in the test.
type testPKI struct {
	caPEM  []byte
	ca     *x509.Certificate
	caKey  *ecdsa.PrivateKey
	serial int64
}

func newTestPKI(t *testing.T, name string) *testPKI {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testPKI{caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), ca: ca, caKey: key, serial: 1}
}

// leaf issues a server certificate for the given names, valid from notBefore to notAfter.
func (p *testPKI) leaf(t *testing.T, dnsNames []string, ips []net.IP, notBefore, notAfter time.Time) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p.serial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(p.serial), Subject: pkix.Name{CommonName: "nbu test server"},
		NotBefore: notBefore, NotAfter: notAfter, DNSNames: dnsNames, IPAddresses: ips,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &key.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// Each way a server certificate can fail verification fails the probe, without retry and with a
// reason an operator can act on; the control case proves the CA set-up itself works.
func TestTLSFailuresNameTheReason(t *testing.T) {
	trusted, stranger := newTestPKI(t, "trusted test CA"), newTestPKI(t, "unknown test CA")
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, trusted.caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	local := []net.IP{net.IPv4(127, 0, 0, 1)}
	now := time.Now()
	valid := func(p *testPKI, names []string, ips []net.IP) tls.Certificate {
		return p.leaf(t, names, ips, now.Add(-time.Hour), now.Add(time.Hour))
	}
	tests := []struct {
		name string
		cert tls.Certificate
		want string // "" = the probe succeeds
	}{
		{"valid (control)", valid(trusted, []string{"localhost"}, local), ""},
		{"name mismatch", valid(trusted, []string{"nbu-other.example.com"}, []net.IP{net.IPv4(10, 0, 0, 99)}), "certificate is valid for 10.0.0.99, not 127.0.0.1"},
		{"unknown CA", valid(stranger, []string{"localhost"}, local), "certificate signed by unknown authority"},
		{"expired", trusted.leaf(t, []string{"localhost"}, local, now.Add(-48*time.Hour), now.Add(-24*time.Hour)), "certificate has expired or is not yet valid"},
	}
	cfg := mustConfig(t, `
modules:
  default:
    api_key: `+testKey+`
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    tls_config: {ca_file: `+caFile+`}
`)
	env := newSecEnv(t, cfg)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: func() time.Time { return fixtureNow }})
			fake.SetJobs(fixtureJobs())
			fake.SetStorageUnits(fixtureStorage())
			srv := httptest.NewUnstartedServer(fake)
			tl := trackListener(srv.Listener)
			srv.Listener = tl
			srv.TLS = &tls.Config{Certificates: []tls.Certificate{tc.cert}}
			srv.StartTLS()
			defer srv.Close()
			body := env.serve(t, "debug=true&"+probeQuery("default", srv.URL), http.Header{scrapeTimeoutHeader: {"10"}}, 10*time.Second+probeLimit).Body.String()
			if tc.want == "" {
				if !strings.Contains(body, "probe_success 1") {
					t.Fatalf("control probe failed:\n%s", body)
				}
				return
			}
			if !strings.Contains(body, "probe_success 0") || !strings.Contains(body, tc.want) {
				t.Errorf("want probe_success 0 and %q in:\n%s", tc.want, body)
			}
			if n := fake.TotalRequests(); n != 0 {
				t.Errorf("the server got %d request(s) over a connection that failed verification", n)
			}
			// A certificate does not get better by asking again: one connection, no retry.
			if n := tl.acceptedBefore(t); n != 1 {
				t.Errorf("%d connections for a certificate failure, want 1 (no retry)", n)
			}
		})
	}
}

// Hosts that could mislead the allow-list or the resolver are refused with a reason, or
// canonicalised to the address they stand for.
func TestParseTargetHostileHosts(t *testing.T) {
	tests := []struct{ in, want, wantErr string }{
		{in: "nbü.example.com", wantErr: "not ASCII"},
		{in: "https://ｌｏｃａｌｈｏｓｔ:1556", wantErr: "not ASCII"},
		{in: "１２７.０.０.１", wantErr: "not ASCII"},
		{in: "xn--nb-nia.example.com", want: "https://xn--nb-nia.example.com:1556/netbackup"},
		{in: "[fe80::1%25eth0]:1556", wantErr: "invalid host"},
		{in: "https://[::1%25lo]/netbackup", wantErr: "invalid host"},
		{in: "127.0.0.1.", want: "https://127.0.0.1:1556/netbackup"},
		{in: "https://127.0.0.1.:8443", want: "https://127.0.0.1:8443/netbackup"},
		{in: "nbu1.example.com.", want: "https://nbu1.example.com.:1556/netbackup"},
		{in: "https%3A%2F%2F127.0.0.1%3A1556", wantErr: "invalid URL escape"},
		{in: "https://127.0.0.1:1556\\@evil.example", wantErr: "invalid"},
		{in: "https://127.0.0.1:1556@evil.example", wantErr: "user info is not allowed"},
		{in: "127.0.0.1\x00.evil.example", wantErr: "control character"},
	}
	for _, tc := range tests {
		got, err := ParseTarget(tc.in)
		switch {
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("ParseTarget(%q) = %q, %v; want error containing %q", tc.in, got.BaseURL, err, tc.wantErr)
		case tc.wantErr == "" && (err != nil || got.BaseURL != tc.want):
			t.Errorf("ParseTarget(%q) = %q, %v; want %q", tc.in, got.BaseURL, err, tc.want)
		}
	}
}
