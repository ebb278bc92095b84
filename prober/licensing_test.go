package prober

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

const licensingYAML = `
modules:
  lic:
    timeout: 30s
    api_key: ` + testKey + `
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    collectors: [licensing, certificates]
`

const tb = 1 << 40

// licensingEnv is a fake primary with the demo's licensing data and host certificates, the
// queries it was sent, and an exporter probing it on a shared clock.
type licensingEnv struct {
	*incEnv
	env *testEnv

	mu      sync.Mutex
	queries map[string][]string // endpoint -> raw queries, in order
}

func newLicensingEnv(t *testing.T, yml string) *licensingEnv {
	t.Helper()
	c := newClock(fixtureNow)
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: c.Now})
	fake.SetLicensingDemo(fixtureNow, "nbu-primary.example.com")
	l := &licensingEnv{queries: map[string][]string{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		ep := strings.TrimPrefix(r.URL.Path, "/netbackup")
		l.queries[ep] = append(l.queries[ep], r.URL.RawQuery)
		l.mu.Unlock()
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	l.incEnv = &incEnv{clock: c, fake: fake, url: srv.URL + "/netbackup", cfg: mustConfig(t, yml)}
	l.env = l.exporter(t)
	return l
}

func (l *licensingEnv) probe(t *testing.T, module string) map[string]*dtoFamily {
	t.Helper()
	l.clock.Advance(15 * time.Second)
	w := l.env.probe(t, probeQuery(module, l.url), nil)
	fams := parseExposition(t, w.Body.String())
	if sumFamily(fams, "probe_success", nil) != 1 {
		t.Fatalf("probe failed:\n%s\n%s", w.Body.String(), l.env.logs)
	}
	return fams
}

func (l *licensingEnv) sent(endpoint string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.queries[endpoint]...)
}

// The series say what the fake holds: 92 TB used of 100 TB licensed (the active FETB
// entitlements), each entitlement's dates, and per host the certificate that expires last, the
// revoked and deleted ones left out.
func TestLicensingAndCertificatesFromFake(t *testing.T) {
	l := newLicensingEnv(t, licensingYAML)
	fams := l.probe(t, "lic")
	day := 24 * time.Hour
	at := func(d time.Duration) float64 { return float64(fixtureNow.Add(d).Unix()) }

	if v := sumFamily(fams, "nbu_license_capacity_used_bytes", nil); v != fakenbu.DemoUsedTB*tb {
		t.Errorf("nbu_license_capacity_used_bytes = %v, want %v", v, float64(fakenbu.DemoUsedTB*tb))
	}
	equalSeries(t, "nbu_license_capacity_bytes", seriesValues(fams, "nbu_license_capacity_bytes"),
		map[string]float64{"meter=FETB,": fakenbu.DemoLicensedTB * tb})
	equalSeries(t, "nbu_license_units", seriesValues(fams, "nbu_license_units"),
		map[string]float64{"meter=FETB,": fakenbu.DemoLicensedTB, "meter=CPU,": 16})
	fetb := "meter=FETB,product=NetBackup Platform Base FETB,"
	equalSeries(t, "nbu_license_expiry_timestamp_seconds", seriesValues(fams, "nbu_license_expiry_timestamp_seconds"), map[string]float64{
		"entitlement=ENT-FETB-0001," + fetb + "status=ACTIVE,type=SUBSCRIPTION,":                       at(200 * day),
		"entitlement=ENT-FETB-0002," + fetb + "status=ACTIVE,type=SUBSCRIPTION,":                       at(25 * day),
		"entitlement=ENT-TRIAL-0004,meter=FETB,product=NetBackup Trial FETB,status=EXPIRED,type=DEMO,": at(-30 * day),
	})
	equalSeries(t, "nbu_license_service_expiry_timestamp_seconds", seriesValues(fams, "nbu_license_service_expiry_timestamp_seconds"), map[string]float64{
		"entitlement=ENT-FETB-0001," + fetb + "status=ACTIVE,type=SUBSCRIPTION,":                                   at(200 * day),
		"entitlement=ENT-FETB-0002," + fetb + "status=ACTIVE,type=SUBSCRIPTION,":                                   at(25 * day),
		"entitlement=ENT-CPU-0003,meter=CPU,product=NetBackup Enterprise Client CPU,status=ACTIVE,type=PERPETUAL,": at(400 * day),
	})
	equalSeries(t, "nbu_host_certificate_expiry_timestamp_seconds", seriesValues(fams, "nbu_host_certificate_expiry_timestamp_seconds"), map[string]float64{
		"host=nbu-primary.example.com,host_id=2a7c1d6e-9f3b-4c58-8e21-5b0d7f4a6c13,host_type=server,": at(300 * day),
		"host=media-01.example.com,host_id=5d0e2f7a-1b3c-4e59-9a10-0c1d2e3f4a5b,host_type=server,":    at(200 * day),
		"host=app-01,host_id=7e8f9a0b-2c3d-4e5f-8a6b-1c2d3e4f5a6b,host_type=client,":                  at(365 * day),
		"host=app-02,host_id=8f9a0b1c-3d4e-4f5a-9b7c-2d3e4f5a6b7c,host_type=client,":                  at(12 * day),
	})
	for _, c := range []string{"licensing", "certificates"} {
		if v := sumFamily(fams, "nbu_collector_success", map[string]string{"collector": c}); v != 1 {
			t.Errorf("nbu_collector_success{collector=%q} = %v, want 1", c, v)
		}
		if v := sumFamily(fams, "nbu_last_scrape_timestamp_seconds", map[string]string{"source": c}); v <= 0 {
			t.Errorf("nbu_last_scrape_timestamp_seconds{source=%q} = %v, want the fetch time", c, v)
		}
	}
}

