package prober

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

func clientsYAML(collectors string, budget int) string {
	return fmt.Sprintf(`
modules:
  posture:
    timeout: 30s
    api_key: %s
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    jobs: {lookback: 1h}
    clients: {max_requests_per_probe: %d}
    collectors: [%s]
`, testKey, budget, collectors)
}

// Clients that appear in no job of the window (known from a policy only) get their true last good
// backup after at most ceil(clients / max_requests_per_probe) probes, and not sooner than the
// budget allows.
func TestClientsBackfillWithinBudget(t *testing.T) {
	const n, budget = 25, 10
	p := newPostureEnv(t, clientsYAML("jobs, clients, policies", budget), fakenbu.Options{})
	var jobs []fakenbu.Job
	var names []string
	for i := range n {
		name := fmt.Sprintf("old-%02d", i)
		names = append(names, name)
		end := fixtureNow.Add(-72*time.Hour - time.Duration(i)*time.Minute)
		jobs = append(jobs, fakenbu.Job{JobID: int64(100 + i), JobType: "BACKUP", PolicyType: "STANDARD", PolicyName: "p",
			ClientName: name, State: "DONE", Status: int64(i % 2), StartTime: end.Add(-time.Minute), EndTime: end, LastUpdateTime: end})
	}
	p.fake.SetJobs(jobs)
	p.fake.SetPolicies([]fakenbu.Policy{{Name: "p", Type: "Standard", Active: true, Clients: names}})

	probes := int(math.Ceil(float64(n) / budget))
	var fams map[string]*dtoFamily
	for i := 1; i <= probes; i++ {
		fams = p.probe(t)
		done := sumFamily(fams, "nbu_clients_backfill_complete", nil)
		if want := math.Min(float64(i*budget)/n, 1); done != want {
			t.Errorf("after probe %d: nbu_clients_backfill_complete = %v, want %v", i, done, want)
		}
	}
	equalSeries(t, "nbu_client_last_successful_backup_timestamp_seconds",
		seriesValues(fams, "nbu_client_last_successful_backup_timestamp_seconds"), lastGoodFromFake(p.fake))
}

// A steady master with 5,000 clients costs at most 2 requests per probe for jobs and clients
// together once the backfill is complete, counted on the fake.
func TestClientsSteadyMasterRequests(t *testing.T) {
	p := newPostureEnv(t, clientsYAML("jobs, clients", 10), fakenbu.Options{})
	var jobs []fakenbu.Job
	for i := range 5000 {
		name := fmt.Sprintf("c%04d", i)
		end := fixtureNow.Add(-time.Duration(i%50+1) * time.Minute)
		status := int64(0)
		if i%100 == 0 {
			// 50 clients failed in the window; their last good backup is two days old.
			status = 58
			old := fixtureNow.Add(-48 * time.Hour)
			jobs = append(jobs, fakenbu.Job{JobID: int64(100000 + i), JobType: "BACKUP", PolicyType: "STANDARD", PolicyName: "p",
				ClientName: name, State: "DONE", Status: 0, StartTime: old.Add(-time.Minute), EndTime: old, LastUpdateTime: old})
		}
		jobs = append(jobs, fakenbu.Job{JobID: int64(i + 1), JobType: "BACKUP", PolicyType: "STANDARD", PolicyName: "p",
			ClientName: name, State: "DONE", Status: status, StartTime: end.Add(-time.Minute), EndTime: end, LastUpdateTime: end})
	}
	p.fake.SetJobs(jobs)
	p.fake.SetPolicies(nil)

	var fams map[string]*dtoFamily
	for i := 0; i < 10 && sumFamily(fams, "nbu_clients_backfill_complete", nil) != 1; i++ {
		fams = p.probe(t)
	}
	if got := sumFamily(fams, "nbu_clients_backfill_complete", nil); got != 1 {
		t.Fatalf("backfill not complete after 10 probes: %v", got)
	}
	equalSeries(t, "nbu_client_last_successful_backup_timestamp_seconds",
		seriesValues(fams, "nbu_client_last_successful_backup_timestamp_seconds"), lastGoodFromFake(p.fake))
	for i := 0; i < 3; i++ {
		p.fake.ResetCounters()
		p.probe(t)
		if n := p.fake.TotalRequests(); n > 2 {
			t.Errorf("steady probe %d: %d NetBackup requests for jobs + clients, want at most 2", i, n)
		}
	}
}

// The cap leaves clients out and says how many.
func TestClientsMaxSeries(t *testing.T) {
	yml := strings.Replace(clientsYAML("jobs, clients, policies", 10), "clients: {max_requests_per_probe: 10}",
		"clients: {max_requests_per_probe: 10, max_series: 3}", 1)
	p := newPostureEnv(t, yml, fakenbu.Options{})
	fams := p.probe(t)
	if got := len(seriesValues(fams, "nbu_client_last_successful_backup_timestamp_seconds")); got > 3 {
		t.Errorf("%d clients exported, cap 3", got)
	}
	known := len(lastGoodFromFake(p.fake))
	if got := sumFamily(fams, "nbu_clients_dropped", nil); got != float64(known-3) {
		t.Errorf("nbu_clients_dropped = %v, want %d", got, known-3)
	}
}

// Alerts over three pages are all counted, in three requests.
func TestAlertsEveryPage(t *testing.T) {
	p := newPostureEnv(t, strings.Replace(clientsYAML("alerts", 10), "jobs: {lookback: 1h}", "alerts: {page_size: 100}", 1), fakenbu.Options{})
	p.fake.ResetCounters()
	fams := p.probe(t)
	if got := sumFamily(fams, "nbu_alerts_count", nil); got != fakenbu.DemoAlerts {
		t.Errorf("nbu_alerts_count sums to %v, want %d", got, fakenbu.DemoAlerts)
	}
	if got := p.fake.Requests("/manage/alerts"); got != 3 {
		t.Errorf("%d requests to /manage/alerts, want 3 pages", got)
	}
}

func statusRangesString(st []int) string { return fmt.Sprint(statusRanges(st)) }

func TestStatusRangesAndFilter(t *testing.T) {
	for in, want := range map[string]string{"0 1": "[[0 1]]", "0": "[[0 0]]", "1 0 5 6 9": "[[0 1] [5 6] [9 9]]"} {
		var st []int
		for _, f := range strings.Fields(in) {
			var v int
			fmt.Sscan(f, &v)
			st = append(st, v)
		}
		if got := statusRangesString(st); got != want {
			t.Errorf("statusRanges(%s) = %s, want %s", in, got, want)
		}
	}
	if got := backfillFilter("o'brien", [2]int{0, 1}); got != "jobType eq 'BACKUP' and state eq 'DONE' and clientName eq 'o''brien' and status ge 0 and status le 1" {
		t.Errorf("filter = %s", got)
	}
}
