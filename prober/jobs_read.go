package prober

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// jobsSource is all the read step needs of NetBackup: the client, or a test's fake without HTTP.
type jobsSource interface {
	Jobs(ctx context.Context, q nbu.JobsQuery, fn func(*nbu.Job) error) (nbu.PageStats, error)
	CountJobs(ctx context.Context, filter string) (int64, error)
}

// jobsReader is the read step: the only part of the jobs collector that talks to NetBackup.
type jobsReader struct {
	src        jobsSource
	pageSize   int
	maxReaders int
	logger     log.Logger
	labels     *interner // the job state's
}

// jobsRead is what one read brought back, for apply.
type jobsRead struct {
	// results: every range read, as finally cut; the sample's page among them when it finished
	// the tail (otherwise the readers read the rest of its range and their results stand for it).
	results []shardResult
	sample  *shardResult // the sample page, when one was read
	pace    readPace
	// fresh: a full read of the unfinished jobs (reseedFull), nil when none was made or it failed;
	// a read before the window went to fold, record by record.
	fresh unfinishedJobs
	// reseedErr: why the plan's read of the unfinished jobs failed (nil: it succeeded, or none).
	reseedErr error
}

// read carries out plan: the unfinished jobs before the window when the plan says so, the sample
// page when the pace is unknown, then the ranges, cut into shards for as many readers as the budget
// needs at the pace seen, and beside them a full read of the unfinished jobs when the plan says so.
// Every job record goes to fold, under one lock.
func (r jobsReader) read(ctx context.Context, plan jobsPlan, pace readPace, fold func(*nbu.Job)) jobsRead {
	got := jobsRead{pace: pace}
	if plan.reseed == reseedBeforeWindow {
		// Before the walk, whose newer records then win: a job the walk saw finish must not come
		// back from an older record of it read later.
		got.reseedErr = r.walkUnfinished(ctx, plan.beforeWindowFilter(), fold)
	}
	fullDone := make(chan struct{})
	go func() {
		defer close(fullDone)
		if plan.reseed == reseedFull {
			got.fresh, got.reseedErr = r.unfinished(ctx, fullReseedFilter)
		}
	}()
	ranges := plan.ranges
	if plan.sample {
		ranges = r.readSample(ctx, plan, &got, fold)
	}
	if len(ranges) > 0 {
		workers, shards := planShards(ranges, plan.now, got.pace, r.pageSize, time.Until(deadlineOf(ctx)), r.maxReaders)
		level.Debug(r.logger).Log("msg", "reading job updates", "ranges", len(ranges), "readers", workers, "shards", len(shards),
			"updates_per_second", got.pace.updatesPerSecond, "page_latency", got.pace.pageLatency)
		main := readShards(ctx, r.src, shards, workers, r.pageSize, 0, plan.now, got.pace.updatesPerSecond, fold)
		got.pace = paceOf(main, plan.now, got.pace)
		got.results = append(got.results, main...)
	}
	<-fullDone
	return got
}

// readSample reads the first page of the tail to learn the master's pace, and returns the ranges
// left to read. A master whose updates fit in one page is done with it.
func (r jobsReader) readSample(ctx context.Context, plan jobsPlan, got *jobsRead, fold func(*nbu.Job)) []timeRange {
	ranges := slices.Clone(plan.ranges)
	tail := ranges[len(ranges)-1]
	sample := readShards(ctx, r.src, []timeRange{tail}, 1, r.pageSize, r.pageSize, time.Now(), 0, fold)[0]
	got.sample = &sample
	got.pace = paceOf([]shardResult{sample}, plan.now, got.pace)
	if sample.done {
		got.results = append(got.results, sample)
		return ranges[:len(ranges)-1]
	}
	ranges[len(ranges)-1] = sample.rest()
	// The sample says how fast NetBackup answers a page; how many pages are left, NetBackup can
	// count. Where it cannot (no count endpoint, no permission), the pace is estimated.
	if rate, ok := r.countedRate(ctx, ranges, plan.now); ok {
		got.pace.updatesPerSecond, got.pace.counted = rate, true
		return ranges
	}
	// The oldest updates of a window can be sparse (jobs that started in it have not ended yet):
	// the newest page says how dense it gets. It costs a request that reads nothing for the
	// state, so it is made only when the sample's pace leaves room for more readers.
	budget := time.Until(deadlineOf(ctx))
	if planWorkers(ranges, plan.now, got.pace, r.pageSize, budget, r.maxReaders) >= r.maxReaders {
		return ranges
	}
	if rate := r.newestRate(ctx, sample.rest()); rate > got.pace.updatesPerSecond {
		got.pace.updatesPerSecond = rate
	}
	return ranges
}

