package prober

import (
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// A finished job whose record has no status is neither a success nor a failure: the job series
// label it "unknown", and the clients' and catalog's last good backups do not move for it.
func TestJobWithoutStatusIsNotASuccess(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		absent     bool
		wantStatus string
		wantGood   bool
	}{
		{"status 0", false, "0", true},
		{"no status", true, "unknown", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j := nbu.Job{JobID: 1, JobType: "BACKUP", PolicyType: "NBU_CATALOG", PolicyName: "cat", ClientName: "c1",
				ScheduleType: "FULL", State: "DONE", StatusAbsent: tc.absent, EndTime: now.Add(-time.Minute)}

			js := newJobsState(time.Hour, now)
			if !js.add(&j, now.Add(-time.Hour)) {
				t.Fatal("the job was not added to the window")
			}
			if len(js.keys) != 1 || js.keys[0].status != tc.wantStatus {
				t.Errorf("label sets = %+v, want one with status %q", js.keys, tc.wantStatus)
			}

			cs := clientsCollector{}.NewState().(*clientsState)
			cs.success = []int{0, 1}
			cs.ObserveJob(&j)
			if good := cs.clients["c1"] != nil && !cs.clients["c1"].newestByStatus[0].IsZero(); good != tc.wantGood {
				t.Errorf("client's good backup known = %t, want %t", good, tc.wantGood)
			}
			if good := cs.backups.recs[backupKey{"cat", "c1", "FULL"}] != nil; good != tc.wantGood {
				t.Errorf("backup triple kept = %t, want %t", good, tc.wantGood)
			}

			var cat catalogState
			cat.ObserveJob(&j)
			if good := !cat.good.end.IsZero(); good != tc.wantGood {
				t.Errorf("catalog good backup known = %t, want %t", good, tc.wantGood)
			}
		})
	}
}
