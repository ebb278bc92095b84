package prober

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// On API 10.0 the image counts use malwareScanResult and have no anomaly status, and the malware
// collector leaves out the infected-file sum the 10.3 spec does not have.
func TestPostureOnAPI10(t *testing.T) {
	yml := strings.Replace(postureYAML, "jobs: {lookback: 1h}", "jobs: {lookback: 1h}\n    api_version: \"10.0\"", 1)
	p := newPostureEnv(t, yml, fakenbu.Options{})
	fams := p.probe(t)
	counts := map[string]float64{}
	for _, img := range p.fake.Images() {
		if img.BackupTime.After(fixtureNow.Add(-24 * 3600e9)) {
			counts["anomaly_status=,malware_status="+img.MalwareScanResult+","]++
		}
	}
	got := seriesValues(fams, "nbu_catalog_images_count")
	equalSeries(t, "nbu_catalog_images_count", got, counts)
	if v := sumFamily(fams, "nbu_malware_files_infected", nil); v != -1 {
		t.Errorf("nbu_malware_files_infected = %v on API 10.0, want absent", v)
	}
	if v := sumFamily(fams, "nbu_malware_files_scanned", nil); v <= 0 {
		t.Errorf("nbu_malware_files_scanned = %v, want the scanned files", v)
	}
}

// A primary that does not serve an endpoint (404) has that collector skipped and said so; the
// probe still succeeds and the other collectors report.
func TestPostureCollectorSkippedOn404(t *testing.T) {
	p := newPostureEnv(t, postureYAML, fakenbu.Options{})
	fake := p.fake
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/netbackup/config/policies") || r.URL.Path == "/netbackup/catalog/slp-images" ||
			r.URL.Path == "/netbackup/catalog/images" {
			w.Header().Set("Content-Type", "application/vnd.netbackup+json;version=14.0")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"errorCode":404,"errorMessage":"not found"}`))
			return
		}
		fake.ServeHTTP(w, r)
	}))
	defer srv.Close()
	p.url = srv.URL + "/netbackup"
	fams := p.probe(t)
	for _, c := range []string{"policies", "slp"} {
		if v := sumFamily(fams, "nbu_collector_skipped", map[string]string{"collector": c}); v != 1 {
			t.Errorf("nbu_collector_skipped{collector=%q} = %v, want 1", c, v)
		}
	}
	for _, c := range []string{"alerts", "catalog"} {
		if v := sumFamily(fams, "nbu_collector_success", map[string]string{"collector": c}); v != 1 {
			t.Errorf("%s collector success = %v", c, v)
		}
	}
	// Without /catalog/images the catalog still reports its backups, not the image counts.
	if sumFamily(fams, "nbu_catalog_last_attempt_timestamp_seconds", nil) <= 0 || sumFamily(fams, "nbu_catalog_images_count", nil) != -1 {
		t.Errorf("catalog series wrong without /catalog/images")
	}
}
