package main

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
	"github.com/netbackup-exporter/netbackup_exporter/internal/monitoring"
	"github.com/netbackup-exporter/netbackup_exporter/prober"
)

// prometheusMetrics are made by Prometheus itself, not by the exporter: the scrape's `up` and
// the alerting rules' ALERTS.
var prometheusMetrics = []string{"up", "ALERTS"}

// TestDashboardsAndRulesUseExistingMetrics extracts every metric name from every dashboard
// expression and alerting rule, and checks it against what the exporter returns: /probe of the
// in-repo fake with every collector on, and its own /metrics.
func TestDashboardsAndRulesUseExistingMetrics(t *testing.T) {
	dash, err := monitoring.DashboardExprs("dashboards")
	if err != nil {
		t.Fatal(err)
	}
	rules, err := monitoring.RuleExprs("alerts")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string][]string{} // metric -> where
	for _, e := range append(dash, rules...) {
		names, err := monitoring.MetricNames(e.Query)
		if err != nil {
			t.Errorf("%s: %v", e.File+": "+e.Where, err)
			continue
		}
		if len(names) == 0 {
			t.Errorf("%s: no metric in %q", e.File+": "+e.Where, e.Query)
		}
		for _, n := range names {
			used[n] = append(used[n], e.File+": "+e.Where)
		}
	}

	returned := exporterMetricNames(t)
	for _, n := range prometheusMetrics {
		returned[n] = true
	}
	for _, n := range sortedKeys(used) {
		issue, pending := monitoring.PendingMetrics[n]
		switch {
		case returned[n] && pending:
			t.Errorf("%s is returned now: delete its entry (issue %d) from monitoring.PendingMetrics", n, issue)
		case !returned[n] && !pending:
			t.Errorf("%s is not a metric the exporter returns (used by %s)", n, strings.Join(slices.Compact(used[n]), "; "))
		}
	}
	for n, issue := range monitoring.PendingMetrics {
		if used[n] == nil {
			t.Errorf("monitoring.PendingMetrics lists %s (issue %d), which no dashboard or rule uses: delete it", n, issue)
		}
	}
	if t.Failed() {
		t.Logf("the exporter returns: %s", strings.Join(sortedKeys(returned), " "))
	}
}

// exporterMetricNames is every series name the exporter returns: three probes (collectors that
// fill in over several probes have their series by then) of a fake primary holding the demo's
// data, with every collector of the registry on, and the exporter's own metrics.
func exporterMetricNames(t *testing.T) map[string]bool {
	t.Helper()
	// The data cmd/fakenbu serves the demo (newFake's 40 jobs queue none).
	now := time.Now()
	fake, target := newFake(t, fakenbu.Options{Now: func() time.Time { return now }}, nil)
	fake.SetJobs(fakenbu.GenerateJobs(1, 500, time.Hour, now))
	fake.SetDemo(now)
	// The same primary over TLS too, for the certificate's expiry.
	tlsSrv := httptest.NewTLSServer(fake)
	t.Cleanup(tlsSrv.Close)
	collectors := strings.Join(prober.Schema().Collectors, ", ")
	a := newTestApp(t, `modules:
  default:
    api_key: `+testKey+`
    api_key_tag: `+fakenbu.DemoAPIKeyTag+`
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    timeout: 20s
    collectors: [`+collectors+`]
  tls:
    api_key: `+testKey+`
    api_key_tag: `+fakenbu.DemoAPIKeyTag+`
    allowed_targets: ["127.0.0.1"]
    tls_config: {insecure_skip_verify: true}
    timeout: 20s
    collectors: [`+collectors+`]
`)
	names := map[string]bool{}
	for i := range 3 {
		for _, p := range []struct{ module, target string }{{"default", target}, {"tls", tlsSrv.URL + "/netbackup"}} {
			code, body := a.do(t, http.MethodGet, probeURL("/probe", p.module, p.target))
			if code != http.StatusOK || !strings.Contains(body, "\nprobe_success 1\n") {
				t.Fatalf("probe %d of %s: HTTP %d\n%s", i+1, p.module, code, body)
			}
			addNames(t, names, body)
		}
	}
	mfs, err := a.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		addFamily(names, mf)
	}
	return names
}

func addNames(t *testing.T, names map[string]bool, exposition string) {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(exposition))
	if err != nil {
		t.Fatalf("parsing the probe's answer: %v", err)
	}
	for _, mf := range mfs {
		addFamily(names, mf)
	}
}

// addFamily adds the names a family's series have in Prometheus: a histogram or summary is
// stored as _bucket/_sum/_count (a summary's quantiles under the family name).
func addFamily(names map[string]bool, mf *dto.MetricFamily) {
	n := mf.GetName()
	switch mf.GetType() {
	case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
		names[n+"_bucket"], names[n+"_sum"], names[n+"_count"] = true, true, true
	case dto.MetricType_SUMMARY:
		names[n], names[n+"_sum"], names[n+"_count"] = true, true, true
	default:
		names[n] = true
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
