package prober

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// anomalyCountsFromFake is what nbu_security_anomalies must say for a window of lookback.
func anomalyCountsFromFake(fake *fakenbu.Server, now time.Time, lookback time.Duration) map[string]float64 {
	want := map[string]float64{}
	for _, a := range fake.Anomalies() {
		if !a.Created.Before(now.Add(-lookback)) {
			want["severity="+a.Severity+",status="+a.Status+","]++
		}
	}
	return want
}

// On API 14.0 every part is read: the risk score and its settings, the anomalies of the week by
// status and severity, the expiry of the module's key.
func TestSecurityMetricsEqualFake(t *testing.T) {
	e := newHostSecEnv(t, hostSecModule("security", ""), fakenbu.Options{})
	fams := e.probe(t, 0)
	if v := sumFamily(fams, "nbu_security_risk_score", nil); v != fakenbu.DemoRiskScore {
		t.Errorf("nbu_security_risk_score = %v, want %v", v, fakenbu.DemoRiskScore)
	}
	risk, weight, value, state := map[string]float64{}, map[string]float64{}, map[string]float64{}, map[string]float64{}
	for _, set := range fakenbu.DemoHostsSecurity(fixtureNow, "x").Status.Settings {
		key := "setting=" + set.Name + ","
		risk[key], weight[key] = set.RiskScore, float64(set.Weight)
		switch v := set.Current.(type) {
		case bool:
			value[key] = boolGauge(v)
		case int:
			value[key] = float64(v)
		case float64:
			value[key] = v
		case string:
			state["setting="+set.Name+",state="+v+","] = 1
		}
	}
	equalSeries(t, "nbu_security_setting_risk_score", seriesValues(fams, "nbu_security_setting_risk_score"), risk)
	equalSeries(t, "nbu_security_setting_weight", seriesValues(fams, "nbu_security_setting_weight"), weight)
	equalSeries(t, "nbu_security_setting_value", seriesValues(fams, "nbu_security_setting_value"), value)
	equalSeries(t, "nbu_security_setting_state", seriesValues(fams, "nbu_security_setting_state"), state)
	equalSeries(t, "nbu_security_setting_baseline_risk_score", seriesValues(fams, "nbu_security_setting_baseline_risk_score"),
		map[string]float64{"setting=mfaEnforced,": 0})
	equalSeries(t, "nbu_security_anomalies", seriesValues(fams, "nbu_security_anomalies"),
		anomalyCountsFromFake(e.fake, fixtureNow, 7*24*time.Hour))
	if v := sumFamily(fams, "nbu_security_anomalies_truncated", nil); v != 0 {
		t.Errorf("nbu_security_anomalies_truncated = %v, want 0", v)
	}
	want := float64(fixtureNow.Add(fakenbu.DemoAPIKeyExpiresIn).Unix())
	if v := sumFamily(fams, "nbu_security_api_key_expiry_timestamp_seconds", nil); v != want {
		t.Errorf("nbu_security_api_key_expiry_timestamp_seconds = %v, want %v", v, want)
	}
	if v := sumFamily(fams, "nbu_collector_endpoint_skipped", nil); v != -1 {
		t.Errorf("endpoints skipped on 14.0: %v", seriesValues(fams, "nbu_collector_endpoint_skipped"))
	}
	// Within security.cache_ttl the next probe asks nothing.
	e.fake.ResetCounters()
	e.probe(t, 14*time.Minute)
	if n := e.fake.TotalRequests(); n != 0 {
		t.Errorf("a probe within cache_ttl sent %d requests", n)
	}
}

// On API 12.0 (NetBackup 10.5) the baseline comes without isBaselineSet: served only where set.
// On API 10.0 /security/status does not exist: that endpoint is skipped, the others reported.
func TestSecurityPerRelease(t *testing.T) {
	e := newHostSecEnv(t, hostSecModule("security", "    api_version: \"12.0\"\n"), fakenbu.Options{})
	fams := e.probe(t, 0)
	equalSeries(t, "nbu_security_setting_baseline_risk_score", seriesValues(fams, "nbu_security_setting_baseline_risk_score"),
		map[string]float64{"setting=mfaEnforced,": 0})

	e = newHostSecEnv(t, hostSecModule("security", "    api_version: \"10.0\"\n"), fakenbu.Options{})
	fams = e.probe(t, 0)
	if v := sumFamily(fams, "nbu_collector_endpoint_skipped", map[string]string{"collector": "security", "endpoint": "/security/status"}); v != 1 {
		t.Errorf("/security/status skipped = %v on 10.0, want 1", v)
	}
	if v := sumFamily(fams, "nbu_security_risk_score", nil); v != -1 {
		t.Errorf("risk score on 10.0: %v", v)
	}
	if e.fake.Requests("/security/status") != 0 {
		t.Errorf("/security/status asked on 10.0")
	}
	if v := sumFamily(fams, "nbu_collector_success", map[string]string{"collector": "security"}); v != 1 {
		t.Errorf("security collector success = %v, want 1", v)
	}
	if len(seriesValues(fams, "nbu_security_anomalies")) == 0 || sumFamily(fams, "nbu_security_api_key_expiry_timestamp_seconds", nil) <= 0 {
		t.Errorf("anomalies or key expiry missing on 10.0")
	}
}

