package config

import "time"

// defaultStalledAfter: a backup that moves no byte for an hour is waiting on something (a tape
// mount, a media server, a client that stopped answering), not slow.
const defaultStalledAfter = time.Hour

// applyJobsExtraDefaults sets the defaults of the jobs collector's stalled-jobs gauge on m.
func applyJobsExtraDefaults(m *Module) {
	m.Jobs.StalledAfter = Duration(defaultStalledAfter)
}

func validateJobsExtra(m *Module) error {
	return checkDurations(durationCheck{"jobs.stalled_after", m.Jobs.StalledAfter, false})
}