// The requests follow the spec: the capacity report filtered on the primary's serverinfo name
// (read once per session), the entitlements at the spec's maximum page, the certificates without
// the deleted ones. Within the TTL nothing is asked again.
func TestLicensingRequestsAndCache(t *testing.T) {
	l := newLicensingEnv(t, licensingYAML)
	l.probe(t, "lic")
	want := map[string][]string{
		"/security/serverinfo":    {""},
		"/licensing/capacity":     {"filter=masterServer+eq+%27nbu-primary.example.com%27&page%5Blimit%5D=10"},
		"/licensing/entitlements": {"page%5Blimit%5D=100&page%5Boffset%5D=0"},
		"/security/certificates":  {"filter=isCertDeleted+eq+false"},
	}
	for ep, q := range want {
		if got := l.sent(ep); strings.Join(got, " ") != strings.Join(q, " ") {
			t.Errorf("%s: sent %q, want %q", ep, got, q)
		}
	}
	l.fake.ResetCounters()
	fams := l.probe(t, "lic")
	if n := l.fake.TotalRequests(); n != 0 {
		t.Errorf("a probe within the TTL sent %d requests, want 0", n)
	}
	if v := sumFamily(fams, "nbu_license_capacity_used_bytes", nil); v != fakenbu.DemoUsedTB*tb {
		t.Errorf("cached nbu_license_capacity_used_bytes = %v", v)
	}
	l.clock.Advance(time.Hour)
	l.probe(t, "lic")
	for ep, n := range map[string]int{"/security/serverinfo": 0, "/licensing/capacity": 1, "/licensing/entitlements": 1, "/security/certificates": 1} {
		if got := l.fake.Requests(ep); got != n {
			t.Errorf("after the TTL, %s: %d requests, want %d", ep, got, n)
		}
	}
}

// A role without the licensing or certificate permissions (403) has the collectors skipped, the
// reason in the log, and the probe succeeds; a role that may read one licensing endpoint gets its
// series and the other endpoint is reported skipped.
func TestLicensingForbiddenIsSkip(t *testing.T) {
	l := newLicensingEnv(t, licensingYAML)
	for _, ep := range []string{"/licensing/capacity", "/licensing/entitlements", "/security/certificates"} {
		l.fake.FailEndpoint(ep, http.StatusForbidden)
	}
	fams := l.probe(t, "lic")
	for _, c := range []string{"licensing", "certificates"} {
		if v := sumFamily(fams, "nbu_collector_skipped", map[string]string{"collector": c}); v != 1 {
			t.Errorf("nbu_collector_skipped{collector=%q} = %v, want 1", c, v)
		}
	}
	if !strings.Contains(l.env.logs.String(), "lacks the permission") {
		t.Errorf("the log does not give the reason:\n%s", l.env.logs)
	}

	l = newLicensingEnv(t, licensingYAML)
	l.fake.FailEndpoint("/licensing/entitlements", http.StatusForbidden)
	fams = l.probe(t, "lic")
	if v := sumFamily(fams, "nbu_collector_success", map[string]string{"collector": "licensing"}); v != 1 {
		t.Errorf("licensing with one endpoint forbidden: success = %v, want 1", v)
	}
	if v := sumFamily(fams, "nbu_collector_endpoint_skipped", map[string]string{"collector": "licensing", "endpoint": "/licensing/entitlements"}); v != 1 {
		t.Errorf("nbu_collector_endpoint_skipped for the entitlements = %v, want 1", v)
	}
	if v := sumFamily(fams, "nbu_license_capacity_used_bytes", nil); v != fakenbu.DemoUsedTB*tb {
		t.Errorf("nbu_license_capacity_used_bytes = %v with the entitlements forbidden", v)
	}
	if v := sumFamily(fams, "nbu_license_capacity_bytes", nil); v != -1 {
		t.Errorf("nbu_license_capacity_bytes = %v without the entitlements, want absent", v)
	}
}

