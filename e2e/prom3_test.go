//go:build e2e && prom3

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// prom3Job is one way Prometheus 3 scrapes the exporter: the README's /probe job with settings
// added.
type prom3Job struct {
	name     string
	settings map[string]any
}

// prom3ScrapeTimeout is the jobs' interval and timeout, and what the test's own probes announce
// (the exporter's budget, and its probe_timeout_seconds, follow it).
const prom3ScrapeTimeout = "2s"

// prom3Jobs are the three ways: Prometheus 3.16's defaults (OpenMetrics first, then the text
// formats, asking for UTF-8 names: escaping=allow-utf-8), protobuf only, and legacy names with
// underscore escaping.
var prom3Jobs = []prom3Job{
	{"netbackup_defaults", nil},
	{"netbackup_proto", map[string]any{"scrape_protocols": []any{"PrometheusProto"}}},
	{"netbackup_legacy_names", map[string]any{
		"metric_name_validation_scheme": "legacy",
		"metric_name_escaping_scheme":   "underscores",
	}},
}

// TestPrometheus3StoresEverySeries runs Prometheus 3 (PROMETHEUS3, built by
// scripts/ensure-prometheus3.sh; `make e2e-prom3`) against the exporter probing a fake primary
// with every collector on, with the README's /probe job three times over (prom3Jobs), and checks
// that each job stores every series the exporter answers, with its value. Whatever format each
// job negotiates, the series are the same.
func TestPrometheus3StoresEverySeries(t *testing.T) {
	prometheus3 := os.Getenv("PROMETHEUS3")
	if prometheus3 == "" {
		t.Fatal("PROMETHEUS3 is not set: run `make e2e-prom3`, which builds Prometheus 3 (scripts/ensure-prometheus3.sh)")
	}
	dir := t.TempDir()
	exporterBin := buildExporter(t, dir)
	fake, _ := newFake(t, 3, defaultKey)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	target := srv.URL + "/netbackup"
	write(t, dir, "default.key", defaultKey+"\n")
	write(t, dir, "modules.yml", `modules:
  default:
    timeout: 30s
    api_key_file: default.key
    jobs:
      lookback: `+lookback.String()+`
    collectors: [`+allCollectors+`]
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
`)
	exporterAddr := freeAddr(t)
	start(t, dir, "exporter", exporterBin,
		"--config.file="+filepath.Join(dir, "modules.yml"),
		"--web.listen-address="+exporterAddr)
	waitFor(t, "the exporter to answer", func() error {
		_, err := get(http.DefaultClient, "http://"+exporterAddr+"/-/healthy", false)
		return err
	})

	targetsFile := write(t, dir, "netbackup_targets.yml", fmt.Sprintf("- targets: [%q]\n", target))
	prom := startPrometheus3(t, dir, prometheus3, prom3Config(t, readmeScrapeConfig(t), targetsFile, exporterAddr))
	probeURL := "http://" + exporterAddr + "/probe?module=default&target=" + url.QueryEscape(target)
	for _, job := range prom3Jobs {
		t.Run(job.name, func(t *testing.T) {
			// The first probes read the job window; Prometheus scrapes every second, so a later
			// probe and the latest scrape agree once the values have settled.
			var n int
			waitFor(t, "job "+job.name+" to store every series of the probe", func() error {
				var err error
				n, err = compareStored(prom, job.name, target, probeURL)
				return err
			})
			t.Logf("job %s stored all %d series of the probe", job.name, n)
		})
	}
}

