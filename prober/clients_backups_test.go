package prober

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// streamJob is a finished job of the look-back window, ended ago before fixtureNow.
func streamJob(id int64, jobType, policy, client, schedule string, ago time.Duration, status int64) fakenbu.Job {
	end := fixtureNow.Add(-ago)
	return fakenbu.Job{JobID: id, JobType: jobType, PolicyType: "STANDARD", PolicyName: policy, ClientName: client,
		ScheduleType: schedule, State: "DONE", Status: status, StartTime: end.Add(-5 * time.Minute), EndTime: end, LastUpdateTime: end}
}

func backupLabels(policy, client, schedule string) string {
	return "client=" + client + ",policy=" + policy + ",schedule_type=" + schedule + ","
}

func unixOf(ago time.Duration) float64 { return float64(fixtureNow.Add(-ago).Unix()) }

// Each (policy, client, schedule type) the stream shows has its newest backup's status and end, and
// its newest good one's end when the stream showed one: a failure cleared by a later success, a
// success followed by a failure, failures only (no success series), a partial success that counts
// as good by default. Jobs without a policy or a schedule type, and copies, make no triple.
func TestBackupTriplesFromStream(t *testing.T) {
	p := newPostureEnv(t, clientsYAML("jobs, clients", 10), fakenbu.Options{})
	p.fake.SetPolicies(nil)
	p.fake.SetJobs([]fakenbu.Job{
		streamJob(1, "BACKUP", "p1", "c1", "FULL_BACKUP", 50*time.Minute, 58),
		streamJob(2, "BACKUP", "p1", "c1", "FULL_BACKUP", 40*time.Minute, 0),
		streamJob(3, "BACKUP", "p1", "c1", "DIFFERENTIAL_INCREMENTAL_BACKUP", 55*time.Minute, 0),
		streamJob(4, "BACKUP", "p1", "c1", "DIFFERENTIAL_INCREMENTAL_BACKUP", 30*time.Minute, 58),
		streamJob(5, "BACKUP", "p1", "c2", "FULL_BACKUP", 20*time.Minute, 13),
		streamJob(6, "BACKUP", "p1", "c2", "FULL_BACKUP", 25*time.Minute, 96),
		streamJob(7, "BACKUP", "p2", "c2", "FULL_BACKUP", 10*time.Minute, 1),
		streamJob(8, "BACKUP", "p2", "c3", "", 10*time.Minute, 0),
		streamJob(9, "BACKUP", "", "c3", "FULL_BACKUP", 10*time.Minute, 0),
		streamJob(10, "DUPLICATE", "slp", "c1", "", 5*time.Minute, 0),
	})
	fams := p.probe(t)
	equalSeries(t, "nbu_backup_last_status", seriesValues(fams, "nbu_backup_last_status"), map[string]float64{
		backupLabels("p1", "c1", "FULL_BACKUP"): 0, backupLabels("p1", "c1", "DIFFERENTIAL_INCREMENTAL_BACKUP"): 58,
		backupLabels("p1", "c2", "FULL_BACKUP"): 13, backupLabels("p2", "c2", "FULL_BACKUP"): 1,
	})
	equalSeries(t, "nbu_backup_last_end_timestamp_seconds", seriesValues(fams, "nbu_backup_last_end_timestamp_seconds"), map[string]float64{
		backupLabels("p1", "c1", "FULL_BACKUP"): unixOf(40 * time.Minute), backupLabels("p1", "c1", "DIFFERENTIAL_INCREMENTAL_BACKUP"): unixOf(30 * time.Minute),
		backupLabels("p1", "c2", "FULL_BACKUP"): unixOf(20 * time.Minute), backupLabels("p2", "c2", "FULL_BACKUP"): unixOf(10 * time.Minute),
	})
	equalSeries(t, "nbu_backup_last_success_timestamp_seconds", seriesValues(fams, "nbu_backup_last_success_timestamp_seconds"), map[string]float64{
		backupLabels("p1", "c1", "FULL_BACKUP"): unixOf(40 * time.Minute), backupLabels("p1", "c1", "DIFFERENTIAL_INCREMENTAL_BACKUP"): unixOf(55 * time.Minute),
		backupLabels("p2", "c2", "FULL_BACKUP"): unixOf(10 * time.Minute),
	})
	if got := sumFamily(fams, "nbu_backups_dropped", nil); got != 0 {
		t.Errorf("nbu_backups_dropped = %v, want 0", got)
	}

	// A later success clears the failed triple; the steady probe adds no request of the clients
	// collector's own.
	p.fake.UpsertJob(streamJob(11, "BACKUP", "p1", "c2", "FULL_BACKUP", -10*time.Second, 0))
	p.fake.ResetCounters()
	fams = p.probe(t)
	if got := seriesValues(fams, "nbu_backup_last_success_timestamp_seconds")[backupLabels("p1", "c2", "FULL_BACKUP")]; got != unixOf(-10*time.Second) {
		t.Errorf("after a good backup, the triple's last success = %v, want %v", got, unixOf(-10*time.Second))
	}
	if n := p.fake.TotalRequests() - p.fake.Requests("/admin/jobs"); n != 0 {
		t.Errorf("%d requests besides the job stream's", n)
	}
}

