package monitoring

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

const dashboardsDir = "../../dashboards"

// TestDashboardsImportable checks what Grafana 10 needs to import each dashboard on any server
// and what docs/alerts-and-dashboards.md promises: a data-source variable that every panel and target uses, the
// instance and module variables, a unique uid, unique panel ids, and a unit on every panel.
func TestDashboardsImportable(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(dashboardsDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboards in %s: %v", dashboardsDir, err)
	}
	uids := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d map[string]any
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name := filepath.Base(f)
		uid, _ := d["uid"].(string)
		if uid == "" || uids[uid] != "" {
			t.Errorf("%s: uid %q missing or also used by %s", name, uid, uids[uid])
		}
		uids[uid] = name
		if v, _ := d["schemaVersion"].(float64); v < 36 {
			t.Errorf("%s: schemaVersion %v is older than Grafana 10's", name, v)
		}
		vars := map[string]string{}
		for _, v := range d["templating"].(map[string]any)["list"].([]any) {
			m := v.(map[string]any)
			vars[m["name"].(string)] = m["type"].(string)
		}
		for name2, typ := range map[string]string{"datasource": "datasource", "instance": "query", "module": "query"} {
			if vars[name2] != typ {
				t.Errorf("%s: variable %s should be of type %s, is %q", name, name2, typ, vars[name2])
			}
		}
		ids := map[float64]bool{}
		var walk func([]any)
		walk = func(panels []any) {
			for _, p := range panels {
				pm := p.(map[string]any)
				id, _ := pm["id"].(float64)
				if ids[id] {
					t.Errorf("%s: panel id %v twice", name, id)
				}
				ids[id] = true
				if sub, ok := pm["panels"].([]any); ok {
					walk(sub)
				}
				if pm["type"] == "row" {
					continue
				}
				checkPanel(t, name, pm)
			}
		}
		walk(d["panels"].([]any))
	}
}

func checkPanel(t *testing.T, file string, p map[string]any) {
	t.Helper()
	title, _ := p["title"].(string)
	if ds, _ := p["datasource"].(map[string]any); ds["uid"] != "${datasource}" {
		t.Errorf("%s: panel %q does not use the datasource variable", file, title)
	}
	if desc, _ := p["description"].(string); desc == "" {
		t.Errorf("%s: panel %q has no description", file, title)
	}
	defaults, _ := p["fieldConfig"].(map[string]any)["defaults"].(map[string]any)
	if unit, _ := defaults["unit"].(string); unit == "" {
		t.Errorf("%s: panel %q has no unit", file, title)
	}
	targets, _ := p["targets"].([]any)
	if len(targets) == 0 {
		t.Errorf("%s: panel %q has no query", file, title)
	}
	for _, tg := range targets {
		tm := tg.(map[string]any)
		if ds, _ := tm["datasource"].(map[string]any); ds["uid"] != "${datasource}" {
			t.Errorf("%s: panel %q: a target does not use the datasource variable", file, title)
		}
	}
}

// TestRepositoryExpressionsParse: every dashboard and rule expression of the repository goes
// through the tokenizer (the metric check and the end-to-end test rely on it).
func TestRepositoryExpressionsParse(t *testing.T) {
	dash, err := DashboardExprs(dashboardsDir)
	if err != nil {
		t.Fatal(err)
	}
	rules, err := RuleExprs("../../alerts")
	if err != nil {
		t.Fatal(err)
	}
	if len(dash) < 50 || len(rules) < 13 {
		t.Fatalf("only %d dashboard and %d rule expressions found", len(dash), len(rules))
	}
	for _, e := range append(dash, rules...) {
		if _, err := MetricNames(e.Query); err != nil {
			t.Errorf("%s: %v", e, err)
		}
	}
}