// countedRate asks NetBackup how many jobs ended in the ranges and returns them over the ranges'
// span: the count endpoint cannot filter on lastUpdateTime, and the jobs that ended are nearly all
// the updates a window holds (the running ones, which come on top, are planned for by the plan's
// slack). A failed count, or none, is not believed.
func (r jobsReader) countedRate(ctx context.Context, ranges []timeRange, now time.Time) (float64, bool) {
	var total int64
	var span time.Duration
	for _, rng := range ranges {
		n, err := r.src.CountJobs(ctx, rng.endTimeFilter())
		if err != nil {
			level.Debug(r.logger).Log("msg", "jobs not counted: the read is planned on the pages' pace", "err", err)
			return 0, false
		}
		total, span = total+n, span+rng.span(now)
	}
	if total == 0 || span <= 0 {
		return 0, false
	}
	level.Debug(r.logger).Log("msg", "jobs counted", "ranges", len(ranges), "ended", total)
	return float64(total) / span.Seconds(), true
}

// newestRate reads the newest page of rng and returns its updates per second (0 if unknown).
func (r jobsReader) newestRate(ctx context.Context, rng timeRange) float64 {
	var oldest, newest time.Time
	n := 0
	_, err := r.src.Jobs(ctx, nbu.JobsQuery{Filter: rng.filter(), Sort: "-lastUpdateTime", PageSize: r.pageSize}, func(j *nbu.Job) error {
		if newest.IsZero() || j.LastUpdateTime.After(newest) {
			newest = j.LastUpdateTime
		}
		if oldest.IsZero() || j.LastUpdateTime.Before(oldest) {
			oldest = j.LastUpdateTime
		}
		if n++; n >= r.pageSize {
			return errSampled
		}
		return nil
	})
	if (err != nil && !errors.Is(err, errSampled)) || n < 2 || !newest.After(oldest) {
		return 0
	}
	return float64(n-1) / newest.Sub(oldest).Seconds()
}

// unfinished reads the jobs not DONE that filter selects.
func (r jobsReader) unfinished(ctx context.Context, filter string) (unfinishedJobs, error) {
	fresh := unfinishedJobs{}
	if err := r.walkUnfinished(ctx, filter, func(j *nbu.Job) { fresh.record(j, r.labels) }); err != nil {
		return nil, err // a part of the jobs not DONE must not replace all of them
	}
	return fresh, nil
}

func (r jobsReader) walkUnfinished(ctx context.Context, filter string, fn func(*nbu.Job)) error {
	var job nbu.Job // the record normalised, a copy: the source's is never written to
	stats, err := r.src.Jobs(ctx, nbu.JobsQuery{Filter: filter, Sort: "jobId", PageSize: r.pageSize},
		func(j *nbu.Job) error { job = *j; normalizeJob(&job); fn(&job); return nil })
	if err != nil {
		return fmt.Errorf("unfinished jobs: %w", err)
	}
	level.Debug(r.logger).Log("msg", "unfinished jobs read", "filter", filter, "pages", stats.Pages, "jobs", stats.Records)
	return nil
}

// paceOf updates the pace from what reads saw: updates per second of lastUpdateTime (over a
// finished range's whole span; over the span between the oldest and newest update read for one
// cut short, whose unread part says nothing), and the time per page (averaged with the previous
// value, so one slow page does not swing it).
func paceOf(results []shardResult, now time.Time, prev readPace) readPace {
	var records, pages int
	var covered, elapsed time.Duration
	for _, r := range results {
		pages += r.stats.Pages
		elapsed += r.elapsed
		switch {
		case r.done:
			records += r.stats.Records
			covered += r.rng.span(now)
		case r.stats.Records >= 2 && r.newest.After(r.oldest):
			records += r.stats.Records - 1
			covered += r.newest.Sub(r.oldest)
		}
	}
	next := prev
	if pages > 0 {
		lat := elapsed / time.Duration(pages)
		if prev.pageLatency > 0 {
			lat = (lat + prev.pageLatency) / 2
		}
		next.pageLatency = max(lat, time.Millisecond)
	}
	if covered > 0 {
		next.updatesPerSecond, next.counted = float64(records)/covered.Seconds(), false
	}
	return next
}

// answerBy is when reading must stop so that the probe still answers before ctx's deadline: a
// tenth of what is left, between 100ms and 2s, is kept for building the answer.
func answerBy(ctx context.Context) time.Time {
	deadline, ok := ctx.Deadline()
	if !ok {
		return time.Now().Add(30 * time.Second)
	}
	margin := time.Until(deadline) / 10
	margin = min(max(margin, 100*time.Millisecond), 2*time.Second)
	return deadline.Add(-margin)
}

// deadlineOf is ctx's deadline, or answerBy's default when it has none.
func deadlineOf(ctx context.Context) time.Time {
	if d, ok := ctx.Deadline(); ok {
		return d
	}
	return answerBy(ctx)
}
