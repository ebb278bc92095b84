package prober

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// The first read plans its readers on NetBackup's count of the window's updates: a master of
// 5,000 jobs is read in ceil(jobs/100) + 2% + 3 requests at most. Without the count (an older
// release, no permission) the read is planned on the pages' pace and still completes.
func TestFirstReadIsPlannedOnTheCount(t *testing.T) {
	const jobs = 5000
	for _, countFails := range []bool{false, true} {
		t.Run(fmt.Sprintf("count fails=%v", countFails), func(t *testing.T) {
			fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: func() time.Time { return fixtureNow }, PageLatency: 20 * time.Millisecond})
			fake.SetJobs(fakenbu.GenerateJobs(1, jobs, time.Hour, fixtureNow))
			if countFails {
				fake.FailEndpoint("/admin/jobs-count-requests", http.StatusNotFound)
			}
			srv := httptest.NewServer(fake)
			t.Cleanup(srv.Close)
			env := newTestEnv(t, mustConfig(t, fmt.Sprintf("modules:\n  default: {timeout: 30s, api_key: %s, allowed_targets: [\"127.0.0.1\"], insecure_http: true, max_concurrent_requests: 8, collectors: [jobs]}\n", testKey)))
			w := env.probe(t, probeQuery("default", srv.URL+"/netbackup"), http.Header{"X-Prometheus-Scrape-Timeout-Seconds": {"30"}})
			if fams := parseExposition(t, w.Body.String()); sumFamily(fams, "nbu_jobs_backfill_complete", nil) != 1 {
				t.Fatalf("the first probe did not complete the window:\n%s", env.logs)
			}
			if got := fake.Requests("/admin/jobs-count-requests"); got != 1 {
				t.Errorf("%d count requests, want 1", got)
			}
			bound := int(math.Ceil(jobs/100.0)*1.02) + 3
			if got := fake.TotalRequests(); !countFails && got > bound {
				t.Errorf("%d requests for %d jobs, want at most %d", got, jobs, bound)
			}
		})
	}
}
