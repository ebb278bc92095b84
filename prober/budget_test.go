package prober

import (
	"strings"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// newCollectorEndpoints are the endpoints of the collectors issue 22 added (storage_servers, slo,
// licensing, certificates, services, security): what their request budget counts.
var newCollectorEndpoints = []string{
	"/storage/storage-servers", "/servicecatalog/slos", "/licensing/", "/security/serverinfo",
	"/security/certificates", "/config/hosts", "/admin/hosts/", "/security/status",
	"/security/anomalies", "/security/api-keys",
}

func isNewCollectorEndpoint(endpoint string) bool {
	for _, e := range newCollectorEndpoints {
		if endpoint == e || strings.HasSuffix(e, "/") && strings.HasPrefix(endpoint, e) {
			return true
		}
	}
	return false
}

// With every collector on and a probe every 60 s, the new collectors together add at most two
// NetBackup requests per probe on average over an hour (the fake's request count, the first
// probe's reads included).
func TestNewCollectorsRequestBudget(t *testing.T) {
	c := newClock(fixtureNow)
	fake, srv := newFake(t, fakenbu.Options{Now: c.Now})
	fake.SetDemo(fixtureNow)
	yml := strings.Replace(everythingYAML, "    insecure_http: true\n",
		"    insecure_http: true\n    api_key_tag: "+fakenbu.DemoAPIKeyTag+"\n", 1)
	env := newTestEnv(t, mustConfig(t, yml))
	env.handler.Now = c.Now
	query := probeQuery("everything", srv.URL+"/netbackup")

	const probes = 60
	for i := range probes {
		if i > 0 {
			c.Advance(time.Minute)
		}
		w := env.probe(t, query, nil)
		if !strings.Contains(w.Body.String(), "\nprobe_success 1\n") {
			t.Fatalf("probe %d failed:\n%s\n%s", i, w.Body, env.logs)
		}
	}
	added := map[string]int{}
	total := 0
	for endpoint, n := range fake.RequestCounts() {
		if isNewCollectorEndpoint(endpoint) {
			added[endpoint] += n
			total += n
		}
	}
	per := float64(total) / probes
	t.Logf("the new collectors sent %d requests in %d probes a minute apart: %.3f a probe %v", total, probes, per, added)
	if total == 0 {
		t.Fatal("no request of the new collectors was counted: the budget proves nothing")
	}
	if per > 2 {
		t.Errorf("the new collectors add %.2f requests a probe, want at most 2", per)
	}
}
