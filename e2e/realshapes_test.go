//go:build e2e

package e2e

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// The exporter binary probes, with every collector, a fake primary that answers as real primaries
// do (nbu/testdata/realprimaries, jobs without a top-level meta, ids as numbers, statuses as
// strings, policy types in two spellings): no collector fails, a field the primary leaves out is
// no series, and enum label values are the spec's spelling.
func TestRealShapesThroughExporter(t *testing.T) {
	dir := t.TempDir()
	exporterBin := buildExporter(t, dir)
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{defaultKey}, Now: func() time.Time { return testNow },
		RealShapes: os.DirFS(filepath.Join("..", "nbu", "testdata", "realprimaries"))})
	fake.SetJobs(fakenbu.GenerateJobs(3, 300, lookback, testNow))
	fake.SetDemo(testNow) // what the documents do not cover: SLP images, the images' counts' fallbacks
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	target := srv.URL + "/netbackup"

	write(t, dir, "default.key", defaultKey+"\n")
	write(t, dir, "modules.yml", `modules:
  real:
    timeout: 30s
    api_key_file: default.key
    jobs:
      lookback: `+lookback.String()+`
    collectors: [`+allCollectors+`]
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
`)
	addr := freeAddr(t)
	start(t, dir, "exporter", exporterBin, "--config.file="+filepath.Join(dir, "modules.yml"), "--web.listen-address="+addr)
	client := &http.Client{Timeout: 30 * time.Second}
	base := "http://" + addr
	waitFor(t, "the exporter to answer", func() error {
		_, err := get(client, base+"/-/healthy", false)
		return err
	})
	body, err := get(client, base+"/probe?module=real&target="+url.QueryEscape(target), false)
	if err != nil {
		t.Fatal(err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parsing the probe's answer: %v", err)
	}

	t.Run("no collector fails", func(t *testing.T) {
		if v := values(fams, "probe_success", nil); len(v) != 1 || v[0] != 1 {
			t.Errorf("probe_success = %v", v)
		}
		for _, name := range strings.Split(allCollectors, ", ") {
			ok := values(fams, "nbu_collector_success", map[string]string{"collector": name})
			skipped := values(fams, "nbu_collector_skipped", map[string]string{"collector": name})
			if !(len(ok) == 1 && ok[0] == 1) {
				t.Errorf("collector %s: success %v, skipped %v", name, ok, skipped)
			}
		}
	})

	t.Run("absent fields give no series", func(t *testing.T) {
		for _, s := range []struct {
			name   string
			labels map[string]string
		}{
			{"nbu_disk_pool_capacity_bytes", map[string]string{"name": "dp-adv-01"}},
			{"nbu_disk_pool_available_bytes", map[string]string{"name": "dp-noid"}},
			{"nbu_disk_bytes", map[string]string{"name": "stu-adv-nocap"}},
			{"nbu_disk_capacity_bytes", map[string]string{"name": "stu-adv-nocap"}},
			{"nbu_tape_pool_partially_full", map[string]string{"pool_name": "Scratch"}},
			{"nbu_tape_drive_up", map[string]string{"drive_name": "IBM.ULT3580-HH8.001"}},
			{"nbu_disk_pool_volume_count", map[string]string{"pool_name": "dp-adv-01", "state": ""}},
		} {
			if v := values(fams, s.name, s.labels); len(v) > 0 {
				t.Errorf("%s%v = %v, want no series", s.name, s.labels, v)
			}
		}
		// What the list lacks and the detail has is read from the detail.
		if v := values(fams, "nbu_disk_pool_capacity_bytes", map[string]string{"name": "dp-msdp-01"}); len(v) != 1 || v[0] != 1.9e12 {
			t.Errorf("nbu_disk_pool_capacity_bytes{name=dp-msdp-01} = %v, want 1.9e12 from the pool's detail", v)
		}
	})

	t.Run("enum labels normalised", func(t *testing.T) {
		for _, s := range []struct {
			name   string
			labels map[string]string
			want   float64
		}{
			{"nbu_storage_units_count", map[string]string{"category": "PRIMARY"}, 1}, // unknown: as sent
			{"nbu_storage_units_count", map[string]string{"category": "ADVANCED_DISK"}, 1},
			{"nbu_tape_scratch_media_count", map[string]string{"pool": "Scratch"}, 2},
			{"nbu_tape_pool_partially_full", map[string]string{"pool_name": "NetBackup", "pool_type": "REGULAR_MEDIA_POOL"}, 3},
			{"nbu_policy_info", map[string]string{"policy": "vm-silver", "policy_type": "VMWARE"}, 1},
			{"nbu_policy_info", map[string]string{"policy": "win-fs", "policy_type": "WINDOWS_NT", "active": ""}, 1},
			{"nbu_alerts_count", map[string]string{"severity": "WARNING", "category": "JOB"}, 1},
			{"nbu_malware_scan_count", map[string]string{"status": "CLEAN"}, 1},
		} {
			if v := values(fams, s.name, s.labels); len(v) != 1 || v[0] != s.want {
				t.Errorf("%s%v = %v, want %v", s.name, s.labels, v, s.want)
			}
		}
		// The fake sends every other job's policy type as the configuration API spells it: each
		// type is one label value.
		if v := values(fams, "nbu_jobs_total", map[string]string{"policy_type": "STANDARD"}); len(v) == 0 {
			t.Error("no nbu_jobs_total of STANDARD jobs")
		}
		for name, mf := range fams {
			for _, m := range mf.GetMetric() {
				for _, lp := range m.GetLabel() {
					if lp.GetName() == "policy_type" && nbu.PolicyTypes.Normalize(lp.GetValue()) != lp.GetValue() {
						t.Errorf("%s: policy_type %q is not the spec's spelling", name, lp.GetValue())
					}
				}
			}
		}
	})
}

// values returns the values of the series of name whose labels include match.
func values(fams map[string]*dto.MetricFamily, name string, match map[string]string) []float64 {
	var out []float64
next:
	for _, m := range fams[name].GetMetric() {
		have := map[string]string{}
		for _, lp := range m.GetLabel() {
			have[lp.GetName()] = lp.GetValue()
		}
		for k, v := range match {
			if have[k] != v {
				continue next
			}
		}
		out = append(out, m.GetGauge().GetValue()+m.GetCounter().GetValue()+m.GetUntyped().GetValue())
	}
	return out
}
