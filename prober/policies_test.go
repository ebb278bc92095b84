package prober

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// Policy details are read within policies.max_requests_per_probe per probe; once all are read and
// the list is fresh, a probe costs the policies collector nothing.
func TestPoliciesDetailBudget(t *testing.T) {
	yml := strings.Replace(clientsYAML("policies", 10), "clients: {max_requests_per_probe: 10}", "policies: {max_requests_per_probe: 10}", 1)
	p := newPostureEnv(t, yml, fakenbu.Options{})
	var pols []fakenbu.Policy
	for i := range 25 {
		pols = append(pols, fakenbu.Policy{Name: fmt.Sprintf("pol-%02d", i), Type: "Standard", Active: i%3 != 0,
			Clients: []string{fmt.Sprintf("c%d", i), "shared"}})
	}
	p.fake.SetPolicies(pols)
	for i, want := range []int{10, 20, 25, 25} {
		p.fake.ResetCounters()
		fams := p.probe(t)
		if got := len(seriesValues(fams, "nbu_policy_clients_count")); got != want {
			t.Errorf("probe %d: %d policies with a client count, want %d", i+1, got, want)
		}
		if got := len(seriesValues(fams, "nbu_policy_info")); got != 25 {
			t.Errorf("probe %d: %d nbu_policy_info series, want 25", i+1, got)
		}
		// Less the list and the API version detection of the first probe.
		detail := p.fake.TotalRequests() - p.fake.Requests("/config/policies/") - p.fake.Requests("/admin/jobs")
		if detail > 10 || (i == 3 && p.fake.TotalRequests() != 0) {
			t.Errorf("probe %d: %d detail requests (%d in all)", i+1, detail, p.fake.TotalRequests())
		}
	}
	// After policies.cache_ttl the list and the details are read again.
	p.clock.Advance(time.Hour)
	p.fake.ResetCounters()
	p.probe(t)
	if p.fake.Requests("/config/policies/") != 1 {
		t.Errorf("the list was not read again after its TTL")
	}
}

// The catalog's newest backups are looked up once, then kept current from the job stream with no
// request of the catalog collector's own.
func TestCatalogFollowsStream(t *testing.T) {
	p := newPostureEnv(t, clientsYAML("jobs, catalog", 10), fakenbu.Options{})
	p.probe(t)
	p.fake.ResetCounters()
	end := p.clock.Now().Add(time.Second)
	p.fake.UpsertJob(fakenbu.Job{JobID: 999999, JobType: "DBBACKUP", PolicyType: "NBU_CATALOG", PolicyName: "catalog",
		ClientName: "nbu-primary.example.com", State: "DONE", Status: 0, StartTime: end.Add(-time.Minute), EndTime: end, LastUpdateTime: end})
	p.clock.Advance(5 * time.Second)
	fams := p.probe(t)
	if got := sumFamily(fams, "nbu_catalog_last_backup_timestamp_seconds", nil); got != float64(end.Truncate(time.Millisecond).UnixNano())/1e9 {
		t.Errorf("nbu_catalog_last_backup_timestamp_seconds = %v, want %v", got, end.Unix())
	}
	if got := sumFamily(fams, "nbu_catalog_last_backup_status", nil); got != 0 {
		t.Errorf("nbu_catalog_last_backup_status = %v, want 0", got)
	}
	if n := p.fake.Requests("/admin/jobs"); n > 2 || p.fake.Requests("/catalog/images") != 0 {
		t.Errorf("steady probe: %d job requests, %d image requests", n, p.fake.Requests("/catalog/images"))
	}
}
