package prober

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// hostSecModule is module hs with collectors (e.g. "services, security"); extra is more YAML of
// the module (indented four spaces).
func hostSecModule(collectors, extra string) string {
	return `
modules:
  hs:
    timeout: 30s
    api_key: ` + testKey + `
    api_key_tag: ` + fakenbu.DemoAPIKeyTag + `
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    collectors: [` + collectors + `]
` + extra
}

// hostSecEnv is a fake primary with the demo's hosts and security posture, and an exporter
// probing it on a clock of the test's.
type hostSecEnv struct {
	clock *clock
	fake  *fakenbu.Server
	url   string
	env   *testEnv
}

func newHostSecEnv(t *testing.T, yml string, opts fakenbu.Options) *hostSecEnv {
	t.Helper()
	c := newClock(fixtureNow)
	opts.APIKeys, opts.Now = []string{testKey}, c.Now
	fake := fakenbu.New(opts)
	fake.SetHostsSecurity(fakenbu.DemoHostsSecurity(fixtureNow, "nbu-primary.example.com"))
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	env := newTestEnv(t, mustConfig(t, yml))
	env.handler.Now = c.Now
	return &hostSecEnv{clock: c, fake: fake, url: srv.URL + "/netbackup", env: env}
}

// probe advances the clock by after, probes module hs and wants the probe to succeed.
func (e *hostSecEnv) probe(t *testing.T, after time.Duration) map[string]*dtoFamily {
	t.Helper()
	e.clock.Advance(after)
	w := e.env.probe(t, probeQuery("hs", e.url), nil)
	fams := parseExposition(t, w.Body.String())
	if sumFamily(fams, "probe_success", nil) != 1 {
		t.Fatalf("probe failed:\n%s\n%s", w.Body.String(), e.env.logs)
	}
	return fams
}

// servicesFromFake is what nbu_service_up must say: the services of the primary and media servers
// the primary can read.
func servicesFromFake(fake *fakenbu.Server) (up, readable map[string]float64) {
	up, readable = map[string]float64{}, map[string]float64{}
	for _, h := range fake.Hosts() {
		if h.Type != "PRIMARY_SERVER" && h.Type != "MEDIA_SERVER" {
			continue
		}
		key := fmt.Sprintf("host=%s,host_type=%s,", h.Name, h.Type)
		if h.ServicesStatus != 0 {
			readable[key] = 0
			continue
		}
		readable[key] = 1
		for _, sv := range h.Services {
			v := 0.0
			if sv.Status == "RUNNING" {
				v = 1
			}
			up[fmt.Sprintf("host=%s,service=%s,", h.Name, sv.Name)] = v
		}
	}
	return up, readable
}

// serviceReads is how many /admin/hosts/{hostId}/services requests reached the fake.
func serviceReads(fake *fakenbu.Server) int {
	n := 0
	for _, h := range fake.Hosts() {
		n += fake.Requests("/admin/hosts/" + h.ID + "/services")
	}
	return n
}

// Every service of the primary and the media servers is reported, and nothing of the client; the
// host the primary cannot reach is unreadable, not failed.
func TestServicesReportEveryServerHost(t *testing.T) {
	e := newHostSecEnv(t, hostSecModule("services", "    services: {hosts_per_probe: 10}\n"), fakenbu.Options{})
	fams := e.probe(t, 0)
	up, readable := servicesFromFake(e.fake)
	equalSeries(t, "nbu_service_up", seriesValues(fams, "nbu_service_up"), up)
	equalSeries(t, "nbu_services_host_readable", seriesValues(fams, "nbu_services_host_readable"), readable)
	key := "host=" + fakenbu.DemoStoppedServiceHost + ",service=" + fakenbu.DemoStoppedService + ","
	if got := seriesValues(fams, "nbu_service_up")[key]; got != 0 {
		t.Errorf("nbu_service_up{%s} = %v, want 0 (STOPPED)", key, got)
	}
	if v := sumFamily(fams, "nbu_service_status", map[string]string{"service": "bmrd", "status": "DISABLED"}); v != 1 {
		t.Errorf("nbu_service_status of the DISABLED bmrd = %v, want 1", v)
	}
	if v := sumFamily(fams, "nbu_services_read_timestamp_seconds", map[string]string{"host": fakenbu.DemoUnreachableHost}); v != -1 && v != 0 {
		t.Errorf("the unreachable host has a read time: %v", v)
	}
	if v := sumFamily(fams, "nbu_services_read_timestamp_seconds", map[string]string{"host": "media01.example.com"}); v != float64(fixtureNow.Unix()) {
		t.Errorf("media01's read time = %v, want %v", v, fixtureNow.Unix())
	}
	if v := sumFamily(fams, "nbu_collector_success", map[string]string{"collector": "services"}); v != 1 {
		t.Errorf("services collector success = %v, want 1 (an unreachable host is data, not a failure)", v)
	}
	if v := sumFamily(fams, "nbu_services_dropped", nil); v != 0 {
		t.Errorf("nbu_services_dropped = %v, want 0", v)
	}
}

