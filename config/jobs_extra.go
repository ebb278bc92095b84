package config

import "time"

// defaultStalledAfter: a backup that moves no byte for an hour is waiting on something (a tape
// mount, a media server, a client that stopped answering), not slow.
const defaultStalledAfter = time.Hour

// defaultMaxJobs holds a one-hour window of the busiest masters many times over, and a day of one
// that finishes 80,000 jobs an hour; at 17 to 63 bytes a job it is at most about 130 MB. A primary
// that invents job ids without end meets it instead of the exporter's memory.
const (
	defaultMaxJobs = 2_000_000
	MaxMaxJobs     = 100_000_000
)

// applyJobsExtraDefaults sets the defaults of the jobs collector's stalled-jobs gauge and state
// bound on m.
func applyJobsExtraDefaults(m *Module) {
	m.Jobs.StalledAfter = Duration(defaultStalledAfter)
	m.Jobs.MaxJobs = defaultMaxJobs
}

func validateJobsExtra(m *Module) error {
	if err := checkDurations(durationCheck{"jobs.stalled_after", m.Jobs.StalledAfter, false}); err != nil {
		return err
	}
	return checkRanges(rangeCheck{"jobs.max_jobs", m.Jobs.MaxJobs, 1000, MaxMaxJobs})
}
