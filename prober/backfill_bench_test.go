package prober

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// BenchmarkBackfill is a first probe of a busy master: 100k jobs in the 1h window, 100ms per page,
// a 30s scrape timeout. cap=8 must complete in one probe; cap=1 (a master to spare) completes over
// successive probes, each ending by its deadline, with exact counts (checked: the benchmark fails
// otherwise). Reports seconds per probe, requests, and probes needed.
func BenchmarkBackfill(b *testing.B) {
	const jobs = 100_000
	c := newClock(fixtureNow)
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: c.Now, PageLatency: 100 * time.Millisecond})
	fake.SetJobs(fakenbu.GenerateJobs(1, jobs, time.Hour, fixtureNow))
	srv := httptest.NewServer(fake)
	defer srv.Close()
	since := windowStart(fixtureNow, time.Hour)
	want := 0
	for _, j := range fake.Jobs() {
		if j.State == "DONE" && !j.EndTime.Before(since) {
			want++
		}
	}
	scrape := http.Header{"X-Prometheus-Scrape-Timeout-Seconds": {"30"}}
	for _, maxConc := range []int{8, 1} {
		b.Run(fmt.Sprintf("cap=%d", maxConc), func(b *testing.B) {
			cfg, err := parseConfig(fmt.Sprintf(`
modules:
  default:
    timeout: 30s
    api_key: %s
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    max_concurrent_requests: %d
    collectors: [jobs]
`, testKey, maxConc))
			if err != nil {
				b.Fatal(err)
			}
			var probes, requests int
			var longest time.Duration
			for b.Loop() {
				env := newBenchEnv(b, cfg)
				env.handler.Now = c.Now
				fake.ResetCounters()
				for probes = 1; probes <= 20; probes++ {
					start := time.Now()
					w := httptest.NewRecorder()
					r := httptest.NewRequest("GET", "/probe?"+probeQuery("default", srv.URL+"/netbackup"), nil)
					r.Header = scrape.Clone()
					env.handler.ServeHTTP(w, r)
					longest = max(longest, time.Since(start))
					fams := parseExposition(b, w.Body.String())
					if sumFamily(fams, "nbu_jobs_backfill_complete", nil) == 1 {
						if got := sumFamily(fams, "nbu_jobs_count", nil); got != float64(want) {
							b.Fatalf("after %d probes nbu_jobs_count = %v, want %d", probes, got, want)
						}
						break
					}
				}
				requests = fake.TotalRequests()
				env.handler.Sessions.Close()
			}
			b.ReportMetric(float64(probes), "probes-to-complete")
			b.ReportMetric(longest.Seconds(), "longest-probe-s")
			b.ReportMetric(float64(requests), "requests")
		})
	}
}
