package prober

import (
	"context"
	"errors"
	"time"

	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/config"
)

// NetBackup's OData filters take ISO 8601 UTC date-times.
const filterTimeLayout = "2006-01-02T15:04:05.000Z"

const jobsCollectorName = "jobs"

// jobsCollector reads /admin/jobs incrementally (see doc.go and jobsState).
type jobsCollector struct{}

func (jobsCollector) Name() string                          { return jobsCollectorName }
func (jobsCollector) MinAPIVersion() string                 { return "" }
func (jobsCollector) CacheTTL(*config.Module) time.Duration { return 0 }
func (jobsCollector) NewState() CollectorState              { return &jobsCollectorState{} }

// jobsCollectorState holds the session's job state; a look-back change starts it afresh.
type jobsCollectorState struct{ st *jobsState }

// Collect brings the session's job state up to date and exports it, in four phases: plan (what to
// read, from the state and the clock), read (NetBackup, through jobsReader), apply (fold what was
// read into the state) and export. What the deadline cuts short is kept and read by the next
// probes.
func (c *jobsCollectorState) Collect(ctx context.Context, r *Run, out *metricSet) error {
	now := r.Now()
	c.st = jobsStateFor(c.st, time.Duration(r.Module.Jobs.Lookback), r.Module.MaxSeries, now)
	st := c.st
	st.scrub, st.maxJobs = r.scrub, r.Module.Jobs.MaxJobs
	refusedBefore := st.jobsRefused
	st.watchStalls(now, time.Duration(r.Module.Jobs.StalledAfter))
	plan := st.plan(now)
	st.prune(plan.since)

	// Stop reading early enough to answer within the probe's deadline.
	readCtx, cancel := context.WithDeadline(ctx, answerBy(ctx))
	defer cancel()
	rd := jobsReader{src: r.Client, pageSize: r.Module.Jobs.PageSize, maxReaders: r.Module.MaxConcurrentRequests, logger: r.Logger, labels: st.labels}
	setupObservers(r)
	f := st.newFolder(plan, r.observers)
	got := rd.read(readCtx, plan, st.pace, f.fold)
	res := st.apply(plan, got, f)
	level.Debug(r.Logger).Log("msg", "job updates read", "pages", res.pages, "jobs", res.jobs, "shards", len(got.results),
		"newly_finished", f.counted, "in_window", st.jobsInWindow(plan.since), "complete", res.complete,
		"ranges_left", len(st.pending), "phase", st.phase, "rejected_fields", res.rejected)

	if n := st.jobsRefused - refusedBefore; n > 0 {
		level.Warn(r.Logger).Log("msg", "jobs left out: the target's job state holds jobs.max_jobs jobs", "left_out", n, "max_jobs", st.maxJobs)
	}
	var errs []error
	if !res.complete {
		errs = append(errs, res.incompleteError(readCtx.Err()))
	}
	errs = append(errs, got.reseedErr, st.exportProbe(out, plan.since, r.Module.MaxSeries, r.scrub))
	if err := errors.Join(errs...); missing(err) && res.jobs == 0 {
		// A primary that answers 404 for /admin/jobs: a skip, remembered like any other.
		return skippedOr("jobs", err)
	}
	return errors.Join(errs...)
}

// oldestUnread is the time from which updates may still be unread: the start of the oldest
// pending range, else the watermark.
func (s *jobsState) oldestUnread() time.Time {
	t := s.watermark
	for _, r := range s.pending {
		if t.IsZero() || r.lo.Before(t) {
			t = r.lo
		}
	}
	return t
}

func boolGauge(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
