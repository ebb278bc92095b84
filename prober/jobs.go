package prober

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// NetBackup's OData filters take ISO 8601 UTC date-times.
const filterTimeLayout = "2006-01-02T15:04:05.000Z"

// collectJobs reads two job sets in parallel: the jobs that ended inside the look-back window (the
// window gauges) and the jobs not DONE now (state and queue gauges), which have no end time and so
// are invisible to the window's filter.
func collectJobs(ctx context.Context, p *probe) error {
	now := p.now()
	since := now.Add(-time.Duration(p.module.Jobs.Lookback))
	window, current := newWindowAgg(), newCurrentAgg()

	type result struct {
		what  string
		stats nbu.PageStats
		err   error
	}
	results := make(chan result, 2)
	walk := func(what string, q nbu.JobsQuery, fn func(*nbu.Job)) {
		stats, err := p.sess.client.Jobs(ctx, q, func(j *nbu.Job) error { fn(j); return nil })
		results <- result{what, stats, err}
	}
	go walk("ended jobs", nbu.JobsQuery{
		Filter:   "endTime gt " + since.UTC().Format(filterTimeLayout),
		Sort:     "endTime",
		PageSize: p.module.Jobs.PageSize,
	}, window.add)
	go walk("unfinished jobs", nbu.JobsQuery{
		Filter:   "state ne 'DONE'",
		Sort:     "jobId",
		PageSize: p.module.Jobs.PageSize,
	}, current.add)

	var errs []error
	for range 2 {
		r := <-results
		if r.err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.what, r.err))
			continue
		}
		level.Debug(p.logger).Log("msg", "jobs read", "set", r.what, "pages", r.stats.Pages, "jobs", r.stats.Records, "skipped", r.stats.Skipped)
		if r.stats.Skipped > 0 {
			level.Warn(p.logger).Log("msg", "job records NetBackup sent that could not be decoded were skipped", "set", r.what, "skipped", r.stats.Skipped)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	window.export(p.out)
	current.export(p.out)
	p.out.gauge(descJobsLookback, time.Duration(p.module.Jobs.Lookback).Seconds())
	p.out.gauge(descLastScrape, float64(now.UnixNano())/1e9, "jobs")
	return nil
}
