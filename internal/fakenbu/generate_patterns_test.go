package fakenbu

import (
	"testing"
	"time"
)

// The generated jobs hold what the hung-job and failed-backup series need: the oldest running
// backup not updated since a minute after it started, failed backups cleared by a later good one of
// the same policy, client and schedule type, and failed backups that stay the newest of theirs.
func TestGenerateJobsPatterns(t *testing.T) {
	jobs := GenerateJobs(1, 2000, 6*time.Hour, testNow)
	type triple struct{ policy, client, schedule string }
	newest := map[triple]Job{}
	cleared := 0
	var hung *Job
	for i, j := range jobs {
		if j.JobType == "BACKUP" && j.State == "ACTIVE" && hung == nil {
			hung = &jobs[i]
		}
		if j.JobType != "BACKUP" || j.State != "DONE" || j.ParentJobID != 0 {
			continue
		}
		k := triple{j.PolicyName, j.ClientName, j.ScheduleType}
		if prev, ok := newest[k]; ok && prev.Status > 1 && j.Status == 0 && j.EndTime.After(prev.EndTime) {
			cleared++
		}
		if prev, ok := newest[k]; !ok || j.EndTime.After(prev.EndTime) {
			newest[k] = j
		}
	}
	stillFailed := 0
	for _, j := range newest {
		if j.Status > 1 {
			stillFailed++
		}
	}
	if cleared == 0 || stillFailed == 0 {
		t.Errorf("failed backups cleared by a later good one: %d; failed backups still the newest: %d; want both", cleared, stillFailed)
	}
	if hung == nil || !hung.LastUpdateTime.Equal(hung.StartTime.Add(time.Minute)) {
		t.Errorf("the oldest running backup is not hung: %+v", hung)
	}
}
