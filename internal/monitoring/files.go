package monitoring

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Expr is one PromQL expression of a dashboard or rule file.
type Expr struct {
	File  string // base name of the file
	Where string // panel title, variable or rule name
	Query string // PromQL, Grafana variables not substituted
}

func (e Expr) String() string { return e.File + ": " + e.Where + ": " + e.Query }

// DashboardExprs returns every target expression of every panel (rows' panels included) and
// every query variable's selector of the Grafana dashboards dir/*.json.
func DashboardExprs(dir string) ([]Expr, error) {
	return exprsOfFiles(dir, "*.json", "no dashboard", dashboardJSON)
}

// exprsOfFiles returns the expressions parse finds in each file of dir matching pattern; no such
// file is an error, which noFiles describes.
func exprsOfFiles(dir, pattern, noFiles string, parse func(name string, b []byte) ([]Expr, error)) ([]Expr, error) {
	files, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s in %s", noFiles, dir)
	}
	var out []Expr
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		exprs, err := parse(filepath.Base(f), b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, exprs...)
	}
	return out, nil
}

type dashboardPanel struct {
	Title   string           `json:"title"`
	Type    string           `json:"type"`
	Targets []map[string]any `json:"targets"`
	Panels  []dashboardPanel `json:"panels"`
}

// dashboardJSON returns the expressions of one dashboard's JSON; name is its file name.
func dashboardJSON(name string, b []byte) ([]Expr, error) {
	var d struct {
		Title      string           `json:"title"`
		Panels     []dashboardPanel `json:"panels"`
		Templating struct {
			List []struct {
				Name  string `json:"name"`
				Type  string `json:"type"`
				Query any    `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, err
	}
	var out []Expr
	var walk func([]dashboardPanel)
	walk = func(panels []dashboardPanel) {
		for _, p := range panels {
			for _, t := range p.Targets {
				q, _ := t["expr"].(string)
				if strings.TrimSpace(q) == "" {
					continue
				}
				out = append(out, Expr{File: name, Where: "panel " + p.Title, Query: q})
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		q := v.Query
		if m, ok := q.(map[string]any); ok {
			q = m["query"]
		}
		s, _ := q.(string)
		if sel := variableSelector(s); sel != "" {
			out = append(out, Expr{File: name, Where: "variable " + v.Name, Query: sel})
		}
	}
	return out, nil
}

var (
	labelValuesOf = regexp.MustCompile(`^\s*label_values\(\s*(.+?)\s*,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$`)
	queryResult   = regexp.MustCompile(`^\s*query_result\(\s*(.+)\s*\)\s*$`)
)

// variableSelector is the PromQL inside a Grafana Prometheus variable query:
// label_values(<selector>, label) and query_result(<expr>); "" for those naming no metric
// (label_values(label), label_names(), metrics(...)).
func variableSelector(q string) string {
	if m := labelValuesOf.FindStringSubmatch(q); m != nil {
		return m[1]
	}
	if m := queryResult.FindStringSubmatch(q); m != nil {
		return m[1]
	}
	return ""
}

// RuleExprs returns the expression of every alerting and recording rule of dir/*.rules.yml.
func RuleExprs(dir string) ([]Expr, error) {
	return exprsOfFiles(dir, "*.rules.yml", "no rule file (*.rules.yml)", ruleFileExprs)
}

// ruleFileExprs returns the expressions of one rule file; name is its file name.
func ruleFileExprs(name string, b []byte) ([]Expr, error) {
	var rf struct {
		Groups []struct {
			Name  string `yaml:"name"`
			Rules []struct {
				Alert  string `yaml:"alert"`
				Record string `yaml:"record"`
				Expr   string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &rf); err != nil {
		return nil, err
	}
	var out []Expr
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			out = append(out, Expr{File: name, Where: "group " + g.Name + " rule " + r.Alert + r.Record, Query: r.Expr})
		}
	}
	return out, nil
}

var grafanaVar = regexp.MustCompile(`\$\{([a-zA-Z0-9_]+)(?::[a-z]+)?\}|\$([a-zA-Z0-9_]+)|\[\[([a-zA-Z0-9_]+)\]\]`)

// Substitute replaces Grafana variables ($x, ${x}, ${x:fmt}, [[x]]) by their values in vars;
// an unknown variable is an error, so that a query cannot reach Prometheus half-substituted.
func Substitute(q string, vars map[string]string) (string, error) {
	var missing []string
	out := grafanaVar.ReplaceAllStringFunc(q, func(m string) string {
		sub := grafanaVar.FindStringSubmatch(m)
		name := sub[1] + sub[2] + sub[3]
		v, ok := vars[name]
		if !ok {
			missing = append(missing, name)
			return m
		}
		return v
	})
	if len(missing) > 0 {
		sort.Strings(missing)
		return "", fmt.Errorf("unknown variables %v in %q", missing, q)
	}
	return out, nil
}

// CountSuffixGauges are the gauges whose names end in _count: the single-target nbu_exporter's
// naming (nbu_jobs_count, nbu_alerts_count, ...), kept so that the dashboards and alerts written
// for it keep working. promtool check metrics warns about each of them; docs/metrics.md lists them
// as deliberate (TestDocsListTheDeliberateLintWarnings).
var CountSuffixGauges = []string{
	"nbu_jobs_count", "nbu_status_count", "nbu_jobs_files_count", "nbu_jobs_state_count", "nbu_jobs_queued_count",
	"nbu_storage_units_count", "nbu_disk_pool_volume_count", "nbu_tape_drives_count", "nbu_tape_media_count",
	"nbu_tape_media_status_count", "nbu_tape_scratch_media_count", "nbu_policy_clients_count",
	"nbu_catalog_images_count", "nbu_alerts_count", "nbu_malware_scan_count", "nbu_slo_count",
}

// CountSuffixProblem is the text of promtool's (and promlint's) warning about those names.
const CountSuffixProblem = `non-histogram and non-summary metrics should not have "_count" suffix`

// DeliberateLintProblem reports whether a lint problem is the deliberate one: the _count warning
// on one of CountSuffixGauges.
func DeliberateLintProblem(metric, text string) bool {
	return text == CountSuffixProblem && slices.Contains(CountSuffixGauges, metric)
}
