package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
	"github.com/netbackup-exporter/netbackup_exporter/internal/specs"
	"github.com/netbackup-exporter/netbackup_exporter/prober"
)

// TestCollectorsFollowEachReleaseSpec probes, for each release of Veritas's specs (the table of
// package specs, 11.2 with the files its bundle lacks taken from older releases), a fake primary
// holding every request to that release's spec, with every collector the exporter has, in three
// modules: an API key and the default settings, a login, and small pages (so that every list is
// read past its first page); twice each (the second probe reads incrementally). Every request must
// follow the spec; every collector must succeed or be skipped by version; and the only requests in
// another API version must be the detection ladder's rungs above the release's.
func TestCollectorsFollowEachReleaseSpec(t *testing.T) {
	table, err := specs.Load()
	if err != nil {
		t.Fatal(err)
	}
	collectors := prober.Schema().Collectors
	for _, release := range table.Releases() {
		t.Run(release, func(t *testing.T) {
			fake, target := newStrictFake(t, release)
			every := "collectors: [" + strings.Join(collectors, ", ") + "]"
			a := newTestApp(t, configYAML(
				moduleYAML("key", "api_key: "+testKey, every),
				moduleYAML("login", "username: monitor", "password: "+testPassword, every),
				moduleYAML("pages", "api_key: "+testKey, every, "jobs: {page_size: 7}", "storage: {page_size: 1}",
					"slp: {page_size: 1}", "alerts: {page_size: 50}"),
			))
			for _, module := range []string{"key", "login", "pages"} {
				before := len(fake.VersionProbes())
				skipped := probeAndCheckCollectors(t, a, module, target, collectors)
				if !t.Failed() { // a second probe after a failed one would only repeat its errors
					probeAndCheckCollectors(t, a, module, target, collectors)
				}
				checkVersionProbes(t, table, release, module, fake.VersionProbes()[before:])
				if module == "key" {
					t.Logf("%s: skipped %v", release, skipped)
				}
			}
			t.Logf("%s: %d requests; endpoints of other releases answered 404: %v", release, fake.TotalRequests(), fake.AbsentEndpoints())
			if violations, n := fake.Violations(); n > 0 {
				t.Errorf("%d requests depart from the %s spec:\n%s", n, release, strings.Join(violations, "\n"))
			}
			// A 404 for an endpoint the release has would pass a collector's skip off as the release's.
			if unserved := fake.Unserved(); len(unserved) > 0 {
				t.Errorf("the fake lacks endpoints of the %s spec:\n%s", release, strings.Join(unserved, "\n"))
			}
		})
	}
}

const testPassword = "spec-test-password-5d6e7f"

// newStrictFake starts a fake primary holding requests to release's spec, with jobs and the
// demo's storage, devices and protection posture, and the accounts of testKey and monitor.
func newStrictFake(t *testing.T, release string) (*fakenbu.Server, string) {
	t.Helper()
	now := time.Now()
	fake := fakenbu.New(fakenbu.Options{
		APIKeys: []string{testKey},
		Users:   []fakenbu.User{{Name: "monitor", Password: testPassword}},
		Now:     func() time.Time { return now },
		Strict:  release,
	})
	fake.SetJobs(fakenbu.GenerateJobs(1, 250, time.Hour, now))
	fake.SetDemo(now)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, srv.URL + "/netbackup"
}

// probeAndCheckCollectors probes module and wants probe_success 1 and, for every collector,
// nbu_collector_success 1 or nbu_collector_skipped 1. It returns what was skipped: collectors, and
// endpoints of collectors that succeeded without them.
func probeAndCheckCollectors(t *testing.T, a *testApp, module, target string, collectors []string) []string {
	t.Helper()
	code, body := a.do(t, "GET", probeURL("/probe", module, target))
	if code != http.StatusOK {
		t.Fatalf("probe of module %s: HTTP %d\n%s", module, code, body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("probe of module %s: parsing the answer: %v\n%s", module, err, body)
	}
	if got := value(families["probe_success"], ""); got != "1" {
		t.Errorf("module %s: probe_success %s", module, got)
	}
	var skips, failed []string
	for _, c := range collectors {
		success, skipped := value(families["nbu_collector_success"], c), value(families["nbu_collector_skipped"], c)
		if skipped == "1" {
			skips = append(skips, c)
		}
		if success != "1" && skipped != "1" {
			failed = append(failed, fmt.Sprintf("%s (success %s, skipped %s)", c, success, skipped))
		}
	}
	if len(failed) > 0 {
		_, debug := a.do(t, "GET", probeURL("/probe", module, target, "debug", "true"))
		logs, _, _ := strings.Cut(debug, "\n\nMetrics that would have been returned:")
		t.Errorf("module %s: collectors neither succeeded nor skipped: %s\n%s", module, strings.Join(failed, ", "), logs)
	}
	for _, m := range families["nbu_collector_endpoint_skipped"].GetMetric() {
		var labels []string
		for _, l := range m.GetLabel() {
			labels = append(labels, l.GetValue())
		}
		skips = append(skips, strings.Join(labels, " "))
	}
	return skips
}

// value returns the gauge of mf whose collector label is collector ("" = the unlabelled one),
// "absent" when there is none.
func value(mf *dto.MetricFamily, collector string) string {
	if mf == nil {
		return "absent"
	}
	for _, m := range mf.GetMetric() {
		var label string
		for _, l := range m.GetLabel() {
			if l.GetName() == "collector" {
				label = l.GetValue()
			}
		}
		if label == collector {
			return fmt.Sprint(m.GetGauge().GetValue())
		}
	}
	return "absent"
}

// checkVersionProbes wants the requests module's session sent in another API version to be the
// detection ladder above release's, newest first, each version once and nothing after: GET
// /admin/jobs?page[limit]=1 for the key module, and for the login module the POST /login that
// precedes it, which the 406 already answers.
func checkVersionProbes(t *testing.T, table *specs.Table, release, module string, probes []string) {
	t.Helper()
	var want []string
	for _, rel := range slices.Backward(table.Releases()) {
		if rel == release {
			break
		}
		if module == "login" {
			want = append(want, "POST /login "+table.APIVersion(rel))
		} else {
			want = append(want, "GET /admin/jobs "+table.APIVersion(rel))
		}
	}
	if !slices.Equal(probes, want) {
		t.Errorf("module %s: requests in another API version than %s's:\n  %s\nwant the detection ladder:\n  %s",
			module, release, strings.Join(probes, "\n  "), strings.Join(want, "\n  "))
	}
}
