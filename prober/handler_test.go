package prober

import (
	"encoding/pem"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

var update = flag.Bool("update", false, "rewrite golden files")

func newTestRegistry() *prometheus.Registry { return prometheus.NewRegistry() }

func TestProbeFixtureExposition(t *testing.T) {
	_, srv := newFake(t, fakenbu.Options{})
	env := newTestEnv(t, mustConfig(t, testModulesYAML))
	w := env.probe(t, probeQuery("default", srv.URL+"/netbackup"), nil)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	got := stripVolatile(w.Body.String())
	golden := filepath.Join("testdata", "probe_fixture.prom")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./prober -run TestProbeFixtureExposition -update)", err)
	}
	if got != string(want) {
		t.Errorf("exposition differs from %s:\n--- got\n%s\n--- logs\n%s", golden, got, env.logs)
	}
}

func TestProbeRejectsBadRequests(t *testing.T) {
	fake, srv := newFake(t, fakenbu.Options{})
	env := newTestEnv(t, mustConfig(t, testModulesYAML))
	good := srv.URL + "/netbackup"
	tests := []struct {
		name, method, query string
		header              http.Header
		wantCode            int
		wantBody            string
	}{
		{"missing target", "GET", "module=default", nil, 400, `parameter "target" is missing`},
		{"empty target", "GET", "module=default&target=", nil, 400, `parameter "target" is empty`},
		{"repeated target", "GET", "target=127.0.0.1&target=10.0.0.1", nil, 400, `"target" given 2 times`},
		{"unknown module", "GET", probeQuery("nope", good), nil, 400, `unknown module "nope"`},
		{"repeated module", "GET", "module=default&module=pinned&target=127.0.0.1", nil, 400, `"module" given 2 times`},
		{"bad target", "GET", probeQuery("default", "ftp://127.0.0.1"), nil, 400, `scheme "ftp" not supported`},
		{"crlf target", "GET", "target=127.0.0.1%0d%0aHost:x", nil, 400, "control character"},
		{"target not allowed", "GET", probeQuery("elsewhere", good), nil, 403, `module "elsewhere" may not be used against target`},
		{"http without insecure_http", "GET", probeQuery("httpsonly", good), nil, 403, `http:// would send its API key in clear`},
		{"bad scrape timeout", "GET", probeQuery("default", good), http.Header{"X-Prometheus-Scrape-Timeout-Seconds": {"soon"}}, 400, "invalid value"},
		{"post", "POST", probeQuery("default", good), nil, 405, "method POST not allowed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "/probe?"+tc.query, nil)
			for k, v := range tc.header {
				r.Header[k] = v
			}
			w := httptest.NewRecorder()
			env.handler.ServeHTTP(w, r)
			if w.Code != tc.wantCode || !strings.Contains(w.Body.String(), tc.wantBody) {
				t.Errorf("got %d %q, want %d containing %q", w.Code, w.Body, tc.wantCode, tc.wantBody)
			}
		})
	}
	if n := fake.TotalRequests(); n != 0 {
		t.Errorf("rejected probes made %d requests to NetBackup, want 0", n)
	}
}

func TestProbeDefaultModule(t *testing.T) {
	_, srv := newFake(t, fakenbu.Options{})
	env := newTestEnv(t, mustConfig(t, testModulesYAML))
	w := env.probe(t, "target="+srv.URL+"/netbackup", nil)
	if !strings.Contains(w.Body.String(), "probe_success 1") {
		t.Errorf("module absent should mean default and succeed:\n%s", w.Body)
	}
}

func TestProbeWrongKeyFailsWithoutRetry(t *testing.T) {
	fake, srv := newFake(t, fakenbu.Options{})
	env := newTestEnv(t, mustConfig(t, testModulesYAML))
	w := env.probe(t, probeQuery("badkey", srv.URL+"/netbackup"), nil)
	body := w.Body.String()
	if w.Code != http.StatusOK {
		t.Fatalf("a failed probe is HTTP 200, got %d", w.Code)
	}
	for _, want := range []string{"probe_success 0", "nbu_up 0", `nbu_collector_success{collector="jobs"} 0`, "probe_timeout_seconds 10"} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %q in\n%s", want, body)
		}
	}
	if n := fake.TotalRequests(); n != 1 {
		t.Errorf("a 401 must stop the version ladder at once: %d requests, want 1", n)
	}
	if strings.Contains(env.logs.String(), "wrong-key-wrong-key") {
		t.Errorf("API key in logs:\n%s", env.logs)
	}
}

