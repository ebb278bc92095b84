package prober

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// NetBackup's OData filters take ISO 8601 UTC date-times.
const filterTimeLayout = "2006-01-02T15:04:05.000Z"

// A probe reads the updates from the watermark on (ties included: re-read jobs are recognised by
// id and never counted twice), so that a master where nothing changed costs one small page. Every
// overlapInterval the read starts updateOverlap earlier, in case an update was committed after a
// later one. Every reseedInterval the unfinished-jobs set, which can drift (a job deleted while
// queued sends no update), is read in full.
const (
	updateOverlap   = 30 * time.Second
	overlapInterval = 5 * time.Minute
	reseedInterval  = 30 * time.Minute
)

const jobsCollectorName = "jobs"

// jobsCollector reads /admin/jobs incrementally: see jobsState.
type jobsCollector struct{}

func (jobsCollector) Name() string                          { return jobsCollectorName }
func (jobsCollector) MinAPIVersion() string                 { return "" }
func (jobsCollector) CacheTTL(*config.Module) time.Duration { return 0 }
func (jobsCollector) NewState() CollectorState              { return &jobsCollectorState{} }

// jobsCollectorState holds the session's job state; a look-back change starts it afresh.
type jobsCollectorState struct{ st *jobsState }

func (c *jobsCollectorState) Collect(ctx context.Context, r *Run, out *metricSet) error {
	return readJobs(ctx, r, c, out)
}

