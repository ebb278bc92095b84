//go:build e2e

package e2e

import (
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// TestScaleOutWithHashmod runs two exporters behind one Prometheus with the relabel rules of
// docs/scale-out.md (and the `site` rule of docs/nbu_exporter.md), and checks that each primary is probed by
// exactly one exporter, the one Prometheus's hashmod of the target names.
func TestScaleOutWithHashmod(t *testing.T) {
	if _, err := exec.LookPath("prometheus"); err != nil {
		t.Fatal("prometheus is not installed: run ./scripts/ensure-prometheus.sh (make e2e does)")
	}
	dir := t.TempDir()
	bin := buildExporter(t, dir)
	scrape := docBlock(t, "scale-out.md", "## Sharding with hashmod")
	modulus := shardModulus(t, scrape)

	// Primaries until each shard has two (a hash may put the first few on one side).
	var targets []string
	perShard := make([]int, modulus)
	for len(targets) < 16 && minInt(perShard) < 2 {
		fake := fakenbu.New(fakenbu.Options{APIKeys: []string{defaultKey}, Now: func() time.Time { return testNow }})
		fake.SetJobs(fakenbu.GenerateJobs(int64(len(targets)), 50, lookback, testNow))
		fake.SetStorageUnits(fakenbu.DemoStorageUnits())
		srv := httptest.NewServer(fake)
		t.Cleanup(srv.Close)
		target := srv.URL + "/netbackup"
		targets = append(targets, target)
		perShard[hashmod(target, modulus)]++
	}
	if minInt(perShard) < 2 {
		t.Fatalf("targets per shard %v: the hash never reached every shard", perShard)
	}

	write(t, dir, "default.key", defaultKey+"\n")
	write(t, dir, "modules.yml", `modules:
  default:
    timeout: 30s
    api_key_file: default.key
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
`)
	exporters := make([]string, modulus)
	for i := range exporters {
		exporters[i] = freeAddr(t)
		start(t, dir, fmt.Sprintf("exporter%d", i), bin,
			"--config.file="+filepath.Join(dir, "modules.yml"),
			"--web.listen-address="+exporters[i])
	}
	for i, addr := range exporters {
		waitFor(t, fmt.Sprintf("exporter %d to answer", i), func() error {
			_, err := get(http.DefaultClient, "http://"+addr+"/-/healthy", false)
			return err
		})
	}

	quoted := make([]string, len(targets))
	for i, tg := range targets {
		quoted[i] = fmt.Sprintf("%q", tg)
	}
	targetsFile := write(t, dir, "netbackup_targets.yml", "- targets: ["+strings.Join(quoted, ", ")+"]\n")
	cfg := shardedConfig(t, scrape, docBlock(t, "nbu_exporter.md", "## The `site` label"), targetsFile, exporters)
	prom := startPrometheus(t, dir, cfg)

	want := map[string]float64{}
	for _, tg := range targets {
		want[tg] = 1
	}
	waitFor(t, "every primary probed successfully", func() error { return prom.expectExactly(`probe_success`, want) })
	waitFor(t, "the site label from the target", func() error {
		return prom.expectExactly(`count by (instance) (probe_success{site="127.0.0.1"})`, want)
	})

	// Each exporter's landing page lists the targets it probed: each primary is on exactly one,
	// the one of its shard.
	pages := make([]string, modulus)
	for i, addr := range exporters {
		body, err := get(http.DefaultClient, "http://"+addr+"/", false)
		if err != nil {
			t.Fatal(err)
		}
		pages[i] = body
	}
	for _, tg := range targets {
		cell := "<td>" + html.EscapeString(tg) + "</td>"
		var on []int
		for i, p := range pages {
			if strings.Contains(p, cell) {
				on = append(on, i)
			}
		}
		if len(on) != 1 || on[0] != hashmod(tg, modulus) {
			t.Errorf("%s was probed by exporters %v, want only exporter %d", tg, on, hashmod(tg, modulus))
		}
	}
	t.Logf("%d primaries over %d exporters: %v per shard", len(targets), modulus, perShard)
}

// hashmod is Prometheus's relabel action of that name on one source label.
func hashmod(value string, modulus int) int {
	sum := md5.Sum([]byte(value))
	return int(binary.BigEndian.Uint64(sum[8:]) % uint64(modulus))
}

func minInt(xs []int) int {
	m := xs[0]
	for _, x := range xs[1:] {
		m = min(m, x)
	}
	return m
}

// docBlock is the first YAML block of a section of a page of docs/, so that the documented
// configuration is the tested one.
func docBlock(t *testing.T, page, heading string) string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "docs", page))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut("\n"+string(doc), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("docs/%s has no %q section", page, heading)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	m := yamlBlock.FindStringSubmatch(section)
	if m == nil {
		t.Fatalf("the %q section of docs/%s has no yaml block", heading, page)
	}
	return m[1]
}