func TestProbeVersions(t *testing.T) {
	tests := []struct {
		name, module string
		served       []string
		wantVersion  string
		wantSuccess  bool
	}{
		{"auto picks newest served", "default", []string{"13.0", "12.0"}, "13.0", true},
		{"auto falls back to 10.0", "default", []string{"10.0"}, "10.0", true},
		{"pinned and served", "pinned", []string{"14.0", "12.0"}, "12.0", true},
		{"pinned not served", "pinned", []string{"14.0"}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := newFake(t, fakenbu.Options{Versions: tc.served})
			env := newTestEnv(t, mustConfig(t, testModulesYAML))
			body := env.probe(t, probeQuery(tc.module, srv.URL+"/netbackup"), nil).Body.String()
			if tc.wantVersion != "" && !strings.Contains(body, `nbu_api_version{version="`+tc.wantVersion+`"} 1`) {
				t.Errorf("want version %s:\n%s", tc.wantVersion, body)
			}
			wantSuccess := "probe_success 0"
			if tc.wantSuccess {
				wantSuccess = "probe_success 1"
			}
			if !strings.Contains(body, wantSuccess) {
				t.Errorf("want %q:\n%s\n%s", wantSuccess, body, env.logs)
			}
		})
	}
}

// The probe must answer by its deadline even when NetBackup accepts and never answers.
func TestProbeHangingServerEndsByDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	env := newTestEnv(t, mustConfig(t, testModulesYAML))
	w := env.probe(t, "debug=true&"+probeQuery("default", srv.URL+"/netbackup"),
		http.Header{"X-Prometheus-Scrape-Timeout-Seconds": {"1"}})
	body := w.Body.String()
	for _, want := range []string{"probe_success 0", "probe_timeout_seconds 0.5", "context deadline exceeded"} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %q in\n%s", want, body)
		}
	}
}

func TestProbeStorageIsCached(t *testing.T) {
	fake, srv := newFake(t, fakenbu.Options{})
	env := newTestEnv(t, mustConfig(t, testModulesYAML))
	for i := 0; i < 3; i++ {
		if body := env.probe(t, probeQuery("storageonly", srv.URL+"/netbackup"), nil).Body.String(); !strings.Contains(body, "probe_success 1") {
			t.Fatalf("probe %d failed:\n%s", i, body)
		}
	}
	if n := fake.Requests("/storage/storage-units"); n != 1 {
		t.Errorf("storage-units requested %d times over 3 probes within the cache TTL, want 1", n)
	}
}

func TestProbeDebugOutputHidesKey(t *testing.T) {
	_, srv := newFake(t, fakenbu.Options{})
	env := newTestEnv(t, mustConfig(t, testModulesYAML))
	w := env.probe(t, "debug=true&"+probeQuery("default", srv.URL+"/netbackup"), nil)
	body := w.Body.String()
	for _, want := range []string{"Logs for the probe:", "level=debug", "Metrics that would have been returned:",
		"probe_success 1", "Module configuration:", "api_key: <secret>"} {
		if !strings.Contains(body, want) {
			t.Errorf("debug output lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, testKey) {
		t.Errorf("debug output contains the API key")
	}
	list := env.handler.History.List()
	if len(list) != 1 || !list[0].Success {
		t.Fatalf("history = %+v", list)
	}
	if got, ok := env.handler.History.Get(list[0].ID); !ok || !strings.Contains(got.DebugOutput, "probe_success 1") || strings.Contains(got.DebugOutput, testKey) {
		t.Errorf("history debug output = %q", got.DebugOutput)
	}
}

func TestProbeTLSWithModuleCA(t *testing.T) {
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: func() time.Time { return fixtureNow }})
	fake.SetJobs(fixtureJobs())
	fake.SetStorageUnits(fixtureStorage())
	srv := httptest.NewTLSServer(fake)
	defer srv.Close()
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	yml := `
modules:
  withca:
    api_key: ` + testKey + `
    tls_config: {ca_file: ` + caFile + `}
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
  noca:
    api_key: ` + testKey + `
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
`
	env := newTestEnv(t, mustConfig(t, yml))
	if body := env.probe(t, probeQuery("withca", srv.URL), nil).Body.String(); !strings.Contains(body, "probe_success 1") {
		t.Errorf("TLS with the module's CA should succeed:\n%s\n%s", body, env.logs)
	}
	body := env.probe(t, "debug=true&"+probeQuery("noca", srv.URL), nil).Body.String()
	if !strings.Contains(body, "probe_success 0") || !strings.Contains(body, "certificate") {
		t.Errorf("TLS without the CA must fail naming the certificate problem:\n%s", body)
	}
}

