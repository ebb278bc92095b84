package prober

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

const postureYAML = `
modules:
  posture:
    timeout: 30s
    api_key: ` + testKey + `
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    jobs: {lookback: 1h}
    collectors: [jobs, clients, policies, catalog, slp, alerts, malware]
`

// postureEnv is a fake primary holding the demo posture data, and an exporter probing it on a
// shared clock.
type postureEnv struct {
	*incEnv
	env *testEnv
}

func newPostureEnv(t *testing.T, yml string, opts fakenbu.Options) *postureEnv {
	t.Helper()
	c := newClock(fixtureNow)
	opts.APIKeys, opts.Now = []string{testKey}, c.Now
	fake := fakenbu.New(opts)
	fake.SetPosture(fakenbu.DemoPosture(fixtureNow))
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	e := &incEnv{clock: c, fake: fake, url: srv.URL + "/netbackup", cfg: mustConfig(t, yml)}
	return &postureEnv{incEnv: e, env: e.exporter(t)}
}

func (p *postureEnv) probe(t *testing.T) map[string]*dtoFamily {
	t.Helper()
	p.clock.Advance(15 * time.Second)
	w := p.env.probe(t, probeQuery("posture", p.url), nil)
	fams := parseExposition(t, w.Body.String())
	if sumFamily(fams, "probe_success", nil) != 1 {
		t.Fatalf("probe failed:\n%s\n%s", w.Body.String(), p.env.logs)
	}
	return fams
}

// lastGoodFromFake is what nbu_client_last_successful_backup_timestamp_seconds must say for
// every client the fake knows (from its jobs and its policies): the newest DONE BACKUP with
// status 0 or 1, whatever its age, 0 for none.
func lastGoodFromFake(fake *fakenbu.Server) map[string]float64 {
	want := map[string]float64{}
	for _, p := range fake.Policies() {
		for _, c := range p.Clients {
			want["client="+c+","] = 0
		}
	}
	for _, j := range fake.Jobs() {
		if j.JobType != "BACKUP" || j.State != "DONE" {
			continue
		}
		key := "client=" + j.ClientName + ","
		if _, ok := want[key]; !ok {
			want[key] = 0
		}
		if (j.Status == 0 || j.Status == 1) && float64(j.EndTime.Unix()) > want[key] {
			want[key] = float64(j.EndTime.Unix())
		}
	}
	return want
}

func equalSeries(t *testing.T, name string, got, want map[string]float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d series, want %d:\n got %v\nwant %v", name, len(got), len(want), got, want)
		return
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s{%s} = %v (present %v), want %v", name, k, g, ok, v)
		}
	}
}

// Every posture metric equals what the fake holds, once the clients backfill is complete.
func TestPostureMetricsEqualFake(t *testing.T) {
	p := newPostureEnv(t, postureYAML, fakenbu.Options{})
	var fams map[string]*dtoFamily
	for i := 0; i < 5; i++ {
		if fams = p.probe(t); sumFamily(fams, "nbu_clients_backfill_complete", nil) == 1 {
			break
		}
	}
	now := p.clock.Now()
	equalSeries(t, "nbu_client_last_successful_backup_timestamp_seconds",
		seriesValues(fams, "nbu_client_last_successful_backup_timestamp_seconds"), lastGoodFromFake(p.fake))
	checkClientStream(t, p.fake, fams)
	checkPolicies(t, p.fake, fams)
	checkCatalog(t, p.fake, fams, now)
	checkSLP(t, p.fake, fams, now)
	checkAlerts(t, p.fake, fams)
	checkMalware(t, p.fake, fams, now)
	if sumFamily(fams, "nbu_clients_dropped", nil) != 0 {
		t.Errorf("nbu_clients_dropped = %v, want 0", sumFamily(fams, "nbu_clients_dropped", nil))
	}
}

// checkClientStream: last backup time and status of every client with a finished backup in the
// job window.
func checkClientStream(t *testing.T, fake *fakenbu.Server, fams map[string]*dtoFamily) {
	t.Helper()
	start := time.Unix(int64(sumFamily(fams, "nbu_jobs_window_start_timestamp_seconds", nil)), 0)
	when, status := map[string]float64{}, map[string]float64{}
	for _, j := range fake.Jobs() {
		if j.JobType != "BACKUP" || j.State != "DONE" || j.EndTime.Before(start) {
			continue
		}
		key := "client=" + j.ClientName + ","
		if float64(j.EndTime.Unix()) >= when[key] {
			when[key], status[key] = float64(j.EndTime.Unix()), float64(j.Status)
		}
	}
	equalSeries(t, "nbu_client_last_backup_timestamp_seconds", seriesValues(fams, "nbu_client_last_backup_timestamp_seconds"), when)
	equalSeries(t, "nbu_client_last_backup_status", seriesValues(fams, "nbu_client_last_backup_status"), status)
}

// specPolicyType is the job API's spelling of the policy types the fake's policies have (the
// policy configuration API's names): the label the exporter gives them.
var specPolicyType = map[string]string{"Standard": "STANDARD", "MS-Windows": "WINDOWS_NT", "VMware": "VMWARE",
	"NBU-Catalog": "NBU_CATALOG", "Oracle": "OBACKUP"}