// prom3Config is the README's /probe job once per prom3Jobs entry, with this test's exporter,
// targets file and a 2 s interval. The relabelling is used exactly as written.
func prom3Config(t *testing.T, readme, targetsFile, exporterAddr string) string {
	t.Helper()
	var probes map[string]any
	for _, sc := range parseScrape(t, readme).ScrapeConfigs {
		if sc["metrics_path"] == "/probe" {
			probes = sc
		}
	}
	if probes == nil {
		t.Fatalf("the README's scrape config has no /probe job:\n%s", readme)
	}
	base, err := yaml.Marshal(probes)
	if err != nil {
		t.Fatal(err)
	}
	var jobs []any
	for _, job := range prom3Jobs {
		var sc map[string]any
		if err := yaml.Unmarshal(base, &sc); err != nil {
			t.Fatal(err)
		}
		sc["job_name"] = job.name
		sc["scrape_interval"], sc["scrape_timeout"] = prom3ScrapeTimeout, prom3ScrapeTimeout
		sc["file_sd_configs"] = []any{map[string]any{"files": []any{targetsFile}}}
		for _, r := range sc["relabel_configs"].([]any) {
			if rule := r.(map[string]any); rule["target_label"] == "__address__" {
				rule["replacement"] = exporterAddr
			}
		}
		for k, v := range job.settings {
			sc[k] = v
		}
		jobs = append(jobs, sc)
	}
	out, err := yaml.Marshal(map[string]any{"scrape_configs": jobs})
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// startPrometheus3 starts the Prometheus 3 binary on cfg until the test ends, and checks that it
// is built from a 3.x module and is ready (a configuration it refuses makes it exit, and its log
// is shown).
func startPrometheus3(t *testing.T, dir, bin, cfg string) *promAPI {
	t.Helper()
	write(t, dir, "prometheus3.yml", cfg)
	addr := freeAddr(t)
	p := start(t, dir, "prometheus3", bin,
		"--config.file="+filepath.Join(dir, "prometheus3.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "tsdb3"),
		"--web.listen-address="+addr,
		"--log.level=warn")
	waitFor(t, "Prometheus 3 to be ready", func() error {
		select {
		case <-p.done:
			t.Fatalf("Prometheus 3 exited:\n%s\nconfiguration:\n%s", p.output(), cfg)
		default:
		}
		_, err := get(http.DefaultClient, "http://"+addr+"/-/ready", false)
		return err
	})
	t.Logf("Prometheus %s", prometheus3Version(t, bin))
	return &promAPI{base: "http://" + addr}
}

// prometheus3Version is the Prometheus module version the binary was built from (go install sets no
// version flags, so Prometheus itself reports none), checked to be a 3.x release: v0.3xx.y.
func prometheus3Version(t *testing.T, bin string) string {
	t.Helper()
	out, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatalf("go version -m %s: %v", bin, err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] == "mod" && f[1] == "github.com/prometheus/prometheus" && strings.HasPrefix(f[2], "v0.3") {
			return f[2]
		}
	}
	t.Fatalf("%s is not built from a Prometheus 3 module (v0.3xx):\n%s", bin, out)
	return ""
}

// compareStored probes the target itself (the text format, parsed with expfmt) and checks that
// the job's latest samples are exactly those series, each with the probe's value except where
// volatileValue says it moves between probes. It returns how many series were compared.
func compareStored(prom *promAPI, job, target, probeURL string) (int, error) {
	body, err := probe(probeURL)
	if err != nil {
		return 0, err
	}
	want, families, err := parseSeries(body)
	if err != nil {
		return 0, fmt.Errorf("the probe's answer: %w", err)
	}
	if want[`probe_success{}`] != 1 {
		return 0, fmt.Errorf("the probe did not succeed:\n%s", body)
	}
	for _, c := range strings.Split(allCollectors, ", ") {
		if want[seriesKey("nbu_collector_success", map[string]string{"collector": c})] != 1 {
			return 0, fmt.Errorf("collector %s did not succeed:\n%s", c, body)
		}
	}
	stored, err := prom.series(fmt.Sprintf(`{job=%q}`, job), target)
	if err != nil {
		return 0, err
	}
	var missing, extra, differ []string
	got := map[string]float64{}
	for key, v := range stored {
		key, ok := families.probeKey(key)
		if !ok {
			continue
		}
		got[key] = v
		if _, found := want[key]; !found {
			extra = append(extra, key)
		}
	}
	for key, w := range want {
		g, found := got[key]
		switch {
		case !found:
			missing = append(missing, key)
		case !volatileValue(key) && !sameValue(g, w):
			differ = append(differ, fmt.Sprintf("%s: stored %v, probe %v", key, g, w))
		}
	}
	if len(missing)+len(extra)+len(differ) > 0 {
		return 0, fmt.Errorf("job %s, %d series in the probe, %d stored: missing %s; not in the probe %s; values differ %s",
			job, len(want), len(got), firstFew(missing), firstFew(extra), firstFew(differ))
	}
	return len(want), nil
}

// probe gets the probe's answer in the text format, with the scrape timeout Prometheus announces.
func probe(u string) (string, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", strings.TrimSuffix(prom3ScrapeTimeout, "s"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %d %s %v", u, resp.StatusCode, b, err)
	}
	return string(b), nil
}

// scrapeSeries are the series Prometheus adds to every scrape; the exporter answers none of them.
var scrapeSeries = []string{"up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added"}

// volatileValue says which series' values move from one probe to the next, so that a later probe
// need not match a scrape: the probe's and each collector's durations, when each source was last
// read (the jobs one at every probe), and how far the job updates have been read (it follows the
// clock). Their names and labels are still compared.
func volatileValue(key string) bool {
	name, _, _ := strings.Cut(key, "{")
	switch name {
	case "probe_duration_seconds", "nbu_collector_duration_seconds", "nbu_last_scrape_timestamp_seconds",
		"nbu_jobs_updates_read_until_timestamp_seconds":
		return true
	}
	return false
}

func sameValue(a, b float64) bool {
	return a == b || math.IsNaN(a) && math.IsNaN(b)
}

func firstFew(l []string) string {
	slices.Sort(l)
	if len(l) > 5 {
		return fmt.Sprintf("%q and %d more", l[:5], len(l)-5)
	}
	return fmt.Sprintf("%q", l)
}

// series returns the latest sample of every series q selects, by seriesKey (without job and
// instance), leaving out Prometheus's own scrape series; each must have instance = target.
func (p *promAPI) series(q, target string) (map[string]float64, error) {
	resp, err := http.Get(p.base + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("query %s: %w", q, err)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("query %s: %s", q, r.Error)
	}
	out := map[string]float64{}
	for _, s := range r.Data.Result {
		name := s.Metric["__name__"]
		if slices.Contains(scrapeSeries, name) {
			continue
		}
		if s.Metric["instance"] != target {
			return nil, fmt.Errorf("query %s: %v has instance %q, want the target %q", q, s.Metric, s.Metric["instance"], target)
		}
		labels := map[string]string{}
		for k, v := range s.Metric {
			if k != "__name__" && k != "job" && k != "instance" {
				labels[k] = v
			}
		}
		str, _ := s.Value[1].(string)
		v, err := strconv.ParseFloat(str, 64)
		if err != nil {
			return nil, fmt.Errorf("query %s: %v value %q: %w", q, s.Metric, str, err)
		}
		out[seriesKey(name, labels)] = v
	}
	return out, nil
}
