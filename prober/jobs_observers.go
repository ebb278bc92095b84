package prober

import "github.com/netbackup-exporter/netbackup_exporter/config"

// observerSetup is a JobObserver that needs the module's settings before the jobs run hands it
// records: the first records of a session come before the observer's own first Collect.
type observerSetup interface {
	setupJobs(m *config.Module)
}

// setupObservers gives the module to the observers that ask for it, before a jobs run folds.
func setupObservers(r *Run) {
	for _, o := range r.observers {
		if s, ok := o.(observerSetup); ok {
			s.setupJobs(r.Module)
		}
	}
}