// A server error is a failure, not a skip, and is not cached: the next probe asks again.
func TestLicensingServerErrorFails(t *testing.T) {
	l := newLicensingEnv(t, licensingYAML)
	l.fake.FailEndpoint("/licensing/capacity", http.StatusInternalServerError)
	l.clock.Advance(15 * time.Second)
	w := l.env.probe(t, probeQuery("lic", l.url), nil)
	fams := parseExposition(t, w.Body.String())
	if v := sumFamily(fams, "nbu_collector_success", map[string]string{"collector": "licensing"}); v != 0 {
		t.Errorf("licensing with a 500: success = %v, want 0", v)
	}
	l.fake.FailEndpoint("/licensing/capacity", 0)
	fams = l.probe(t, "lic")
	if v := sumFamily(fams, "nbu_license_capacity_used_bytes", nil); v != fakenbu.DemoUsedTB*tb {
		t.Errorf("the probe after the failure: nbu_license_capacity_used_bytes = %v", v)
	}
}

// Before NetBackup 11.0 (API 13.0) there is no /security/certificates: the collector is skipped
// without a request. The licensing endpoints are in every release.
func TestCertificatesSkippedBeforeAPI13(t *testing.T) {
	for _, v := range []string{"10.0", "12.0"} {
		yml := strings.Replace(licensingYAML, "collectors:", "api_version: \""+v+"\"\n    collectors:", 1)
		l := newLicensingEnv(t, yml)
		fams := l.probe(t, "lic")
		if got := sumFamily(fams, "nbu_collector_skipped", map[string]string{"collector": "certificates"}); got != 1 {
			t.Errorf("API %s: certificates skipped = %v, want 1", v, got)
		}
		if n := l.fake.Requests("/security/certificates"); n != 0 {
			t.Errorf("API %s: %d certificate requests, want 0", v, n)
		}
		if got := sumFamily(fams, "nbu_license_capacity_bytes", nil); got != fakenbu.DemoLicensedTB*tb {
			t.Errorf("API %s: nbu_license_capacity_bytes = %v", v, got)
		}
	}
}

// A field a primary leaves out leaves its series out: no consumption, no count, no dates, no
// notAfter.
func TestLicensingAbsentFields(t *testing.T) {
	l := newLicensingEnv(t, licensingYAML)
	l.fake.SetLicensing(fakenbu.LicensingData{
		Capacity:     []fakenbu.CapacityReport{{MasterServer: "nbu-primary.example.com"}},
		Entitlements: []fakenbu.Entitlement{{ID: "E1", Meter: "FETB", Type: "SUBSCRIPTION", Status: "ACTIVE"}},
	})
	l.fake.SetHostCertificates([]fakenbu.HostCertificate{{HostID: "h1", HostName: "c1", HostType: 2}})
	fams := l.probe(t, "lic")
	for _, name := range []string{"nbu_license_capacity_used_bytes", "nbu_license_capacity_bytes", "nbu_license_units",
		"nbu_license_expiry_timestamp_seconds", "nbu_license_service_expiry_timestamp_seconds", "nbu_host_certificate_expiry_timestamp_seconds"} {
		if v := sumFamily(fams, name, nil); v != -1 {
			t.Errorf("%s = %v, want absent", name, v)
		}
	}
	for _, c := range []string{"licensing", "certificates"} {
		if v := sumFamily(fams, "nbu_collector_success", map[string]string{"collector": c}); v != 1 {
			t.Errorf("nbu_collector_success{collector=%q} = %v, want 1", c, v)
		}
	}
}

