package prober

import (
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// An unfinished job's queue reason is part of its interned kind: a new reason alone changes what
// the gauges show, and jobs sharing type, state and reason share one kind.
func TestUnfinishedKindHoldsTheReason(t *testing.T) {
	in, u := newInterner(), unfinishedJobs{}
	queued := func(id, reason int64, at time.Time) *nbu.Job {
		return &nbu.Job{JobID: id, JobType: "BACKUP", State: "QUEUED", JobQueueReason: reason, LastUpdateTime: at}
	}
	if !u.observe(queued(1, 2, fixtureNow), in) || !u.observe(queued(2, 2, fixtureNow), in) {
		t.Fatal("a new job did not change the gauges")
	}
	if u[1].kind != u[2].kind {
		t.Error("two jobs of one kind hold two kinds")
	}
	if u.observe(queued(1, 2, fixtureNow.Add(time.Second)), in) {
		t.Error("a newer record of the same kind changed the gauges")
	}
	if !u.observe(queued(1, 4, fixtureNow.Add(2*time.Second)), in) || u[1].kind.reason != 4 {
		t.Error("a new queue reason did not change the gauges")
	}
}
