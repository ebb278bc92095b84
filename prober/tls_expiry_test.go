package prober

import (
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// probe_ssl_earliest_cert_expiry is the NotAfter of the chain the probe's connection presented,
// on every probe whatever the collectors; a plain-HTTP probe has none.
func TestProbeSSLEarliestCertExpiry(t *testing.T) {
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: func() time.Time { return fixtureNow }})
	fake.SetStorageUnits(fixtureStorage())
	srv := httptest.NewTLSServer(fake)
	defer srv.Close()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	env := newTestEnv(t, mustConfig(t, `
modules:
  tls:
    api_key: `+testKey+`
    tls_config: {ca_file: `+caFile+`}
    allowed_targets: ["127.0.0.1"]
    collectors: [storage]
`))
	// The second probe serves storage from its cache and sends no request: it reports the chain
	// its session last saw.
	for i := 0; i < 2; i++ {
		fake.ResetCounters()
		fams := parseExposition(t, env.probe(t, probeQuery("tls", srv.URL), nil).Body.String())
		if got := sumFamily(fams, "probe_ssl_earliest_cert_expiry", nil); got != float64(srv.Certificate().NotAfter.Unix()) {
			t.Errorf("probe %d (%d requests): probe_ssl_earliest_cert_expiry = %v, want %d", i, fake.TotalRequests(), got, srv.Certificate().NotAfter.Unix())
		}
	}
	if fake.TotalRequests() != 0 {
		t.Errorf("the second probe sent %d requests; the test wants one served from caches", fake.TotalRequests())
	}

	_, plain := newFake(t, fakenbu.Options{})
	plainEnv := newTestEnv(t, mustConfig(t, testModulesYAML))
	fams := parseExposition(t, plainEnv.probe(t, probeQuery("default", plain.URL), nil).Body.String())
	if got := sumFamily(fams, "probe_ssl_earliest_cert_expiry", nil); got != -1 {
		t.Errorf("http:// probe reported probe_ssl_earliest_cert_expiry %v", got)
	}
}
