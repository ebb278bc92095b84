package prober

import (
	"testing"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// nbu_jobs_dedup_ratio is the mean dedupRatio of the window's jobs that report one, per action
// and policy type; jobs without a ratio (0) do not pull it down.
func TestJobsDedupRatio(t *testing.T) {
	fake, srv := newFake(t, fakenbu.Options{})
	jobs := fixtureJobs()
	ratios := map[int64]float64{1: 4.5, 2: 7.25, 3: 2} // jobs 1 and 2: BACKUP/STANDARD, 3: BACKUP/VMWARE
	for i := range jobs {
		jobs[i].DedupRatio = ratios[jobs[i].JobID]
	}
	jobs[4].DedupRatio = 50 // job 5 ended before the window: not in the mean
	fake.SetJobs(jobs)
	env := newTestEnv(t, mustConfig(t, testModulesYAML))
	mfs := probeDevices(t, env, "default", srv.URL+"/netbackup")
	checkSeries(t, mfs, "nbu_jobs_dedup_ratio", map[string]float64{
		"BACKUP|STANDARD": (4.5 + 7.25) / 2,
		"BACKUP|VMWARE":   2,
	}) // DUPLICATE/STANDARD (job 4) has no ratio: no series
}
