package prober

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// The tests here probe a fake primary that answers as real primaries do (its RealShapes mode):
// with the documents of nbu/testdata/realprimaries, or ones written beside the test.

const realPrimariesDir = "../nbu/testdata/realprimaries"

// shapesYAML has one module per collector, named after it, and two for the collectors that read
// another's data (the job stream, the policies' clients). With a version, the modules are pinned
// to it: the client then sends no request to detect it.
func shapesYAML(version string) string {
	var b strings.Builder
	b.WriteString("modules:\n")
	pin := ""
	if version != "" {
		pin = "\n    api_version: \"" + version + "\""
	}
	module := func(name, collectors string) {
		fmt.Fprintf(&b, `  %s:
    timeout: 10s
    api_key: %s%s
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    jobs: {lookback: 1h}
    collectors: [%s]
`, name, testKey, pin, collectors)
	}
	for _, e := range collectorList {
		module(e.collector.Name(), e.collector.Name())
	}
	module("jobs_clients", "jobs, clients")
	module("policies_clients", "policies, clients")
	return b.String()
}

// shapes is a RealShapes folder: the named documents of nbu/testdata/realprimaries, and docs
// (ShapeFile name -> body) written for the test.
func shapes(t *testing.T, docs map[string]string, files ...string) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, f := range files {
		b, err := os.ReadFile(realPrimariesDir + "/" + f)
		if err != nil {
			t.Fatal(err)
		}
		fsys[f] = &fstest.MapFile{Data: b}
	}
	for name, body := range docs {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}

type shapesEnv struct {
	clock *clock
	fake  *fakenbu.Server
	url   string
	env   *testEnv
}

func newShapesEnv(t *testing.T, fsys fstest.MapFS) *shapesEnv {
	t.Helper()
	return newShapesEnvPinned(t, fsys, "")
}

// newShapesEnvPinned is newShapesEnv with the modules pinned to an API version.
func newShapesEnvPinned(t *testing.T, fsys fstest.MapFS, version string) *shapesEnv {
	t.Helper()
	c := newClock(fixtureNow)
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: c.Now, RealShapes: fsys})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	env := newTestEnv(t, mustConfig(t, shapesYAML(version)))
	env.handler.Now = c.Now
	return &shapesEnv{clock: c, fake: fake, url: srv.URL + "/netbackup", env: env}
}

func (e *shapesEnv) probe(t *testing.T, module string) map[string]*dto.MetricFamily {
	t.Helper()
	w := e.env.probe(t, probeQuery(module, e.url), nil)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	return parseExposition(t, w.Body.String())
}

// seriesOf returns the values of the series of name whose labels include match.
func seriesOf(fams map[string]*dto.MetricFamily, name string, match map[string]string) []float64 {
	var out []float64
next:
	for _, m := range fams[name].GetMetric() {
		for _, lp := range m.GetLabel() {
			if v, ok := match[lp.GetName()]; ok && v != lp.GetValue() {
				continue next
			}
		}
		out = append(out, m.GetGauge().GetValue()+m.GetCounter().GetValue()+m.GetUntyped().GetValue())
	}
	return out
}