// What counts as good is clients.success_statuses: with [0], a partial success is a failure.
func TestBackupTriplesSuccessStatuses(t *testing.T) {
	yml := strings.Replace(clientsYAML("jobs, clients", 10), "clients: {max_requests_per_probe: 10}",
		"clients: {max_requests_per_probe: 10, success_statuses: [0]}", 1)
	p := newPostureEnv(t, yml, fakenbu.Options{})
	p.fake.SetPolicies(nil)
	p.fake.SetJobs([]fakenbu.Job{streamJob(1, "BACKUP", "p", "c", "FULL_BACKUP", 10*time.Minute, 1)})
	fams := p.probe(t)
	if got := seriesValues(fams, "nbu_backup_last_success_timestamp_seconds"); len(got) != 0 {
		t.Errorf("a partial success counted as good with success_statuses [0]: %v", got)
	}
	if got := sumFamily(fams, "nbu_backup_last_status", nil); got != 1 {
		t.Errorf("nbu_backup_last_status = %v, want 1", got)
	}
}

// The triples are bounded by clients.max_series, the rest counted; a triple whose newest backup
// is older than backupRetention is forgotten.
func TestBackupTriplesBounded(t *testing.T) {
	yml := strings.Replace(clientsYAML("jobs, clients", 10), "clients: {max_requests_per_probe: 10}",
		"clients: {max_requests_per_probe: 0, max_series: 3}", 1)
	p := newPostureEnv(t, yml, fakenbu.Options{})
	p.fake.SetPolicies(nil)
	var jobs []fakenbu.Job
	for i := range 5 {
		jobs = append(jobs, streamJob(int64(i+1), "BACKUP", "p", "c1", fmt.Sprintf("S%d", i), time.Duration(i+1)*time.Minute, 0))
	}
	jobs = append(jobs, streamJob(6, "BACKUP", "p", "c1", "S0", 30*time.Second, 0)) // a known triple again
	p.fake.SetJobs(jobs)
	fams := p.probe(t)
	if got := len(seriesValues(fams, "nbu_backup_last_status")); got != 3 {
		t.Errorf("%d triples exported, cap 3", got)
	}
	if got := sumFamily(fams, "nbu_backups_dropped", nil); got != 2 {
		t.Errorf("nbu_backups_dropped = %v, want 2", got)
	}
	p.clock.Advance(backupRetention)
	fams = p.probe(t)
	if got := len(seriesValues(fams, "nbu_backup_last_status")); got != 0 {
		t.Errorf("%d triples kept past the retention", got)
	}
}

// Copies: the newest good copy of each kind per client, from the jobs that copy an image; a
// client known only from copies is not reported as a client without backups.
func TestClientCopiesFromStream(t *testing.T) {
	p := newPostureEnv(t, clientsYAML("jobs, clients", 10), fakenbu.Options{})
	p.fake.SetPolicies(nil)
	p.fake.SetJobs([]fakenbu.Job{
		streamJob(1, "BACKUP", "p", "c1", "FULL_BACKUP", 50*time.Minute, 0),
		streamJob(2, "DUPLICATE", "slp", "c1", "", 30*time.Minute, 0),
		streamJob(3, "DUPLICATE", "slp", "c1", "", 10*time.Minute, 84), // failed: not a copy
		streamJob(4, "REPLICATE", "slp", "c1", "", 20*time.Minute, 0),
		streamJob(5, "SNAPDUPE", "slp", "c3", "", 25*time.Minute, 1),
		streamJob(6, "IMPORT", "slp-import", "c2", "", 15*time.Minute, 0), // replicated here from another domain
		streamJob(7, "VERIFY", "", "c1", "", 5*time.Minute, 0),
	})
	fams := p.probe(t)
	equalSeries(t, "nbu_client_last_copy_success_timestamp_seconds", seriesValues(fams, "nbu_client_last_copy_success_timestamp_seconds"), map[string]float64{
		"client=c1,kind=duplication,": unixOf(30 * time.Minute), "client=c1,kind=replication,": unixOf(20 * time.Minute),
		"client=c3,kind=duplication,": unixOf(25 * time.Minute), "client=c2,kind=replication,": unixOf(15 * time.Minute),
	})
	if got := seriesValues(fams, "nbu_client_last_successful_backup_timestamp_seconds"); len(got) != 1 || got["client=c1,"] != unixOf(50*time.Minute) {
		t.Errorf("clients = %v, want c1 only (copies make no client)", got)
	}
	if got := sumFamily(fams, "nbu_client_copies_dropped", nil); got != 0 {
		t.Errorf("nbu_client_copies_dropped = %v", got)
	}
}
