package main

import (
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
	"github.com/netbackup-exporter/netbackup_exporter/internal/monitoring"
)

func TestDebugOutput(t *testing.T) {
	_, target := newFake(t, fakenbu.Options{}, nil)
	a := newTestApp(t, configYAML(moduleYAML("default", "api_key: "+testKey, "timeout: 13s")))

	code, body := a.do(t, "GET", probeURL("/probe", "default", target, "debug", "true"))
	if code != http.StatusOK {
		t.Fatalf("debug probe: %d\n%s", code, body)
	}
	logs, rest, ok := strings.Cut(body, "\n\nMetrics that would have been returned:\n")
	metrics, module, ok2 := strings.Cut(rest, "\n\nModule configuration:\n")
	if !ok || !ok2 || !strings.HasPrefix(logs, "Logs for the probe:\n") {
		t.Fatalf("debug output lacks its sections:\n%s", body)
	}
	// The exporter logs at info; the probe's own log keeps its debug lines all the same.
	if !regexp.MustCompile(`(?m)^level=debug .*msg="beginning probe"`).MatchString(logs) {
		t.Errorf("no debug-level log line in the probe's log:\n%s", logs)
	}
	if strings.Contains(a.logs.String(), "level=debug") {
		t.Errorf("debug lines reached the exporter's log at --log.level=info:\n%s", a.logs)
	}
	for _, want := range []string{"\nprobe_success 1\n", "# TYPE nbu_up gauge\nnbu_up 1\n", "nbu_disk_bytes{"} {
		if !strings.Contains("\n"+metrics, want) {
			t.Errorf("metrics section lacks %q:\n%s", want, metrics)
		}
	}
	for _, want := range []string{"api_key: <secret>\n", "timeout: 13s\n", "- 127.0.0.1\n"} {
		if !strings.Contains(module, want) {
			t.Errorf("module section lacks %q:\n%s", want, module)
		}
	}
	assertNoSecret(t, "debug output", body)
}

// probeFailureThenSuccesses runs one failing probe (a key the fake refuses), then n good ones.
func probeFailureThenSuccesses(t *testing.T, a *testApp, target string, n int) {
	t.Helper()
	if _, body := a.do(t, "GET", probeURL("/probe", "badkey", target)); !strings.Contains(body, "\nprobe_success 0\n") {
		t.Fatalf("probe with a wrong key did not fail:\n%s", body)
	}
	for range n {
		if _, body := a.do(t, "GET", probeURL("/probe", "default", target)); !strings.Contains(body, "\nprobe_success 1\n") {
			t.Fatalf("probe failed:\n%s", body)
		}
	}
}

// The links start with the external URL's path, "/" by default.
var logLink = regexp.MustCompile(`<a href="/logs\?id=(\d+)">`)

func TestLandingPageKeepsFailureAfterManySuccesses(t *testing.T) {
	_, target := newFake(t, fakenbu.Options{}, nil)
	a := newTestApp(t, configYAML(
		moduleYAML("default", "api_key: "+testKey, "collectors: [storage]"),
		moduleYAML("badkey", "api_key: "+otherKey, "collectors: [storage]"),
	), withHistory(3))
	probeFailureThenSuccesses(t, a, target, 10)

	code, page := a.do(t, "GET", "/")
	if code != http.StatusOK {
		t.Fatalf("landing page: %d", code)
	}
	// Three recent successes (the limit) and the older failure, kept in a list of its own.
	links := logLink.FindAllStringSubmatch(page, -1)
	if len(links) != 4 {
		t.Fatalf("landing page lists %d probes, want 4 (3 recent, 1 older failure):\n%s", len(links), page)
	}
	if strings.Count(page, "<strong>Failure</strong>") != 1 || !strings.Contains(page, "<td>badkey</td>") {
		t.Fatalf("landing page does not list the failed probe:\n%s", page)
	}
	failedID := links[3][1] // newest first: the failure is the oldest
	code, logs := a.do(t, "GET", "/logs?id="+failedID)
	if code != http.StatusOK || !strings.Contains(logs, "HTTP 401") || !strings.Contains(logs, "\nprobe_success 0\n") || !strings.Contains(logs, "api_key: <secret>") {
		t.Errorf("/logs?id=%s: %d\n%s", failedID, code, logs)
	}
	assertNoSecret(t, "landing page", page)
	assertNoSecret(t, "probe logs", logs)

	if code, _ := a.do(t, "GET", "/logs?id=1"); code != http.StatusNotFound { // the first success
		t.Errorf("/logs of a probe pushed out of the history: %d, want 404", code)
	}
	if code, _ := a.do(t, "GET", "/logs?id=x"); code != http.StatusBadRequest {
		t.Errorf("/logs?id=x: %d, want 400", code)
	}
}