// At most services.hosts_per_probe hosts are read a probe, the others on the next probes; a host
// is read again once its state is services.cache_ttl old, and its last known state is reported
// in between; the host list is read again after services.hosts_cache_ttl.
func TestServicesReadsFewHostsAProbe(t *testing.T) {
	e := newHostSecEnv(t, hostSecModule("services", "    services: {hosts_per_probe: 2, cache_ttl: 10m, hosts_cache_ttl: 1h}\n"),
		fakenbu.Options{})
	probe := func(after time.Duration) (map[string]*dtoFamily, int, int) {
		e.fake.ResetCounters()
		fams := e.probe(t, after)
		return fams, e.fake.Requests("/config/hosts"), serviceReads(e.fake)
	}
	fams, lists, reads := probe(0)
	if lists != 2 || reads != 2 || len(seriesValues(fams, "nbu_services_host_readable")) != 2 {
		t.Fatalf("first probe: %d host-list and %d services requests, %d hosts reported; want 2, 2, 2", lists, reads, len(seriesValues(fams, "nbu_services_host_readable")))
	}
	fams, lists, reads = probe(time.Minute)
	_, readable := servicesFromFake(e.fake)
	if lists != 0 || reads != 2 {
		t.Errorf("second probe: %d host-list and %d services requests, want 0 and 2", lists, reads)
	}
	equalSeries(t, "nbu_services_host_readable", seriesValues(fams, "nbu_services_host_readable"), readable)
	for i := 0; i < 8; i++ {
		if fams, lists, reads = probe(time.Minute); lists+reads != 0 {
			t.Fatalf("probe %d within the TTLs sent %d requests", i+3, lists+reads)
		}
	}
	up, _ := servicesFromFake(e.fake)
	equalSeries(t, "nbu_service_up", seriesValues(fams, "nbu_service_up"), up)
	// 10 minutes after the first read: the two hosts read first are due again, not the others.
	if _, lists, reads = probe(time.Minute); lists != 0 || reads != 2 {
		t.Errorf("after cache_ttl: %d host-list and %d services requests, want 0 and 2", lists, reads)
	}
	if _, _, reads = probe(time.Minute); reads != 2 {
		t.Errorf("a minute later: %d services requests, want the other 2", reads)
	}
	if _, lists, _ = probe(50 * time.Minute); lists != 2 {
		t.Errorf("after hosts_cache_ttl: %d host-list requests, want 2", lists)
	}
}

// A host that leaves /config/hosts leaves the series at the next read of the list; a host added
// is read.
func TestServicesFollowTheHostList(t *testing.T) {
	e := newHostSecEnv(t, hostSecModule("services", "    services: {hosts_per_probe: 10, hosts_cache_ttl: 5m}\n"), fakenbu.Options{})
	e.probe(t, 0)
	hosts := e.fake.Hosts()
	var kept []fakenbu.Host
	for _, h := range hosts {
		if h.Name != fakenbu.DemoStoppedServiceHost {
			kept = append(kept, h)
		}
	}
	kept = append(kept, fakenbu.Host{ID: fakenbu.HostID("media09.example.com"), Name: "media09.example.com", Type: "MEDIA_SERVER",
		Services: []fakenbu.Service{{Name: "bpcd", Status: "RUNNING"}}})
	e.fake.SetHosts(kept)
	fams := e.probe(t, 5*time.Minute)
	if v := sumFamily(fams, "nbu_services_host_readable", map[string]string{"host": fakenbu.DemoStoppedServiceHost}); v != 0 {
		t.Errorf("a host no longer listed is still reported")
	}
	if v := sumFamily(fams, "nbu_service_up", map[string]string{"host": "media09.example.com", "service": "bpcd"}); v != 1 {
		t.Errorf("the new host's bpcd = %v, want 1", v)
	}
}

