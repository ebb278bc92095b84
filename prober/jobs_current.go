package prober

import (
	"cmp"
	"math"
	"strconv"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

type stateKey struct{ action, state string }
type queueKey struct{ action, reason string }

// unfinishedJob is what the gauges need of a job that is not DONE. A busy master has tens of
// thousands, so it is kept small (32 bytes, a map slot of 40 with its id) and of a fixed size,
// whatever NetBackup sends: its type, state and queue reason as one interned kind, the update time
// in nanoseconds, and for the hung-jobs gauges (jobs_stalled.go) its byte count, its start and
// when its byte count last moved, in seconds.
type unfinishedJob struct {
	kind    *jobKind // from interner.kind; compare the kinds, not the pointers
	updated int64    // lastUpdateTime, Unix nanoseconds (updateNanos)
	kb      int64    // kilobytesTransferred
	start   uint32   // startTime, Unix seconds (secondsOf); 0 = unknown
	// moved: the lastUpdateTime of the oldest record read that shows the current byte count,
	// Unix seconds; 0 = unknown. The bytes last moved then or before.
	moved uint32
}

// jobKind is what the gauges show of an unfinished job: nbu_jobs_state counts by action and
// state, nbu_jobs_queued by action and reason (of the queued ones).
type jobKind struct {
	action, state string
	reason        int64
}

// updateNanos is t in Unix nanoseconds, the zero time (no lastUpdateTime) before every other.
func updateNanos(t time.Time) int64 {
	if t.IsZero() {
		return math.MinInt64
	}
	return t.UnixNano()
}

// unfinishedJobs follows the jobs that are not DONE now, by id. The update walk keeps it current
// (a job changing state changes its lastUpdateTime); a full read of `state ne 'DONE'` now and then
// replaces it, because a job that is queued for hours, or deleted, sends no update.
type unfinishedJobs map[int64]unfinishedJob

func entryOf(j *nbu.Job, in *interner) unfinishedJob {
	return unfinishedJob{kind: in.kind(j.JobType, cmp.Or(j.State, "UNKNOWN"), j.JobQueueReason), updated: updateNanos(j.LastUpdateTime),
		kb: j.KilobytesTransferred, start: secondsOf(j.StartTime), moved: secondsOf(j.LastUpdateTime)}
}

// record keeps the newest record of each job seen, DONE ones included: applied to the set later,
// a DONE record removes the job.
func (u unfinishedJobs) record(j *nbu.Job, in *interner) {
	if old, ok := u[j.JobID]; ok && old.updated > updateNanos(j.LastUpdateTime) {
		return
	}
	u[j.JobID] = entryOf(j, in)
}

// observe applies one job record now (see apply); it reports whether the gauges change.
func (u unfinishedJobs) observe(j *nbu.Job, in *interner) bool {
	return u.applyOne(j.JobID, entryOf(j, in))
}

func (u unfinishedJobs) applyOne(id int64, e unfinishedJob) bool {
	old, had := u[id]
	if had && old.updated > e.updated {
		return false
	}
	if e.kind.state == "DONE" {
		delete(u, id)
		return had
	}
	if had {
		e.moved = keptMove(old, e)
	}
	u[id] = e
	return !had || *old.kind != *e.kind
}

func (u unfinishedJobs) export(out *metricSet) {
	states := map[stateKey]float64{}
	queued := map[queueKey]float64{}
	for _, j := range u {
		states[stateKey{j.kind.action, j.kind.state}]++
		if j.kind.state == "QUEUED" || j.kind.state == "REQUEUED" {
			queued[queueKey{j.kind.action, strconv.FormatInt(j.kind.reason, 10)}]++
		}
	}
	for k, n := range states {
		out.gauge(descJobsState, n, k.action, k.state)
	}
	for k, n := range queued {
		out.gauge(descJobsQueued, n, k.action, k.reason)
	}
}
