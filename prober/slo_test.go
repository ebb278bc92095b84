package prober

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

const sloYAML = `
modules:
  plans:
    timeout: 10s
    api_key: ` + testKey + `
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    collectors: [slo]
  smallpages:
    timeout: 10s
    api_key: ` + testKey + `
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    collectors: [slo]
    slo: {page_size: 20, cache_ttl: 0s}
    max_series: 30
`

func newSLOEnv(t *testing.T, plans []fakenbu.SLO) (*fakenbu.Server, string, *testEnv, *clock) {
	t.Helper()
	fake, srv := newFake(t, fakenbu.Options{})
	fake.SetSLOs(plans)
	c := newClock(fixtureNow)
	return fake, srv.URL + "/netbackup", newTestEnvAt(t, mustConfig(t, sloYAML), c), c
}

// The plan count and each plan's subscriptions equal the fake's.
func TestSLOMetricsEqualFake(t *testing.T) {
	plans := fakenbu.DemoSLOs()
	_, target, env, _ := newSLOEnv(t, plans)
	mfs := probeDevices(t, env, "plans", target)
	if v := sumFamily(mfs, "probe_success", nil); v != 1 {
		t.Fatalf("probe_success = %v; logs:\n%s", v, env.logs)
	}
	if v := sumFamily(mfs, "nbu_slo_count", nil); v != float64(len(plans)) {
		t.Errorf("nbu_slo_count = %v, want %d", v, len(plans))
	}
	want := map[string]float64{}
	for _, p := range plans {
		want[p.Name+"|"+p.WorkloadType] = float64(p.Subscriptions)
	}
	checkSeries(t, mfs, "nbu_slo_subscriptions", want)
	checkSeries(t, mfs, "nbu_last_scrape_timestamp_seconds", map[string]float64{"slo": float64(fixtureNow.Unix())})
}

// The list is read to its end over pages the spec gives no meta for; a plan sent without its
// subscriptionCount is counted, and has no subscription series; max_series cuts the per-plan
// series, never the count.
func TestSLOPagesAbsentCountAndBound(t *testing.T) {
	var plans []fakenbu.SLO
	for i := range 45 {
		plans = append(plans, fakenbu.SLO{ID: fmt.Sprintf("guid-%02d", i), Name: fmt.Sprintf("plan-%02d", i), WorkloadType: "VMWARE",
			Subscriptions: i, NoSubscriptionCount: i%10 == 0})
	}
	fake, target, env, _ := newSLOEnv(t, plans)
	mfs := probeDevices(t, env, "smallpages", target)
	if v := sumFamily(mfs, "nbu_slo_count", nil); v != 45 {
		t.Errorf("nbu_slo_count = %v, want 45", v)
	}
	got := series(mfs, "nbu_slo_subscriptions")
	if len(got) != 28 {
		t.Errorf("%d subscription series, want 28", len(got))
	}
	for k := range got {
		if strings.HasSuffix(strings.Split(k, "|")[0], "0") {
			t.Errorf("plan %s has a subscription series but was sent without subscriptionCount", k)
		}
	}
	// max_series 30: the count, the fetch time, and 28 of the 40 plans that give a count.
	if v := gaugeValue(mfs, "nbu_series_dropped", "collector", "slo"); v != 12 {
		t.Errorf("nbu_series_dropped{collector=slo} = %v, want 12", v)
	}
	if r := fake.Requests("/servicecatalog/slos"); r != 3 {
		t.Errorf("%d requests for 45 plans at 20 a page, want 3", r)
	}
}

// slo is off by default; when on it reads the plans once per slo.cache_ttl (1h).
func TestSLOOffByDefaultAndCachedAnHour(t *testing.T) {
	if m := Schema().DefaultModule(); m.Enabled("slo") {
		t.Error("slo is on by default")
	}
	fake, target, env, c := newSLOEnv(t, fakenbu.DemoSLOs())
	for _, advance := range []time.Duration{0, 30 * time.Minute, 29 * time.Minute, 2 * time.Minute} {
		c.Advance(advance)
		probeDevices(t, env, "plans", target)
	}
	// Each read is two requests: the demo's six plans, then the empty page that says they are all.
	if n := fake.Requests("/servicecatalog/slos"); n != 4 {
		t.Errorf("%d requests in 61 minutes, want 4 (two reads)", n)
	}
}

// A role without the protection-plan permission (403), or a primary without the service catalog
// (404), has the collector skipped; the probe succeeds.
func TestSLOSkippedOn403And404(t *testing.T) {
	for _, status := range []int{http.StatusForbidden, http.StatusNotFound} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			fake, target, env, _ := newSLOEnv(t, fakenbu.DemoSLOs())
			fake.FailEndpoint("/servicecatalog/slos", status)
			mfs := probeDevices(t, env, "plans", target)
			if v := sumFamily(mfs, "probe_success", nil); v != 1 {
				t.Errorf("probe_success = %v, want 1", v)
			}
			checkSeries(t, mfs, "nbu_collector_skipped", map[string]float64{"slo": 1})
			if mfs["nbu_slo_count"] != nil {
				t.Error("nbu_slo_count reported by a skipped collector")
			}
		})
	}
}