// A 403 on the host list or on a host's services skips the collector, with the reason; the skip
// is held for services.hosts_cache_ttl rather than asked again every probe.
func TestServicesForbiddenIsASkip(t *testing.T) {
	for _, endpoint := range []string{"/config/hosts", "/admin/hosts/" + fakenbu.HostID("nbu-primary.example.com") + "/services"} {
		t.Run(endpoint, func(t *testing.T) {
			e := newHostSecEnv(t, hostSecModule("services", ""), fakenbu.Options{})
			e.fake.FailEndpoint(endpoint, http.StatusForbidden)
			fams := e.probe(t, 0)
			if v := sumFamily(fams, "nbu_collector_skipped", map[string]string{"collector": "services"}); v != 1 {
				t.Errorf("nbu_collector_skipped = %v, want 1", v)
			}
			if v := sumFamily(fams, "nbu_service_up", nil); v != -1 {
				t.Errorf("a skipped collector reports services: %v", v)
			}
			if !strings.Contains(e.env.logs.String(), "lacks the permission") {
				t.Errorf("the log does not give the reason:\n%s", e.env.logs)
			}
			e.fake.ResetCounters()
			e.probe(t, time.Minute)
			if n := e.fake.TotalRequests(); n != 0 {
				t.Errorf("the next probe asked again: %d requests", n)
			}
			e.fake.FailEndpoint(endpoint, 0)
			fams = e.probe(t, time.Hour)
			if v := sumFamily(fams, "nbu_collector_success", map[string]string{"collector": "services"}); v != 1 {
				t.Errorf("after hosts_cache_ttl, with the permission granted: success %v, want 1", v)
			}
		})
	}
}

// A host whose release does not serve the list (501) or that NetBackup does not know (404) is
// unreadable, not a failure; a service without a status has no series; a host without a name is
// labelled with its id; past services.max_hosts hosts are counted.
func TestServicesOddHosts(t *testing.T) {
	e := newHostSecEnv(t, hostSecModule("services", "    services: {hosts_per_probe: 10, max_hosts: 3}\n"), fakenbu.Options{})
	hosts := e.fake.Hosts()
	for i := range hosts {
		switch hosts[i].Name {
		case "media01.example.com":
			hosts[i].ServicesStatus = http.StatusNotImplemented
		case "nbu-primary.example.com":
			hosts[i].Services = append(hosts[i].Services, fakenbu.Service{Name: "nbmystery"})
		case fakenbu.DemoStoppedServiceHost:
			hosts[i].Name = ""
		}
	}
	e.fake.SetHosts(hosts)
	fams := e.probe(t, 0)
	if v := sumFamily(fams, "nbu_services_host_readable", map[string]string{"host": "media01.example.com"}); v != 0 {
		t.Errorf("a host answering 501: readable %v, want 0", v)
	}
	for k := range seriesValues(fams, "nbu_service_up") {
		if strings.Contains(k, "nbmystery") {
			t.Errorf("a service without status has a series: %s", k)
		}
	}
	id := fakenbu.HostID(fakenbu.DemoStoppedServiceHost)
	if v := sumFamily(fams, "nbu_services_host_readable", map[string]string{"host": id}); v != 1 {
		t.Errorf("the host without a name, by its id %s: readable %v, want 1", id, v)
	}
	if v := sumFamily(fams, "nbu_services_dropped", map[string]string{"what": "hosts"}); v != 1 {
		t.Errorf("hosts dropped = %v, want 1 (4 servers, max_hosts 3)", v)
	}
	if v := sumFamily(fams, "nbu_collector_success", map[string]string{"collector": "services"}); v != 1 {
		t.Errorf("success = %v, want 1", v)
	}
}

// The endpoints are in every release's spec: on API 10.0 the collector reads them too.
func TestServicesOnAPI10(t *testing.T) {
	e := newHostSecEnv(t, hostSecModule("services", "    api_version: \"10.0\"\n    services: {hosts_per_probe: 10}\n"), fakenbu.Options{})
	fams := e.probe(t, 0)
	up, _ := servicesFromFake(e.fake)
	equalSeries(t, "nbu_service_up", seriesValues(fams, "nbu_service_up"), up)
}
