package prober

import (
	"context"
	"errors"
	"time"

	"github.com/go-kit/log"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// Collector is one kind of NetBackup data a module can enable, under the name modules.yml's
// `collectors:` uses. It is the exporter's one seam for what is collected (blackbox_exporter's
// ProbeFn, mysqld_exporter's Scraper): the collector list (collectors.go) names them, config validates module
// lists against it, and the probe runs each enabled one through the same machinery (one run per
// session at a time, a result cache, skip on old API versions, panics contained).
type Collector interface {
	// Name is how modules.yml spells the collector.
	Name() string
	// MinAPIVersion is the oldest NetBackup API version whose spec has every endpoint the
	// collector needs ("" = all). Against an older primary it is skipped, not failed.
	MinAPIVersion() string
	// CacheTTL is how long one run's series are served to later probes of the same session
	// (0 = every probe runs it; concurrent probes still share one run).
	CacheTTL(m *config.Module) time.Duration
	// NewState returns what one session keeps for this collector between runs.
	NewState() CollectorState
}

// CollectorState is a collector's per-session state. Runs of one session never overlap, so
// Collect needs no lock of its own unless the state is also a JobObserver.
type CollectorState interface {
	// Collect reads NetBackup within ctx and writes the collector's series into out.
	Collect(ctx context.Context, r *Run, out *metricSet) error
}

// JobObserver is a CollectorState that derives its series from the job records the jobs collector
// reads (no request of its own on a steady master), their enum values in the spec's spelling
// (normalizeJob). ObserveJob is called from inside the jobs run,
// which may overlap this collector's Collect in another probe: guard the state. A probe runs the
// observers after its jobs collector has finished.
type JobObserver interface {
	ObserveJob(j *nbu.Job)
}

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

// Run is what one collection gets: the module and session it runs for, and the probe's clock.
type Run struct {
	Module  *config.Module
	Client  *nbu.Client
	Logger  log.Logger
	Now     func() time.Time
	Version string // the API version this probe talks to the primary

	// observers are the job observers of the session's enabled collectors (for the jobs collector).
	observers []JobObserver
	scrub     labelScrub // for series a collector builds outside its out set
	// sess is the session the run belongs to, for Peer.
	sess *session
}

// Peer returns the session's state of another collector the module enables (nil when it does
// not): the clients collector reads the client lists the policies collector keeps. The state is
// shared with that collector's runs, so it must guard what it hands out.
func (r *Run) Peer(name string) CollectorState {
	if r.sess == nil || r.Module == nil || !r.Module.Enabled(name) {
		return nil
	}
	c, ok := lookupCollector(name)
	if !ok {
		return nil
	}
	return r.sess.slot(c).state
}

// ErrSkipped marks a collector the primary cannot serve: its release lacks the endpoint (an API
// version below MinAPIVersion, or a 404/501 the collector wraps with it). A skipped collector is
// reported with nbu_collector_skipped 1 and does not fail the probe.
var ErrSkipped = errors.New("not served by this NetBackup release")