// The counts a probe reports equal what the primary holds, over several pages.
func TestProbeCountsMatchServer(t *testing.T) {
	fake, srv := newFake(t, fakenbu.Options{})
	jobs := fakenbu.GenerateJobs(7, 500, 2*time.Hour, fixtureNow)
	fake.SetJobs(jobs)
	env := newTestEnv(t, mustConfig(t, testModulesYAML))
	w := env.probe(t, probeQuery("default", srv.URL+"/netbackup"), nil)
	families := parseExposition(t, w.Body.String())

	since := fixtureNow.Add(-time.Hour)
	var wantEnded, wantBytes, wantActive float64
	for _, j := range jobs {
		if !j.EndTime.IsZero() && j.EndTime.After(since) {
			wantEnded++
			wantBytes += float64(j.KilobytesTransferred) * 1024
		}
		if j.State == "ACTIVE" {
			wantActive++
		}
	}
	if got := sumFamily(families, "nbu_jobs_count", nil); got != wantEnded || wantEnded == 0 {
		t.Errorf("nbu_jobs_count sums to %v, fake holds %v ended jobs in the window", got, wantEnded)
	}
	if got := sumFamily(families, "nbu_jobs_bytes", nil); got != wantBytes {
		t.Errorf("nbu_jobs_bytes sums to %v, want %v", got, wantBytes)
	}
	if got := sumFamily(families, "nbu_jobs_state_count", map[string]string{"state": "ACTIVE"}); got != wantActive {
		t.Errorf("ACTIVE jobs = %v, want %v", got, wantActive)
	}
}

func TestConcurrentProbesShareState(t *testing.T) {
	fake, srv := newFake(t, fakenbu.Options{})
	env := newTestEnv(t, mustConfig(t, testModulesYAML))
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if body := env.probe(t, probeQuery("storageonly", srv.URL+"/netbackup"), nil).Body.String(); !strings.Contains(body, "probe_success 1") {
				t.Errorf("probe failed:\n%s", body)
			}
		}()
	}
	wg.Wait()
	if n := fake.Requests("/storage/storage-units"); n != 1 {
		t.Errorf("20 concurrent probes fetched storage units %d times, want 1", n)
	}
	if n := env.handler.Sessions.Len(); n != 1 {
		t.Errorf("sessions = %d, want 1", n)
	}
}

func parseExposition(t testing.TB, s string) map[string]*dto.MetricFamily {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := parser.TextToMetricFamilies(strings.NewReader(s))
	if err != nil {
		t.Fatalf("parse exposition: %v\n%s", err, s)
	}
	return mfs
}

func sumFamily(mfs map[string]*dto.MetricFamily, name string, match map[string]string) float64 {
	mf := mfs[name]
	if mf == nil {
		return -1
	}
	var sum float64
next:
	for _, m := range mf.GetMetric() {
		for _, lp := range m.GetLabel() {
			if v, ok := match[lp.GetName()]; ok && v != lp.GetValue() {
				continue next
			}
		}
		sum += m.GetGauge().GetValue() + m.GetCounter().GetValue() + m.GetUntyped().GetValue()
	}
	return sum
}