// readJobs brings the session's job state up to date and exports it. It reads the job updates
// NetBackup made since the previous probe (lastUpdateTime, oldest first; on the first probe, since
// the start of the look-back window) plus whatever a previous probe had to leave unread: finished
// jobs feed the window gauges and the counters, the others the state and queue gauges. The ranges
// to read are split into shards paged concurrently when the pace seen before says one would not
// fit the time budget; a master where little happened costs one request. What the deadline cuts
// short is kept and read by the next probe. Every reseedInterval (and until it first succeeds) the
// jobs not DONE are also read in full.
func readJobs(ctx context.Context, p *Run, holder *jobsCollectorState, out *metricSet) error {
	now := p.Now()
	lookback := time.Duration(p.Module.Jobs.Lookback)
	pageSize := p.Module.Jobs.PageSize
	st := holder.st
	if st == nil || st.lookback != lookback {
		st = newJobsState(lookback, now)
		holder.st = st
	}
	since := windowStart(now, lookback)
	st.prune(since)
	// The first probe reads the unfinished jobs the update walk cannot see (not updated since the
	// window started), before the walk brings the others. Later, a periodic full read corrects
	// drift; it runs beside the walk.
	var firstReseed, fullReseed string
	switch {
	case st.reseededAt.IsZero():
		firstReseed = "state ne 'DONE' and lastUpdateTime lt " + since.UTC().Format(filterTimeLayout)
	case now.Sub(st.reseededAt) >= reseedInterval:
		fullReseed = "state ne 'DONE'"
	}
	tail := timeRange{lo: since}
	if st.watermark.IsZero() {
		st.overlapAt = now // reading the whole window is all the overlap there is
	} else {
		w := st.watermark
		if now.Sub(st.overlapAt) >= overlapInterval {
			w = w.Add(-updateOverlap)
			st.overlapAt = now
		}
		if w.After(since) {
			tail.lo = w
		}
	}
	ranges := append(st.pendingFrom(since), tail)

	// Stop reading early enough to answer within the probe's deadline.
	readBy := answerBy(ctx)
	readCtx, cancel := context.WithDeadline(ctx, readBy)
	defer cancel()

	var reseedErr error
	if firstReseed != "" {
		var fresh unfinishedJobs
		if fresh, reseedErr = readUnfinished(readCtx, p, firstReseed); reseedErr == nil {
			st.unfinished.apply(fresh)
			st.reseededAt, st.changed = now, true
		}
	}
	var fresh unfinishedJobs
	reseedDone := make(chan struct{})
	go func() {
		defer close(reseedDone)
		if fullReseed != "" {
			fresh, reseedErr = readUnfinished(readCtx, p, fullReseed)
		}
	}()

	// While a full read of the unfinished jobs runs, what the walk sees is applied after it (the
	// newer record of each job wins); otherwise straight away, keeping nothing per job.
	var records unfinishedJobs
	if fullReseed != "" {
		records = unfinishedJobs{}
	}
	counted := 0
	fold := func(j *nbu.Job) {
		if st.add(j, since) {
			counted++
		}
		for _, o := range p.observers {
			o.ObserveJob(j)
		}
		if records != nil {
			records.record(j)
		} else if st.unfinished.observe(j) {
			st.changed = true
		}
	}

	// results: every range read, as finally cut; tail: the one reading the open tail, whose
	// progress becomes the watermark.
	var results []shardResult
	var tailRes shardResult
	if st.pace == (readPace{}) {
		// Nothing known of this master yet: read one page first, and plan from its pace.
		sample := readSample(readCtx, p.Client, ranges[len(ranges)-1], pageSize, fold)
		st.pace = paceOf([]shardResult{sample}, now, st.pace)
		if !sample.done {
			// The oldest updates of a window can be sparse (jobs that started in it have not ended
			// yet): the newest page says how dense it gets.
			if rate := newestRate(readCtx, p.Client, sample.rest(), pageSize); rate > st.pace.updatesPerSecond {
				st.pace.updatesPerSecond = rate
			}
		}
		tailRes = sample
		ranges[len(ranges)-1] = sample.rest()
		if sample.done && len(ranges) == 1 {
			ranges = nil
		}
	}
	if len(ranges) > 0 {
		workers, shards := planShards(ranges, now, st.pace, pageSize, time.Until(readBy), p.Module.MaxConcurrentRequests)
		level.Debug(p.Logger).Log("msg", "reading job updates", "ranges", len(ranges), "readers", workers, "shards", len(shards),
			"updates_per_second", st.pace.updatesPerSecond, "page_latency", st.pace.pageLatency)
		main := readShards(readCtx, p.Client, shards, workers, pageSize, 0, now, fold)
		st.pace = paceOf(main, now, st.pace)
		results = main
	}
	<-reseedDone

	// Where the reads got to: the open tail's progress is the new watermark; closed ranges not
	// finished stay pending for the next probe.
	st.pending = st.pending[:0]
	complete := true
	pages, read := tailRes.stats.Pages, tailRes.stats.Records
	for _, r := range results {
		pages += r.stats.Pages
		read += r.stats.Records
		if r.rng.open() {
			tailRes = r
			continue
		}
		if !r.done {
			complete = false
			if rest := r.rest(); rest.lo.Before(rest.hi) {
				st.pending = append(st.pending, rest)
			}
		}
	}
	complete = complete && tailRes.done
	if w := tailRes.reached(); w.After(st.watermark) {
		st.watermark = w
	}
	if fresh != nil {
		st.unfinished = unfinishedJobs{}
		st.unfinished.apply(fresh)
		st.reseededAt = now
		st.changed = true
	}
	if records != nil && st.unfinished.apply(records) {
		st.changed = true
	}
	st.complete = complete
	if complete && !st.backfilled {
		st.backfilled, st.changed = true, true
	}
	if complete {
		st.readAt = now
	}
	level.Debug(p.Logger).Log("msg", "job updates read", "pages", pages, "jobs", read, "shards", len(results),
		"newly_finished", counted, "in_window", st.jobsInWindow(since), "complete", complete, "ranges_left", len(st.pending))

	exportErr := st.exportCached(out)
	out.gauge(descJobsLookback, lookback.Seconds())
	out.gauge(descJobsBackfillComplete, boolGauge(st.backfilled))
	out.gauge(descJobsWindowStart, float64(since.Unix()))
	if oldest := st.oldestUnread(); !oldest.IsZero() {
		out.gauge(descJobsUpdatesRead, float64(oldest.UnixNano())/1e9)
	}
	if !st.readAt.IsZero() {
		out.gauge(descLastScrape, float64(st.readAt.UnixNano())/1e9, "jobs")
	}

	var errs []error
	if !complete {
		left := len(st.pending)
		if !tailRes.done {
			left++
		}
		err := shardErrors(append(results, tailRes))
		if err == nil {
			err = readCtx.Err() // the deadline came before some ranges started
		}
		errs = append(errs, fmt.Errorf("job updates: %d ranges left, read by the next probes: %w", left, err))
	}
	if reseedErr != nil {
		errs = append(errs, reseedErr)
	}
	if exportErr != nil {
		errs = append(errs, exportErr)
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

// readSample reads the first page of r, to learn the master's pace. A master whose updates fit in
// one page is done with it.
func readSample(ctx context.Context, client *nbu.Client, r timeRange, pageSize int, fn func(*nbu.Job)) shardResult {
	return readShards(ctx, client, []timeRange{r}, 1, pageSize, pageSize, time.Now(), fn)[0]
}

// newestRate reads the newest page of r and returns its updates per second (0 if unknown).
func newestRate(ctx context.Context, client *nbu.Client, r timeRange, pageSize int) float64 {
	var oldest, newest time.Time
	n := 0
	_, err := client.Jobs(ctx, nbu.JobsQuery{Filter: r.filter(), Sort: "-lastUpdateTime", PageSize: pageSize}, func(j *nbu.Job) error {
		if newest.IsZero() || j.LastUpdateTime.After(newest) {
			newest = j.LastUpdateTime
		}
		if oldest.IsZero() || j.LastUpdateTime.Before(oldest) {
			oldest = j.LastUpdateTime
		}
		if n++; n >= pageSize {
			return errSampled
		}
		return nil
	})
	if (err != nil && !errors.Is(err, errSampled)) || n < 2 || !newest.After(oldest) {
		return 0
	}
	return float64(n-1) / newest.Sub(oldest).Seconds()
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
		next.updatesPerSecond = float64(records) / covered.Seconds()
	}
	return next
}

// readUnfinished reads the jobs not DONE that filter selects.
func readUnfinished(ctx context.Context, p *Run, filter string) (unfinishedJobs, error) {
	fresh := unfinishedJobs{}
	stats, err := p.Client.Jobs(ctx, nbu.JobsQuery{
		Filter:   filter,
		Sort:     "jobId",
		PageSize: p.Module.Jobs.PageSize,
	}, func(j *nbu.Job) error { fresh.record(j); return nil })
	if err != nil {
		return nil, fmt.Errorf("unfinished jobs: %w", err)
	}
	level.Debug(p.Logger).Log("msg", "unfinished jobs read", "filter", filter, "pages", stats.Pages, "jobs", stats.Records)
	return fresh, nil
}

func boolGauge(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
