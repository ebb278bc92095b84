package prober

import (
	"math"
	"time"
)

var (
	descJobsOldestActive = newDesc("nbu_jobs_oldest_active_start_timestamp_seconds",
		"Start time of the oldest ACTIVE job, by action (jobType); jobs without a start time are left out.", "action")
	descJobsStalled = newDesc("nbu_jobs_stalled",
		"ACTIVE jobs whose byte count (kilobytesTransferred) has not moved for jobs.stalled_after, by action (jobType); 0 for an action whose active jobs all move.",
		"action")
)

// stallWatch is what the hung-jobs gauges need besides the unfinished jobs: they depend on the
// clock, while the job series are built only when the state changes (jobsExport). So the build
// notes when the next active job will have been still for stalled_after, and the first probe at
// or after that time rebuilds: a probe where nothing changed and no job crossed the line serves
// the series it built before, whatever the number of jobs.
type stallWatch struct {
	after time.Duration // jobs.stalled_after
	now   time.Time     // the probe's time, for the build
	// cutoff: the build counted as stalled the active jobs whose bytes last moved at or before
	// this Unix second; 0 before the first build.
	cutoff uint32
	// due: when the next active job that the build did not count becomes stalled; zero: none.
	due time.Time
}

// watchStalls starts a probe at now: it rebuilds the series when a job has become stalled since
// they were built.
func (s *jobsState) watchStalls(now time.Time, after time.Duration) {
	s.stall.now = now
	if after != s.stall.after {
		s.stall.after = after
		s.touch()
	}
	if !s.stall.due.IsZero() && !now.Before(s.stall.due) {
		s.stall.due = time.Time{}
		s.touch()
	}
}

// stallsChanged reports whether a record that changed neither the job's kind nor the set changed
// what the hung-jobs gauges show: its start time, or the bytes of a job they counted as stalled.
func (s *jobsState) stallsChanged(before unfinishedJob, had bool, id int64) bool {
	after, has := s.unfinished[id]
	if !had || !has {
		return false // a job added or removed changes the state gauges: observe reports it
	}
	return after.start != before.start || (after.moved != before.moved && s.stall.counted(before))
}

// counted reports whether the last build counted j as stalled.
func (w *stallWatch) counted(j unfinishedJob) bool {
	return j.kind.state == "ACTIVE" && j.moved != 0 && j.moved <= w.cutoff
}

// exportActive writes the hung-jobs gauges of the ACTIVE jobs: the oldest start by action, and how
// many have not moved their bytes for stalled_after; it notes when the next one will have.
func (s *jobsState) exportActive(out *metricSet) {
	cutoff := secondsOf(s.stall.now.Add(-s.stall.after))
	if s.stall.now.IsZero() {
		cutoff = 0
	}
	oldest := map[string]uint32{}
	stalled := map[string]float64{}
	var next uint32 // the earliest move of a job not counted
	for _, j := range s.unfinished {
		if j.kind.state != "ACTIVE" {
			continue
		}
		a := j.kind.action
		if _, seen := stalled[a]; !seen {
			stalled[a] = 0 // an action with active jobs has the gauge, 0 while they all move
		}
		if j.start != 0 && (oldest[a] == 0 || j.start < oldest[a]) {
			oldest[a] = j.start
		}
		switch {
		case j.moved == 0: // no update time: when its bytes last moved is not known
		case j.moved <= cutoff:
			stalled[a]++
		case next == 0 || j.moved < next:
			next = j.moved
		}
	}
	s.stall.cutoff, s.stall.due = cutoff, time.Time{}
	if next != 0 {
		s.stall.due = time.Unix(int64(next), 0).Add(s.stall.after)
	}
	for a, n := range stalled {
		out.gauge(descJobsStalled, n, a)
	}
	for a, t := range oldest {
		out.gauge(descJobsOldestActive, float64(t), a)
	}
}

// secondsOf is t in Unix seconds as the unfinished jobs keep it, 0 (unknown) for the zero time
// and for times outside 1970..2106.
func secondsOf(t time.Time) uint32 {
	if t.IsZero() {
		return 0
	}
	if s := t.Unix(); s > 0 && s <= math.MaxUint32 {
		return uint32(s)
	}
	return 0
}

// keptMove is when the bytes of a job last moved once record e follows old: old's time while e
// shows the same byte count, else e's update time.
func keptMove(old, e unfinishedJob) uint32 {
	if old.kb == e.kb && old.moved != 0 && (e.moved == 0 || old.moved < e.moved) {
		return old.moved
	}
	return e.moved
}

// keepMoves carries over, from the set a full read replaces, when the bytes of each job still
// there last moved.
func (u unfinishedJobs) keepMoves(old unfinishedJobs) {
	for id, e := range u {
		if o, ok := old[id]; ok {
			e.moved = keptMove(o, e)
			u[id] = e
		}
	}
}