type scrapeFile struct {
	ScrapeConfigs []map[string]any `yaml:"scrape_configs"`
}

func parseScrape(t *testing.T, y string) scrapeFile {
	t.Helper()
	var cfg scrapeFile
	if err := yaml.Unmarshal([]byte(y), &cfg); err != nil {
		t.Fatalf("the documented scrape config: %v\n%s", err, y)
	}
	return cfg
}

// shardModulus is the hashmod rule's modulus of the documented sharded /probe job.
func shardModulus(t *testing.T, y string) int {
	t.Helper()
	for _, sc := range parseScrape(t, y).ScrapeConfigs {
		rules, _ := sc["relabel_configs"].([]any)
		for _, r := range rules {
			rule := r.(map[string]any)
			if rule["action"] == "hashmod" {
				if m, ok := rule["modulus"].(int); ok && m > 1 {
					return m
				}
			}
		}
	}
	t.Fatalf("the Scale-out config of docs/scale-out.md has no hashmod rule:\n%s", y)
	return 0
}

// shardedConfig adapts the Scale-out configuration of docs/scale-out.md to this test: its targets file, the
// exporters' addresses in the order of the shard rules, a 1 s interval, and the nbu_exporter
// `site` rule appended. The relabelling is used exactly as written otherwise.
func shardedConfig(t *testing.T, scrape, siteRule, targetsFile string, exporters []string) string {
	t.Helper()
	cfg := parseScrape(t, scrape)
	var site []any
	if err := yaml.Unmarshal([]byte(siteRule), &site); err != nil || len(site) != 1 {
		t.Fatalf("the site rule of docs/nbu_exporter.md should be one relabel rule: %v\n%s", err, siteRule)
	}
	probes := 0
	for _, sc := range cfg.ScrapeConfigs {
		sc["scrape_interval"], sc["scrape_timeout"] = "1s", "1s"
		if sc["metrics_path"] != "/probe" {
			sc["static_configs"] = []any{map[string]any{"targets": toAny(exporters)}}
			continue
		}
		probes++
		sc["file_sd_configs"] = []any{map[string]any{"files": []any{targetsFile}}}
		rules, _ := sc["relabel_configs"].([]any)
		n := 0
		for _, r := range rules {
			rule := r.(map[string]any)
			if rule["target_label"] == "__address__" && rule["regex"] != nil {
				if n >= len(exporters) {
					t.Fatalf("more shard rules than exporters (%d)", len(exporters))
				}
				if rule["regex"] != fmt.Sprint(n) {
					t.Fatalf("shard rule %d has regex %v, want %q", n, rule["regex"], fmt.Sprint(n))
				}
				rule["replacement"] = exporters[n]
				n++
			}
		}
		if n != len(exporters) {
			t.Fatalf("the Scale-out config of docs/scale-out.md has %d shard rules for modulus %d", n, len(exporters))
		}
		sc["relabel_configs"] = append(rules, site...)
	}
	if probes != 1 {
		t.Fatalf("the Scale-out config of docs/scale-out.md should have one /probe job, has %d", probes)
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