func checkPolicies(t *testing.T, fake *fakenbu.Server, fams map[string]*dtoFamily) {
	t.Helper()
	info, clients := map[string]float64{}, map[string]float64{}
	for _, pol := range fake.Policies() {
		typ, ok := specPolicyType[pol.Type]
		if !ok {
			t.Fatalf("the fake's policy type %q: add its spec spelling to specPolicyType", pol.Type)
		}
		info[fmt.Sprintf("active=%t,policy=%s,policy_type=%s,", pol.Active, pol.Name, typ)] = 1
		clients["policy="+pol.Name+","] = float64(len(pol.Clients))
	}
	equalSeries(t, "nbu_policy_info", seriesValues(fams, "nbu_policy_info"), info)
	equalSeries(t, "nbu_policy_clients_count", seriesValues(fams, "nbu_policy_clients_count"), clients)
}

func checkCatalog(t *testing.T, fake *fakenbu.Server, fams map[string]*dtoFamily, now time.Time) {
	t.Helper()
	var good, attempt fakenbu.Job
	for _, j := range fake.Jobs() {
		if j.PolicyType != "NBU_CATALOG" || j.State != "DONE" {
			continue
		}
		if j.EndTime.After(attempt.EndTime) {
			attempt = j
		}
		if j.Status == 0 && j.EndTime.After(good.EndTime) {
			good = j
		}
	}
	for name, want := range map[string]float64{
		"nbu_catalog_last_backup_timestamp_seconds":  float64(good.EndTime.Unix()),
		"nbu_catalog_last_attempt_timestamp_seconds": float64(attempt.EndTime.Unix()),
		"nbu_catalog_last_backup_status":             float64(attempt.Status),
	} {
		if got := sumFamily(fams, name, nil); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	// The counts were fetched by the first probe: its clock is the window's end.
	fetched := time.Unix(0, int64(sumFamily(fams, "nbu_last_scrape_timestamp_seconds", map[string]string{"source": "catalog_images"})*1e9))
	counts := map[string]float64{}
	for _, img := range fake.Images() {
		if img.BackupTime.Before(fetched.Add(-24*time.Hour)) || img.BackupTime.After(fetched) {
			continue
		}
		counts["anomaly_status="+img.AnomalyStatus+",malware_status="+img.MalwareStatus+","]++
	}
	equalSeries(t, "nbu_catalog_images_count", seriesValues(fams, "nbu_catalog_images_count"), counts)
}

func checkSLP(t *testing.T, fake *fakenbu.Server, fams map[string]*dtoFamily, now time.Time) {
	t.Helper()
	images, bytes, age := map[string]float64{}, map[string]float64{}, map[string]float64{}
	fetched := time.Unix(0, int64(sumFamily(fams, "nbu_last_scrape_timestamp_seconds", map[string]string{"source": "slp"})*1e9))
	for _, img := range fake.SLPImages() {
		switch img.State {
		case "COMPLETE", "DELETED", "NOT_MANAGED":
			continue
		}
		images["slp="+img.SLPName+",state="+img.State+","]++
		key := "slp=" + img.SLPName + ","
		if img.FragmentSize > 0 {
			bytes[key] += float64(img.FragmentSize)
		}
		if a := fetched.Sub(img.BackupTime).Seconds(); a > age[key] {
			age[key] = a
		}
	}
	equalSeries(t, "nbu_slp_incomplete_images", seriesValues(fams, "nbu_slp_incomplete_images"), images)
	equalSeries(t, "nbu_slp_incomplete_bytes", seriesValues(fams, "nbu_slp_incomplete_bytes"), bytes)
	equalSeries(t, "nbu_slp_oldest_incomplete_image_age_seconds", seriesValues(fams, "nbu_slp_oldest_incomplete_image_age_seconds"), age)
}

func checkAlerts(t *testing.T, fake *fakenbu.Server, fams map[string]*dtoFamily) {
	t.Helper()
	counts := map[string]float64{}
	var newest time.Time
	for _, a := range fake.Alerts() {
		counts["category="+a.Category+",severity="+a.Severity+","]++
		if a.Created.After(newest) {
			newest = a.Created
		}
	}
	equalSeries(t, "nbu_alerts_count", seriesValues(fams, "nbu_alerts_count"), counts)
	if got := sumFamily(fams, "nbu_alerts_newest_timestamp_seconds", nil); got != float64(newest.Unix()) {
		t.Errorf("nbu_alerts_newest_timestamp_seconds = %v, want %v", got, newest.Unix())
	}
}

func checkMalware(t *testing.T, fake *fakenbu.Server, fams map[string]*dtoFamily, now time.Time) {
	t.Helper()
	fetched := time.Unix(0, int64(sumFamily(fams, "nbu_last_scrape_timestamp_seconds", map[string]string{"source": "malware"})*1e9))
	var scanned, infected float64
	byStatus := map[string]float64{}
	for _, r := range fake.ScanResults() {
		if r.BackupTime.Unix() < fetched.Add(-24*time.Hour).Unix() {
			continue
		}
		scanned += float64(r.FilesScanned)
		infected += float64(r.FilesImpacted)
		byStatus["status="+r.ScanResult+","]++
	}
	if infected == 0 {
		t.Fatal("the demo data should hold infected files")
	}
	if got := sumFamily(fams, "nbu_malware_files_scanned", nil); got != scanned {
		t.Errorf("nbu_malware_files_scanned = %v, want %v", got, scanned)
	}
	if got := sumFamily(fams, "nbu_malware_files_infected", nil); got != infected {
		t.Errorf("nbu_malware_files_infected = %v, want %v", got, infected)
	}
	equalSeries(t, "nbu_malware_scan_count", seriesValues(fams, "nbu_malware_scan_count"), byStatus)
}