func TestHistoryLimitBoundsLandingPage(t *testing.T) {
	_, target := newFake(t, fakenbu.Options{}, nil)
	for _, limit := range []int{1, 5} {
		a := newTestApp(t, configYAML(
			moduleYAML("default", "api_key: "+testKey, "collectors: [storage]"),
			moduleYAML("badkey", "api_key: "+otherKey, "collectors: [storage]"),
		), withHistory(limit))
		probeFailureThenSuccesses(t, a, target, 2*limit+3)
		_, page := a.do(t, "GET", "/")
		if got := len(logLink.FindAllString(page, -1)); got != limit+1 {
			t.Errorf("history.limit=%d: landing page lists %d probes, want %d", limit, got, limit+1)
		}
	}
}

func TestConfigPageHidesSecrets(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "api.key")
	writeFile(t, keyFile, keyFileValue+"\n")
	a := newTestApp(t, configYAML(
		moduleYAML("inline", "api_key: "+testKey, "tls_config: {insecure_skip_verify: true}"),
		moduleYAML("fromfile", "api_key_file: "+keyFile),
	))
	code, body := a.do(t, "GET", "/config")
	if code != http.StatusOK {
		t.Fatalf("/config: %d %q", code, body)
	}
	for _, want := range []string{"inline:\n", "api_key: <secret>\n", "insecure_skip_verify: true\n", "fromfile:\n", "api_key_file: " + keyFile + "\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("/config lacks %q:\n%s", want, body)
		}
	}
	assertNoSecret(t, "/config", body)
}

func TestHealthRoute(t *testing.T) {
	fake, target := newFake(t, fakenbu.Options{}, nil)
	a := newTestApp(t, configYAML(moduleYAML("default", "api_key: "+testKey), moduleYAML("badkey", "api_key: "+otherKey)))
	tests := []struct {
		query    string
		wantCode int
		wantBody string
	}{
		{probeURL("/health", "default", target), 200, "OK: NetBackup primary " + target + " answered an authenticated request"},
		{probeURL("/health", "badkey", target), 503, "HTTP 401"},
		{probeURL("/health", "nope", target), 400, `unknown module "nope"`},
		{"/health?module=default", 400, `parameter "target" is missing`},
		{probeURL("/health", "default", "https://nbu.elsewhere.example.com"), 403, "allowed_targets"},
	}
	for _, tc := range tests {
		before := fake.Requests("/admin/jobs")
		code, body := a.do(t, "GET", tc.query)
		if code != tc.wantCode || !strings.Contains(body, tc.wantBody) {
			t.Errorf("GET %s: %d %q, want %d with %q", tc.query, code, body, tc.wantCode, tc.wantBody)
		}
		if asked := fake.Requests("/admin/jobs") > before; asked != (tc.wantCode != 400 && tc.wantCode != 403) {
			t.Errorf("GET %s: NetBackup asked = %v", tc.query, asked)
		}
		assertNoSecret(t, "/health answer", body)
	}
}

// promtool check metrics applies these rules too; the end-to-end test runs promtool itself. The
// _count warnings on the names kept from nbu_exporter are deliberate (monitoring.CountSuffixGauges).
func TestExpositionPassesLint(t *testing.T) {
	_, target := newFake(t, fakenbu.Options{}, nil)
	a := newTestApp(t, configYAML(moduleYAML("default", "api_key: "+testKey)))
	for _, path := range []string{probeURL("/probe", "default", target), "/metrics"} {
		code, body := a.do(t, "GET", path)
		if code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, code)
		}
		problems, err := promlint.New(strings.NewReader(body)).Lint()
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		for _, p := range problems {
			if !monitoring.DeliberateLintProblem(p.Metric, p.Text) {
				t.Errorf("GET %s: %s: %s", path, p.Metric, p.Text)
			}
		}
	}
}