// A 403 on one endpoint skips that endpoint and reports the others; on all of them, the
// collector is skipped, never failed.
func TestSecurityForbidden(t *testing.T) {
	e := newHostSecEnv(t, hostSecModule("security", ""), fakenbu.Options{})
	e.fake.FailEndpoint("/security/anomalies", http.StatusForbidden)
	fams := e.probe(t, 0)
	if v := sumFamily(fams, "nbu_collector_endpoint_skipped", map[string]string{"collector": "security", "endpoint": "/security/anomalies"}); v != 1 {
		t.Errorf("anomalies skipped = %v, want 1", v)
	}
	if v := sumFamily(fams, "nbu_collector_success", map[string]string{"collector": "security"}); v != 1 {
		t.Errorf("success = %v, want 1", v)
	}
	if sumFamily(fams, "nbu_security_risk_score", nil) != fakenbu.DemoRiskScore || sumFamily(fams, "nbu_security_anomalies", nil) != -1 {
		t.Errorf("with anomalies forbidden: want the risk score and no anomaly counts")
	}

	e = newHostSecEnv(t, hostSecModule("security", ""), fakenbu.Options{})
	for _, ep := range []string{"/security/status", "/security/anomalies", "/security/api-keys"} {
		e.fake.FailEndpoint(ep, http.StatusForbidden)
	}
	fams = e.probe(t, 0)
	if v := sumFamily(fams, "nbu_collector_skipped", map[string]string{"collector": "security"}); v != 1 {
		t.Errorf("all forbidden: nbu_collector_skipped = %v, want 1", v)
	}
	if !strings.Contains(e.env.logs.String(), "lacks the permission") {
		t.Errorf("the log does not give the reason:\n%s", e.env.logs)
	}
}

// Without api_key_tag the keys are not read; a tag no key has fails the collector (a typo in
// modules.yml) and the other parts are still reported.
func TestSecurityAPIKeyTag(t *testing.T) {
	e := newHostSecEnv(t, strings.Replace(hostSecModule("security", ""), "    api_key_tag: "+fakenbu.DemoAPIKeyTag+"\n", "", 1), fakenbu.Options{})
	fams := e.probe(t, 0)
	if e.fake.Requests("/security/api-keys") != 0 || sumFamily(fams, "nbu_security_api_key_expiry_timestamp_seconds", nil) != -1 {
		t.Errorf("without api_key_tag the keys were read")
	}

	e = newHostSecEnv(t, strings.Replace(hostSecModule("security", ""), fakenbu.DemoAPIKeyTag, "no-such-tag", 1), fakenbu.Options{})
	e.clock.Advance(0)
	w := e.env.probe(t, probeQuery("hs", e.url), nil)
	fams = parseExposition(t, w.Body.String())
	if v := sumFamily(fams, "nbu_collector_success", map[string]string{"collector": "security"}); v != 0 {
		t.Errorf("a tag no key has: success %v, want 0", v)
	}
	if !strings.Contains(e.env.logs.String(), "no-such-tag") {
		t.Errorf("the error does not name the tag:\n%s", e.env.logs)
	}
	if sumFamily(fams, "nbu_security_risk_score", nil) != fakenbu.DemoRiskScore {
		t.Errorf("the risk score is missing when the key is not found")
	}
}

// The anomaly count stops at security.max_anomalies, and says so.
func TestSecurityAnomaliesBounded(t *testing.T) {
	e := newHostSecEnv(t, hostSecModule("security", "    security: {max_anomalies: 2, anomalies_lookback: 60d}\n"), fakenbu.Options{})
	var many []fakenbu.Anomaly
	for i := range 250 {
		many = append(many, fakenbu.Anomaly{ID: "a" + string(rune('A'+i%26)) + strings.Repeat("x", i/26), Created: fixtureNow.Add(-time.Duration(i) * time.Minute),
			Status: "NOT_REVIEWED", Severity: "LOW"})
	}
	e.fake.SetAnomalies(many)
	fams := e.probe(t, 0)
	if v := sumFamily(fams, "nbu_security_anomalies", nil); v != 2 {
		t.Errorf("anomalies counted = %v, want 2", v)
	}
	if v := sumFamily(fams, "nbu_security_anomalies_truncated", nil); v != 1 {
		t.Errorf("truncated = %v, want 1", v)
	}
	if n := e.fake.Requests("/security/anomalies"); n != 1 {
		t.Errorf("%d anomaly pages read to count 2, want 1", n)
	}
}

// Budget: with services and security on at their defaults, an hour of probes every 60 s against
// the demo's primary (four servers) costs at most one NetBackup request a probe on average.
func TestServicesAndSecurityRequestBudget(t *testing.T) {
	e := newHostSecEnv(t, hostSecModule("services, security", ""), fakenbu.Options{})
	e.probe(t, 0) // the first probe also detects the API version
	e.fake.ResetCounters()
	const probes = 60
	for range probes {
		e.probe(t, time.Minute)
	}
	services := e.fake.Requests("/config/hosts") + serviceReads(e.fake)
	security := e.fake.Requests("/security/status") + e.fake.Requests("/security/anomalies") + e.fake.Requests("/security/api-keys")
	if total := e.fake.TotalRequests(); total != services+security {
		t.Errorf("%d requests, %d of them neither services nor security", total, total-services-security)
	}
	t.Logf("requests per probe over %d probes: services %.3f, security %.3f", probes, float64(services)/probes, float64(security)/probes)
	if per := float64(services+security) / probes; per > 1 {
		t.Errorf("services and security cost %.2f requests a probe, want at most 1", per)
	}
}