// lbl builds a label match from name, value pairs.
func lbl(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

type seriesWant struct {
	name   string
	labels map[string]string
	value  float64 // NaN: absent
}

func absent(name string, labels map[string]string) seriesWant {
	return seriesWant{name, labels, math.NaN()}
}

func (w seriesWant) check(t *testing.T, fams map[string]*dto.MetricFamily) {
	t.Helper()
	got := seriesOf(fams, w.name, w.labels)
	switch {
	case math.IsNaN(w.value) && len(got) > 0:
		t.Errorf("%s%v = %v, want no series (the field is not sent)", w.name, w.labels, got)
	case !math.IsNaN(w.value) && (len(got) != 1 || math.Abs(got[0]-w.value) > 1e-9*math.Max(1, math.Abs(w.value))):
		t.Errorf("%s%v = %v, want one series of %v", w.name, w.labels, got, w.value)
	}
}

// jobsPage is a jobs page without meta, its records' attributes as given (ids 1, 2...).
func jobsPage(records ...string) string {
	var data []string
	for i, r := range records {
		data = append(data, fmt.Sprintf(`{"type":"job","id":%d,"meta":{"page":{"cursor":"c%d"}},"attributes":{"jobId":%d,%s}}`, i+1, i+1, i+1, r))
	}
	return `{"data":[` + strings.Join(data, ",") + `]}`
}

// Per collector: a field the primary leaves out gives no series (a 0 would read as an empty pool,
// a full disk, a drive down), and enum values come out in the spec's spelling.
func TestRealPrimaryFieldsAbsentAndSpellings(t *testing.T) {
	for _, tt := range []struct {
		module string
		fsys   func(t *testing.T) fstest.MapFS
		want   []seriesWant
	}{
		{"jobs", func(t *testing.T) fstest.MapFS {
			return shapes(t, map[string]string{"admin_jobs.json": realShape(t, "jobs_page_no_meta.json")})
		}, []seriesWant{
			// VMware and VMWARE aggregate together; only job 101 sent a dedupRatio.
			{"nbu_jobs_count", lbl("action", "BACKUP", "policy_type", "VMWARE", "status", "0"), 2},
			{"nbu_jobs_dedup_ratio", lbl("action", "BACKUP", "policy_type", "VMWARE"), 7.5},
			absent("nbu_jobs_count", lbl("policy_type", "VMware")),
			absent("nbu_jobs_dedup_ratio", lbl("action", "IMAGEDELETE")),
		}},
		{"jobs_clients", func(t *testing.T) fstest.MapFS {
			return shapes(t, map[string]string{"admin_jobs.json": jobsPage(
				`"jobType":"Backup","state":"Done","status":"0","clientName":"c1","endTime":"2026-11-26T11:30:00Z","lastUpdateTime":"2026-11-26T11:30:00Z"`,
				`"jobType":"BACKUP","state":"DONE","status":0,"endTime":"2026-11-26T11:40:00Z","lastUpdateTime":"2026-11-26T11:40:00Z"`)})
		}, []seriesWant{
			{"nbu_client_last_successful_backup_timestamp_seconds", lbl("client", "c1"), float64(at("11:30").Unix())},
			absent("nbu_client_last_successful_backup_timestamp_seconds", lbl("client", "")),
		}},
		{"storage", func(t *testing.T) fstest.MapFS { return shapes(t, nil, "storage_storage-units.json") }, []seriesWant{
			absent("nbu_disk_bytes", lbl("name", "stu-adv-nocap")),
			absent("nbu_disk_capacity_bytes", lbl("name", "stu-adv-nocap")),
			{"nbu_storage_max_concurrent_jobs", lbl("name", "stu-adv-nocap"), 4},
			{"nbu_disk_capacity_bytes", lbl("name", "stu-primary-01"), 1e12},
			{"nbu_storage_info", lbl("name", "stu-adv-nocap", "category", "ADVANCED_DISK", "is_cloud", "", "worm_capable", ""), 1},
			{"nbu_storage_units_count", lbl("category", "PRIMARY"), 1},
		}},
		{"disk_pools", func(t *testing.T) fstest.MapFS {
			return shapes(t, nil, "storage_disk-pools.json", "storage_disk-pools_PureDisk_dp-msdp-01.json",
				"storage_disk-pools_AdvancedDisk_dp-adv-01.json")
		}, []seriesWant{
			// Sizes from the detail where the list lacks them; none where the detail lacks them too.
			{"nbu_disk_pool_capacity_bytes", lbl("name", "dp-msdp-01"), 1.9e12},
			{"nbu_disk_pool_available_bytes", lbl("name", "dp-msdp-01"), 1.2e12},
			{"nbu_disk_pool_used_bytes", lbl("name", "dp-msdp-01"), 7e11},
			absent("nbu_disk_pool_capacity_bytes", lbl("name", "dp-adv-01")),
			absent("nbu_disk_pool_available_bytes", lbl("name", "dp-adv-01")),
			{"nbu_disk_pool_high_watermark_ratio", lbl("name", "dp-adv-01"), 0.95},
			absent("nbu_disk_pool_available_bytes", lbl("name", "dp-noid")),
			{"nbu_disk_pool_up", lbl("name", "dp-adv-01"), 0},
			{"nbu_disk_pool_volume_count", lbl("pool_name", "dp-adv-01", "state", "DOWN"), 1},
			absent("nbu_disk_pool_volume_count", lbl("pool_name", "dp-adv-01", "state", "")),
			{"nbu_disk_pool_volume_count", lbl("pool_name", "dp-msdp-01", "storage_category", "MSDP", "state", "UP"), 1},
		}},
		{"tape", func(t *testing.T) fstest.MapFS {
			return shapes(t, nil, "storage_drives.json", "storage_tape-media.json", "storage_tape-volume-pools.json",
				"storage_robots-device-hosts.json")
		}, []seriesWant{
			absent("nbu_tape_drive_up", lbl("drive_name", "IBM.ULT3580-HH8.001")),
			{"nbu_tape_drive_up", lbl("drive_name", "IBM.ULT3580-HH8.000"), 1},
			{"nbu_tape_drives_count", lbl("drive_type", "DT_HCART3", "robot_type", "TLD", "status", ""), 1},
			absent("nbu_tape_pool_partially_full", lbl("pool_name", "Scratch")),
			{"nbu_tape_pool_partially_full", lbl("pool_name", "NetBackup", "pool_type", "REGULAR_MEDIA_POOL"), 3},
			{"nbu_tape_scratch_media_count", lbl("pool", "Scratch"), 2},
			{"nbu_tape_media_count", lbl("pool", "Scratch", "media_type", "HCART3", "robot_type", "TLD"), 2},
			{"nbu_tape_robot_device_hosts", nil, 1},
		}},
		{"media_servers", func(t *testing.T) fstest.MapFS {
			return shapes(t, map[string]string{"config_media-servers.json": `{"data":[
				{"type":"mediaServer","id":"m1","attributes":{"hostName":"m1","status":{"name":"offline"}}},
				{"type":"mediaServer","id":"m2","attributes":{"hostName":"m2"}}]}`})
		}, []seriesWant{
			{"nbu_media_server_up", lbl("name", "m1"), 0},
			{"nbu_media_server_info", lbl("name", "m1", "status", "OFFLINE"), 1},
			absent("nbu_media_server_up", lbl("name", "m2")),
		}},
		{"policies", func(t *testing.T) fstest.MapFS {
			return shapes(t, nil, "config_policies.json", "config_policies_vm-gold.json", "config_policies_vm-silver.json",
				"config_policies_win-fs.json", "config_policies_fs-daily.json")
		}, []seriesWant{
			{"nbu_policy_info", lbl("policy", "vm-gold", "policy_type", "VMWARE", "active", "true"), 1},
			{"nbu_policy_info", lbl("policy", "vm-silver", "policy_type", "VMWARE", "active", "false"), 1},
			{"nbu_policy_info", lbl("policy", "win-fs", "policy_type", "WINDOWS_NT", "active", ""), 1},
			{"nbu_policy_clients_count", lbl("policy", "vm-gold"), 2},
		}},
		{"catalog", func(t *testing.T) fstest.MapFS {
			// A primary that ignores the lookup's filter answers with the newest job of any kind.
			return shapes(t, map[string]string{"admin_jobs.json": jobsPage(
				`"jobType":"IMAGEDELETE","policyType":"STANDARD","state":"DONE","status":0,"endTime":"2026-11-26T11:50:00Z"`)},
				"catalog_images.json")
		}, []seriesWant{
			absent("nbu_catalog_last_backup_timestamp_seconds", nil),
			absent("nbu_catalog_last_attempt_timestamp_seconds", nil),
			absent("nbu_catalog_images_count", nil),
		}},
		{"slp", func(t *testing.T) fstest.MapFS {
			return shapes(t, map[string]string{"catalog_slp-images.json": `{"data":[{"type":"slpImage","id":"i1",
				"attributes":{"slpName":"slp-1","copies":[{"fragments":[{}]}]}}]}`})
		}, []seriesWant{
			absent("nbu_slp_incomplete_bytes", lbl("slp", "slp-1")),
			absent("nbu_slp_oldest_incomplete_image_age_seconds", lbl("slp", "slp-1")),
		}},
		{"alerts", func(t *testing.T) fstest.MapFS {
			return shapes(t, map[string]string{"manage_alerts.json": `{"data":[
				{"type":"alert","id":"1","attributes":{"severity":"warning","category":"Job"}}]}`})
		}, []seriesWant{
			{"nbu_alerts_count", lbl("severity", "WARNING", "category", "JOB"), 1},
			absent("nbu_alerts_newest_timestamp_seconds", nil),
		}},
		{"malware", func(t *testing.T) fstest.MapFS {
			return shapes(t, map[string]string{"malware_latest-scan-results.json": `{"data":[
				{"type":"scanResult","id":1,"attributes":{"client":"c1","scanResult":"Clean"}}]}`})
		}, []seriesWant{
			{"nbu_malware_scan_count", lbl("status", "CLEAN"), 1},
			absent("nbu_malware_files_scanned", nil),
			absent("nbu_malware_files_infected", nil),
		}},
	} {
		t.Run(tt.module, func(t *testing.T) {
			e := newShapesEnv(t, tt.fsys(t))
			fams := e.probe(t, tt.module)
			if v := seriesOf(fams, "probe_success", nil); len(v) != 1 || v[0] != 1 {
				t.Fatalf("probe_success = %v; logs:\n%s", v, e.env.logs)
			}
			for _, w := range tt.want {
				w.check(t, fams)
			}
		})
	}
}

func realShape(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(realPrimariesDir + "/" + file)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The catalog lookups fold only what the job stream would: a primary that ignores the filter
// answers with the newest job of any kind, and an IMAGEDELETE must not become the last catalog
// backup. A catalog job in another spelling is one.
func TestCatalogLookupChecksTheAnswer(t *testing.T) {
	for _, tt := range []struct {
		name string
		job  string
		want []seriesWant
	}{
		{"image cleanup", `"jobType":"IMAGEDELETE","policyType":"STANDARD","state":"DONE","status":0,"endTime":"2026-11-26T11:50:00Z"`,
			[]seriesWant{absent("nbu_catalog_last_backup_timestamp_seconds", nil), absent("nbu_catalog_last_attempt_timestamp_seconds", nil)}},
		{"a client's backup", `"jobType":"BACKUP","policyType":"VMware","state":"DONE","status":0,"endTime":"2026-11-26T11:50:00Z"`,
			[]seriesWant{absent("nbu_catalog_last_backup_timestamp_seconds", nil), absent("nbu_catalog_last_backup_status", nil)}},
		{"unfinished catalog backup", `"jobType":"DBBACKUP","policyType":"NBU_CATALOG","state":"ACTIVE","status":0,"endTime":"2026-11-26T11:50:00Z"`,
			[]seriesWant{absent("nbu_catalog_last_backup_timestamp_seconds", nil), absent("nbu_catalog_last_attempt_timestamp_seconds", nil)}},
		{"catalog backup spelled otherwise", `"jobType":"DBBACKUP","policyType":"NBU-Catalog","state":"Done","status":"0","endTime":"2026-11-26T11:50:00Z"`,
			[]seriesWant{
				{"nbu_catalog_last_backup_timestamp_seconds", nil, float64(at("11:50").Unix())},
				{"nbu_catalog_last_backup_status", nil, 0},
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newShapesEnv(t, shapes(t, map[string]string{"admin_jobs.json": jobsPage(tt.job)}))
			fams := e.probe(t, "catalog")
			if v := seriesOf(fams, "probe_success", nil); len(v) != 1 || v[0] != 1 {
				t.Fatalf("probe_success = %v; logs:\n%s", v, e.env.logs)
			}
			for _, w := range tt.want {
				w.check(t, fams)
			}
		})
	}
}

// keyOf aggregates a job type and policy type by the spec's spelling, whoever calls it.
func TestKeyOfAggregatesSpellings(t *testing.T) {
	st := newJobsState(time.Hour, fixtureNow.Add(-2*time.Hour))
	since := windowStart(fixtureNow, time.Hour)
	for i, pt := range []string{"VMware", "VMWARE", "vmware", " VMware "} {
		j := &nbu.Job{JobID: int64(i + 1), JobType: "Backup", PolicyType: pt, State: "DONE", EndTime: at("11:30")}
		if !st.add(j, since) {
			t.Fatalf("job %d not counted", i+1)
		}
	}
	if len(st.keys) != 1 || st.keys[0] != (jobKey{"BACKUP", "VMWARE", "0"}) || st.window[st.keys[0]].count != 4 {
		t.Errorf("label sets %v, want the one of BACKUP, VMWARE, 0 with 4 jobs", st.keys)
	}
}
