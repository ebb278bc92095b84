package prober

import (
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

func TestBackupFrequencyRules(t *testing.T) {
	freq := func(typ, backupType string, secs int64) nbu.Schedule {
		return nbu.Schedule{Type: typ, BackupType: backupType, FrequencySeconds: nbu.Some(secs)}
	}
	for _, tc := range []struct {
		name      string
		schedules []nbu.Schedule
		want      int64
	}{
		{"the shortest of full and incremental", []nbu.Schedule{freq("Frequency", "Full Backup", 604800), freq("Frequency", "Differential Incremental Backup", 86400)}, 86400},
		{"calendar schedules set none", []nbu.Schedule{freq("Calendar", "Full Backup", 3600), freq("calendar", "Full Backup", 60)}, 0},
		{"user-directed schedules set none", []nbu.Schedule{freq("Frequency", "User Backup", 3600), freq("Frequency", "USER_ARCHIVE", 3600),
			freq("Frequency", "Application Backup", 3600), freq("Frequency", "Full Backup", 86400)}, 86400},
		{"nor do vault and package schedules", []nbu.Schedule{freq("Frequency", "Automatic Vault", 60), freq("Frequency", "Install Package", 60)}, 0},
		{"database schedules the scheduler starts", []nbu.Schedule{freq("Frequency", "Automatic Full Backup", 86400), freq("Frequency", "Archived Redo Log Backup", 14400)}, 14400},
		{"an absent, zero or negative frequency sets none", []nbu.Schedule{{Type: "Frequency", BackupType: "Full Backup"},
			freq("Frequency", "Full Backup", 0), freq("Frequency", "Full Backup", -5)}, 0},
		{"an absent type with a frequency", []nbu.Schedule{freq("", "", 7200)}, 7200},
		{"no schedules", nil, 0},
	} {
		if got := backupFrequency(nbu.PolicyDetail{Schedules: tc.schedules}); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

// Each client's promised frequency from the demo's policies: the shortest among the active
// policies that list it, none for a client with calendar schedules only or in an inactive policy
// only; a policy that leaves the list takes its frequency with it.
func TestClientFrequencyFromPolicies(t *testing.T) {
	p := newPostureEnv(t, postureYAML, fakenbu.Options{})
	fams := p.probe(t)
	day := float64(86400)
	equalSeries(t, "nbu_client_backup_frequency_seconds", seriesValues(fams, "nbu_client_backup_frequency_seconds"), map[string]float64{
		"client=app-01,": 4 * 3600, "client=app-02,": day, "client=app-03,": day,
		"client=" + fakenbu.DemoStaleClient + ",": day, "client=" + fakenbu.DemoPolicyOnlyClient + ",": day,
	})

	var kept []fakenbu.Policy
	for _, pol := range p.fake.Policies() {
		if pol.Name != "db-logs" {
			kept = append(kept, pol)
		}
	}
	p.fake.SetPolicies(kept)
	p.clock.Advance(time.Hour) // policies.cache_ttl: the list is read again
	fams = p.probe(t)
	if got := seriesValues(fams, "nbu_client_backup_frequency_seconds")["client=app-01,"]; got != day {
		t.Errorf("app-01 after db-logs left: %v, want %v", got, day)
	}
}

// Without the policies collector the frequency is not known: no series.
func TestClientFrequencyNeedsPolicies(t *testing.T) {
	p := newPostureEnv(t, clientsYAML("jobs, clients", 10), fakenbu.Options{})
	if got := seriesValues(p.probe(t), "nbu_client_backup_frequency_seconds"); len(got) != 0 {
		t.Errorf("frequencies without the policies collector: %v", got)
	}
}
