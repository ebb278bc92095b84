package prober

import (
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// An hour of probes every 60 s at the defaults (demo data): storage_servers reads its one page
// once per 5 minutes, slo its plans once per hour (a page and the empty page after it). That is
// 12 and 2 requests in 60 probes, 0.2 and 0.033 a probe: the budget for every new
// collector together is 2.
func TestStorageServersAndSLORequestsPerProbeAtDefaults(t *testing.T) {
	fake, srv := newFake(t, fakenbu.Options{})
	fake.SetStorageServers(fakenbu.DemoStorageServers())
	fake.SetSLOs(fakenbu.DemoSLOs())
	c := newClock(fixtureNow)
	env := newTestEnvAt(t, mustConfig(t, `
modules:
  both:
    timeout: 10s
    api_key: `+testKey+`
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    collectors: [storage_servers, slo]
`), c)
	target := srv.URL + "/netbackup"
	fake.ResetCounters()
	const probes = 60
	for i := range probes {
		if i > 0 {
			c.Advance(time.Minute)
		}
		mfs := probeDevices(t, env, "both", target)
		if sumFamily(mfs, "probe_success", nil) != 1 {
			t.Fatalf("probe %d failed:\n%s", i, env.logs)
		}
	}
	servers, plans := fake.Requests("/storage/storage-servers"), fake.Requests("/servicecatalog/slos")
	t.Logf("%d probes: /storage/storage-servers %d requests (%.3f a probe), /servicecatalog/slos %d (%.3f a probe), all endpoints %d",
		probes, servers, float64(servers)/probes, plans, float64(plans)/probes, fake.TotalRequests())
	if servers != 12 || plans != 2 {
		t.Errorf("requests in an hour: storage servers %d, want 12; plans %d, want 2", servers, plans)
	}
}