// Without serverinfo's name the capacity report is filtered on the target's host, and serverinfo
// is asked again on the next refresh.
func TestLicensingPrimaryNameFallsBackToTarget(t *testing.T) {
	l := newLicensingEnv(t, licensingYAML)
	l.fake.FailEndpoint("/security/serverinfo", http.StatusInternalServerError)
	fams := l.probe(t, "lic")
	if got := l.sent("/licensing/capacity"); len(got) != 1 || !strings.Contains(got[0], "%27127.0.0.1%27") {
		t.Errorf("capacity queries %q, want one filtered on the target's host", got)
	}
	if v := sumFamily(fams, "nbu_license_capacity_used_bytes", nil); v != -1 {
		t.Errorf("nbu_license_capacity_used_bytes = %v for a primary the report does not name, want absent", v)
	}
	l.fake.FailEndpoint("/security/serverinfo", 0)
	l.clock.Advance(time.Hour)
	fams = l.probe(t, "lic")
	if v := sumFamily(fams, "nbu_license_capacity_used_bytes", nil); v != fakenbu.DemoUsedTB*tb {
		t.Errorf("after serverinfo answers: nbu_license_capacity_used_bytes = %v", v)
	}
}

// max_series bounds the hosts kept; what it cuts is counted.
func TestCertificatesMaxSeries(t *testing.T) {
	yml := strings.Replace(licensingYAML, "collectors: [licensing, certificates]", "collectors: [certificates]\n    max_series: 2", 1)
	l := newLicensingEnv(t, yml)
	fams := l.probe(t, "lic")
	if n := len(seriesValues(fams, "nbu_host_certificate_expiry_timestamp_seconds")); n != 2 {
		t.Errorf("%d host series with max_series 2, want 2", n)
	}
	// Four hosts with five valid certificates, in the fake's order: the three certificates of the
	// two hosts past the cap, and the fetch time, which no longer fits.
	if v := sumFamily(fams, "nbu_series_dropped", map[string]string{"collector": "certificates", "reason": "max_series"}); v != 4 {
		t.Errorf("nbu_series_dropped{reason=max_series} = %v, want 4", v)
	}
}

// At the defaults (1h caches) and a probe every 60 s, the two collectors cost what docs/metrics.md
// says: one refresh an hour of each endpoint, serverinfo once per target. Counted by the fake
// over two hours of probes.
func TestLicensingRequestBudget(t *testing.T) {
	l := newLicensingEnv(t, licensingYAML)
	l.probe(t, "lic") // detects the API version, which is not the collectors' cost
	l.fake.ResetCounters()
	const probes = 120
	for range probes {
		l.clock.Advance(45 * time.Second) // + the 15 s probe() adds
		l.probe(t, "lic")
	}
	want := map[string]int{"/security/serverinfo": 0, "/licensing/capacity": 2, "/licensing/entitlements": 2, "/security/certificates": 2}
	total := 0
	for ep, n := range want {
		if got := l.fake.Requests(ep); got != n {
			t.Errorf("%s: %d requests in %d probes, want %d", ep, got, probes, n)
		}
		total += n
	}
	if got := l.fake.TotalRequests(); got != total {
		t.Errorf("%d requests in all, want %d", got, total)
	}
	t.Logf("%d requests over the %d probes after the first: %.3f per probe", l.fake.TotalRequests(), probes, float64(l.fake.TotalRequests())/probes)
}

func TestLicensingHelpers(t *testing.T) {
	for in, want := range map[string]string{"FETB": "FETB", " fetb plus ": "FETB_PLUS", "Fetb-Plus": "FETB_PLUS", "": ""} {
		if got := enumLabel(in); got != want {
			t.Errorf("enumLabel(%q) = %q, want %q", in, got, want)
		}
	}
	now := fixtureNow
	for _, tc := range []struct {
		status string
		end    time.Time
		want   bool
	}{
		{"ACTIVE", now.Add(-time.Hour), true}, // NetBackup's word, even past the end date (grace)
		{"EXPIRED", now.Add(time.Hour), false},
		{"", time.Time{}, true},
		{"", now.Add(time.Hour), true},
		{"", now.Add(-time.Hour), false},
	} {
		if got := entitlementActive(tc.status, tc.end, now); got != tc.want {
			t.Errorf("entitlementActive(%q, %v) = %v, want %v", tc.status, tc.end, got, tc.want)
		}
	}
	reports := []nbu.CapacityReport{{ID: "other"}, {ID: "NBU1.example.com", ConsumptionMB: nbu.Some[float64](0)}}
	if rep, ok := primaryReport(reports, "nbu1.example.com"); !ok || rep.ID != "NBU1.example.com" {
		t.Errorf("primaryReport by name = %+v, %v", rep, ok)
	}
	if _, ok := primaryReport(reports, "nbu9"); ok {
		t.Error("primaryReport picked one of several reports that do not name the primary")
	}
	if rep, ok := primaryReport(reports[:1], "nbu9"); !ok || rep.ID != "other" {
		t.Errorf("primaryReport of the only report = %+v, %v", rep, ok)
	}
}
