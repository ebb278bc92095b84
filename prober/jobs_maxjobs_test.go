package prober

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// A primary with more jobs than jobs.max_jobs fills the target's job state to the bound and no
// further: the jobs past it are left out and counted, not kept.
func TestJobStateHoldsAtMostMaxJobs(t *testing.T) {
	const maxJobs, jobs = 1000, 3000
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: func() time.Time { return fixtureNow }})
	fake.SetJobs(fakenbu.GenerateJobs(1, jobs, time.Hour, fixtureNow))
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	env := newTestEnv(t, mustConfig(t, fmt.Sprintf("modules:\n  default: {timeout: 30s, api_key: %s, allowed_targets: [\"127.0.0.1\"], insecure_http: true, jobs: {max_jobs: %d}, collectors: [jobs]}\n", testKey, maxJobs)))
	for probe := range 2 {
		w := env.probe(t, probeQuery("default", srv.URL+"/netbackup"), nil)
		fams := parseExposition(t, w.Body.String())
		counted := sumFamily(fams, "nbu_jobs_count", nil)
		active := sumFamily(fams, "nbu_jobs_state_count", nil) - sumFamily(fams, "nbu_jobs_state_count", map[string]string{"state": "DONE"})
		dropped := sumFamily(fams, "nbu_jobs_dropped", nil)
		if counted+active > maxJobs {
			t.Errorf("probe %d: the state holds %v finished and %v unfinished jobs, bound %d", probe, counted, active, maxJobs)
		}
		if dropped < jobs-maxJobs {
			t.Errorf("probe %d: nbu_jobs_dropped = %v, want at least %d", probe, dropped, jobs-maxJobs)
		}
	}
}
