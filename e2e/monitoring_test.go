//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/netbackup-exporter/netbackup_exporter/internal/monitoring"
)

// The alert the end-to-end test drives to Alertmanager, and the label its test copy carries so
// that its series do not collide with those of the original rule.
const (
	unreachableAlert = "NetBackupPrimaryUnreachable"
	shortForLabel    = "e2e_copy"
)

// alertmanagerBinary is Debian's name for it, or upstream's.
func alertmanagerBinary(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"prometheus-alertmanager", "alertmanager"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("alertmanager is not installed: run ./scripts/ensure-prometheus.sh (make e2e does)")
	return ""
}

// startAlertmanager runs a real Alertmanager with a receiver that sends nowhere (the test reads
// the alerts back through its API) and clustering off, and returns its base URL.
func startAlertmanager(t *testing.T, dir string) string {
	t.Helper()
	bin := alertmanagerBinary(t)
	cfg := write(t, dir, "alertmanager.yml", `route:
  receiver: "null"
  group_wait: 1s
  group_interval: 1s
receivers:
  - name: "null"
`)
	addr := freeAddr(t)
	start(t, dir, "alertmanager", bin,
		"--config.file="+cfg,
		"--storage.path="+filepath.Join(dir, "alertmanager-data"),
		"--web.listen-address="+addr,
		"--cluster.listen-address=",
		"--log.level=warn")
	base := "http://" + addr
	waitFor(t, "Alertmanager to answer", func() error {
		_, err := get(http.DefaultClient, base+"/-/ready", false)
		return err
	})
	return base
}

