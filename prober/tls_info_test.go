package prober

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"math/big"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// tlsFake serves the fake primary over TLS with a certificate of fakenbu's test CA, at most
// maxVersion (0: Go's default), and returns the CA's file and the server's leaf certificate.
func tlsFake(t *testing.T, maxVersion uint16) (srv *httptest.Server, fake *fakenbu.Server, caFile string, leaf *x509.Certificate) {
	t.Helper()
	caPEM, serverTLS, err := fakenbu.NewTestCA()
	if err != nil {
		t.Fatal(err)
	}
	serverTLS.MaxVersion = maxVersion
	fake = fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: func() time.Time { return fixtureNow }})
	fake.SetStorageUnits(fixtureStorage())
	srv = httptest.NewUnstartedServer(fake)
	srv.TLS = serverTLS
	srv.StartTLS()
	t.Cleanup(srv.Close)
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, fake, caFile, serverTLS.Certificates[0].Leaf
}

func tlsModules(caFile string) string {
	return `
modules:
  tls:
    api_key: ` + testKey + `
    tls_config: {ca_file: ` + caFile + `}
    allowed_targets: ["127.0.0.1"]
    collectors: [storage]
  unverified:
    api_key: ` + testKey + `
    tls_config: {insecure_skip_verify: true}
    allowed_targets: ["127.0.0.1"]
    collectors: [storage]
`
}

// blackbox_exporter's TLS series, its names, help and labels, with the fake's certificate: on
// every probe of an https:// target, from the chain its connection presented.
func TestProbeTLSDetails(t *testing.T) {
	for _, tc := range []struct {
		maxVersion uint16
		version    string
	}{{0, "TLS 1.3"}, {tls.VersionTLS12, "TLS 1.2"}} {
		srv, fake, caFile, leaf := tlsFake(t, tc.maxVersion)
		env := newTestEnv(t, mustConfig(t, tlsModules(caFile)))
		sum := sha256.Sum256(leaf.Raw)
		wantInfo := map[string]string{
			"fingerprint_sha256": hex.EncodeToString(sum[:]), "subject": "CN=localhost,O=fakenbu",
			"issuer": "CN=fakenbu test CA,O=fakenbu", "subjectalternative": "localhost",
			"serialnumber": fmt.Sprintf("%x", leaf.SerialNumber.Bytes()),
		}
		// The second probe serves storage from its cache and sends no request: it reports what its
		// session's connection presented.
		for i := range 2 {
			fake.ResetCounters()
			body := env.probe(t, probeQuery("tls", srv.URL), nil).Body.String()
			fams := parseExposition(t, body)
			for _, help := range []string{
				"# HELP probe_ssl_last_chain_expiry_timestamp_seconds Returns last SSL chain expiry in timestamp\n",
				"# HELP probe_ssl_last_chain_info Contains SSL leaf certificate information\n",
				"# HELP probe_tls_version_info Returns the TLS version used or NaN when unknown\n",
			} {
				if !strings.Contains(body, help) {
					t.Errorf("%s probe %d: no %q", tc.version, i, strings.TrimSpace(help))
				}
			}
			if got := sumFamily(fams, "probe_tls_version_info", map[string]string{"version": tc.version}); got != 1 {
				t.Errorf("probe %d: probe_tls_version_info{version=%q} = %v, want 1\n%s", i, tc.version, got, body)
			}
			if got := sumFamily(fams, "probe_ssl_last_chain_info", wantInfo); got != 1 || len(fams["probe_ssl_last_chain_info"].GetMetric()) != 1 {
				t.Errorf("probe %d: probe_ssl_last_chain_info = %v, want one series with %v\n%s", i, got, wantInfo, body)
			}
			if got := sumFamily(fams, "probe_ssl_last_chain_expiry_timestamp_seconds", nil); got != float64(leaf.NotAfter.Unix()) {
				t.Errorf("probe %d: probe_ssl_last_chain_expiry_timestamp_seconds = %v, want %d", i, got, leaf.NotAfter.Unix())
			}
		}
		if fake.TotalRequests() != 0 {
			t.Errorf("the second probe sent %d requests; the test wants one served from caches", fake.TotalRequests())
		}

		// Unverified (insecure_skip_verify): no verified chain, so no chain expiry; the rest stands.
		fams := parseExposition(t, env.probe(t, probeQuery("unverified", srv.URL), nil).Body.String())
		if fams["probe_ssl_last_chain_expiry_timestamp_seconds"] != nil || sumFamily(fams, "probe_ssl_last_chain_info", wantInfo) != 1 ||
			sumFamily(fams, "probe_tls_version_info", map[string]string{"version": tc.version}) != 1 {
			t.Errorf("insecure_skip_verify: chain expiry %v, info %v, version %v",
				fams["probe_ssl_last_chain_expiry_timestamp_seconds"], sumFamily(fams, "probe_ssl_last_chain_info", wantInfo),
				sumFamily(fams, "probe_tls_version_info", nil))
		}
	}

	// Plain HTTP: none of them.
	_, plain := newFake(t, fakenbu.Options{})
	plainEnv := newTestEnv(t, mustConfig(t, testModulesYAML))
	fams := parseExposition(t, plainEnv.probe(t, probeQuery("default", plain.URL), nil).Body.String())
	for _, name := range []string{"probe_ssl_last_chain_expiry_timestamp_seconds", "probe_ssl_last_chain_info", "probe_tls_version_info"} {
		if fams[name] != nil {
			t.Errorf("http:// probe reported %s", name)
		}
	}
}

// The chain expiry is, of the chains verified, the latest of each chain's earliest NotAfter (a
// primary whose certificate chains to a new and an old root is fine until the later chain ends);
// the serial keeps its leading zeros; labels from the certificate are bounded.
func TestTLSInfoOf(t *testing.T) {
	at := func(days int) *x509.Certificate {
		return &x509.Certificate{NotAfter: time.Unix(1e9, 0).Add(time.Duration(days) * 24 * time.Hour)}
	}
	leaf := &x509.Certificate{Raw: []byte("leaf"), SerialNumber: big.NewInt(0x0abc), NotAfter: at(300).NotAfter,
		DNSNames: []string{"a.example.com", strings.Repeat("b", 300) + ".example.com"}}
	leaf.Subject.CommonName = "a.example.com"
	cs := &tls.ConnectionState{Version: tls.VersionTLS12, PeerCertificates: []*x509.Certificate{leaf},
		VerifiedChains: [][]*x509.Certificate{{leaf, at(10)}, {leaf, at(100), at(200)}}}
	info := tlsInfoOf(cs)
	if info.lastChainExpiry == nil || *info.lastChainExpiry != at(100).NotAfter.Unix() {
		t.Errorf("last chain expiry %v, want the second chain's earliest, %d", info.lastChainExpiry, at(100).NotAfter.Unix())
	}
	if info.serial != "0abc" || info.version != "TLS 1.2" || info.subject != "CN=a.example.com" {
		t.Errorf("serial %q, version %q, subject %q", info.serial, info.version, info.subject)
	}
	if len(info.dnsNames) != maxLabelValueBytes || !strings.HasPrefix(info.dnsNames, "a.example.com,bbb") {
		t.Errorf("subjectalternative of %d bytes: %.40q", len(info.dnsNames), info.dnsNames)
	}
	if got := tlsInfoOf(&tls.ConnectionState{Version: 0x0999}); got.version != "unknown" || got.hasLeaf || got.lastChainExpiry != nil {
		t.Errorf("no certificate, unknown version: %+v", got)
	}
}