// alertingConfig is the part of prometheus.yml that loads the repository's rules, a copy of the
// primary-unreachable rule with a short for:, and sends alerts to Alertmanager. Rules are
// evaluated every second, as targets are scraped.
func alertingConfig(t *testing.T, dir, alertmanagerURL string) string {
	t.Helper()
	rules, err := filepath.Abs(filepath.Join("..", "alerts", "netbackup.rules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	short := shortForCopy(t, dir, rules)
	u, err := url.Parse(alertmanagerURL)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`
global:
  evaluation_interval: 1s
rule_files: [%q, %q]
alerting:
  alertmanagers:
    - static_configs:
        - targets: [%q]
`, rules, short, u.Host)
}

// shortForCopy writes the primary-unreachable rule of rulesFile again with for: 2s, so that the
// test need not wait its 10 minutes, and returns the copy's path.
func shortForCopy(t *testing.T, dir, rulesFile string) string {
	t.Helper()
	b, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var rf struct {
		Groups []struct {
			Rules []map[string]any `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &rf); err != nil {
		t.Fatal(err)
	}
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			if r["alert"] != unreachableAlert {
				continue
			}
			r["for"] = "2s"
			labels, _ := r["labels"].(map[string]any)
			if labels == nil {
				labels = map[string]any{}
			}
			labels[shortForLabel] = "short-for"
			r["labels"] = labels
			out, err := yaml.Marshal(map[string]any{"groups": []any{map[string]any{"name": "e2e-short-for", "rules": []any{r}}}})
			if err != nil {
				t.Fatal(err)
			}
			return write(t, dir, "short-for.rules.yml", string(out))
		}
	}
	t.Fatalf("%s has no %s rule", rulesFile, unreachableAlert)
	return ""
}

// checkRulesLoaded waits until Prometheus has evaluated every rule of alerts/ without error.
func checkRulesLoaded(t *testing.T, prom *promAPI) {
	t.Helper()
	want, err := monitoring.RuleExprs(filepath.Join("..", "alerts"))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "every rule evaluated without error", func() error {
		var r struct {
			Data struct {
				Groups []struct {
					File  string `json:"file"`
					Rules []struct {
						Name      string `json:"name"`
						Health    string `json:"health"`
						LastError string `json:"lastError"`
					} `json:"rules"`
				} `json:"groups"`
			} `json:"data"`
		}
		if err := prom.getJSON("/api/v1/rules", &r); err != nil {
			return err
		}
		n := 0
		for _, g := range r.Data.Groups {
			if filepath.Base(g.File) != "netbackup.rules.yml" {
				continue
			}
			for _, rule := range g.Rules {
				if rule.Health != "ok" {
					return fmt.Errorf("rule %s: health %q %s", rule.Name, rule.Health, rule.LastError)
				}
				n++
			}
		}
		if n != len(want) {
			return fmt.Errorf("Prometheus has %d rules of netbackup.rules.yml, the file %d", n, len(want))
		}
		return nil
	})
}

// checkAlertReachesAlertmanager waits until Alertmanager holds the primary-unreachable alert for
// the down primary, and checks that it holds it for no other primary.
func checkAlertReachesAlertmanager(t *testing.T, alertmanagerURL, down string, up ...string) {
	t.Helper()
	q := url.Values{"filter": {fmt.Sprintf("alertname=%q", unreachableAlert)}}
	waitFor(t, "the "+unreachableAlert+" alert in Alertmanager", func() error {
		body, err := get(http.DefaultClient, alertmanagerURL+"/api/v2/alerts?"+q.Encode(), false)
		if err != nil {
			return err
		}
		var alerts []struct {
			Labels map[string]string `json:"labels"`
			Status struct {
				State string `json:"state"`
			} `json:"status"`
		}
		if err := json.Unmarshal([]byte(body), &alerts); err != nil {
			return fmt.Errorf("Alertmanager's alerts: %w: %s", err, body)
		}
		found := false
		for _, a := range alerts {
			inst := a.Labels["instance"]
			for _, u := range up {
				if inst == u {
					t.Fatalf("Alertmanager has %s for %s, which is up: %s", unreachableAlert, u, body)
				}
			}
			if inst == down && a.Status.State == "active" && a.Labels["severity"] == "critical" {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("no active alert for %s: %s", down, body)
		}
		return nil
	})
}

// dashboardVars are the values the dashboards' variables get: "All" everywhere, a rate interval
// that covers several 1 s scrapes.
var dashboardVars = map[string]string{
	"instance": ".*", "module": ".*", "action": ".*",
	"__rate_interval": "10s", "__interval": "1s", "__range": "1h", "__range_s": "3600",
}

// checkDashboardQueries runs every dashboard expression, variables substituted, through
// Prometheus's query API: each must parse, and each that uses only metrics the exporter returns
// today (none of monitoring.PendingMetrics) must have data.
func checkDashboardQueries(t *testing.T, prom *promAPI) {
	t.Helper()
	exprs, err := monitoring.DashboardExprs(filepath.Join("..", "dashboards"))
	if err != nil {
		t.Fatal(err)
	}
	withData, parseOnly := 0, 0
	for _, e := range exprs {
		q, err := monitoring.Substitute(e.Query, dashboardVars)
		if err != nil {
			t.Errorf("%s: %v", e.File+": "+e.Where, err)
			continue
		}
		names, err := monitoring.MetricNames(q)
		if err != nil {
			t.Errorf("%s: %v", e, err)
			continue
		}
		pending := false
		for _, n := range names {
			if _, ok := monitoring.PendingMetrics[n]; ok {
				pending = true
			}
		}
		if pending {
			parseOnly++
			if _, err := prom.rawQuery(q); err != nil {
				t.Errorf("%s: %v", e.File+": "+e.Where, err)
			}
			continue
		}
		withData++
		waitFor(t, e.File+": "+e.Where+": data for "+q, func() error {
			n, err := prom.rawQuery(q)
			if err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("no data")
			}
			return nil
		})
	}
	t.Logf("dashboard expressions: %d with data, %d parsed only (they use monitoring.PendingMetrics)", withData, parseOnly)
}

// rawQuery runs an instant query and returns how many results it has; a query Prometheus
// refuses (a parse error) is an error that says so.
func (p *promAPI) rawQuery(q string) (int, error) {
	var r struct {
		Status    string `json:"status"`
		ErrorType string `json:"errorType"`
		Error     string `json:"error"`
		Data      struct {
			ResultType string            `json:"resultType"`
			Result     []json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := p.getJSON("/api/v1/query?query="+url.QueryEscape(q)+"&time="+fmt.Sprint(time.Now().Unix()), &r); err != nil {
		return 0, err
	}
	if r.Status != "success" {
		return 0, fmt.Errorf("query %s: %s: %s", q, r.ErrorType, r.Error)
	}
	if r.Data.ResultType == "scalar" {
		return 1, nil
	}
	return len(r.Data.Result), nil
}

// getJSON decodes a Prometheus API answer, whatever its status code (errors come as JSON too).
func (p *promAPI) getJSON(path string, v any) error {
	resp, err := http.Get(p.base + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("GET %s: HTTP %d: %w", path, resp.StatusCode, err)
	}
	return nil
}
