package prober

import (
	"math"
	"time"
)

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

// reseedKind says which read of the jobs not DONE a probe makes besides the update walk.
type reseedKind int

const (
	reseedNone reseedKind = iota
	// reseedBeforeWindow: until one succeeds, the unfinished jobs the walk cannot see (not updated
	// since the window started), read before the walk brings the others.
	reseedBeforeWindow
	// reseedFull: every reseedInterval, all of them, beside the walk, to correct drift.
	reseedFull
)

// jobsPlan is what one probe will read, decided from the state and the clock alone.
type jobsPlan struct {
	now, since time.Time // since: the window's start
	reseed     reseedKind
	// ranges: the pending ranges of the window, then the open tail from the watermark.
	ranges []timeRange
	// sample: the pace is unknown, so the read starts with one page and plans its readers from it.
	sample    bool
	overlapAt time.Time // the state's overlapAt once this plan has run
}

// plan decides the probe's read: the read of the jobs not DONE its phase asks for, then the
// pending ranges and the open tail from the watermark (the window's start while there is none). It
// changes nothing.
func (s *jobsState) plan(now time.Time) jobsPlan {
	since := windowStart(now, s.lookback)
	p := jobsPlan{now: now, since: since, reseed: s.reseedPlan(now), overlapAt: s.overlapAt, sample: !s.pace.known()}
	w := s.watermark
	if now.Sub(s.overlapAt) >= overlapInterval {
		w = w.Add(-updateOverlap)
		p.overlapAt = now
	}
	// The first read finds the overlap due (overlapAt is zero) and starts at the window's start
	// anyway: reading the whole window is all the overlap there is.
	p.ranges = append(s.pendingFrom(since), timeRange{lo: latest(w, since)})
	return p
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// beforeWindowFilter selects the unfinished jobs of reseedBeforeWindow.
func (p jobsPlan) beforeWindowFilter() string {
	return "state ne 'DONE' and lastUpdateTime lt " + p.since.UTC().Format(filterTimeLayout)
}

// fullReseedFilter selects the unfinished jobs of reseedFull.
const fullReseedFilter = "state ne 'DONE'"

// readPace is what the previous probes saw of a target: how many job updates a second of
// lastUpdateTime holds, and how long NetBackup takes to answer a page. Zero means not known yet.
type readPace struct {
	updatesPerSecond float64
	pageLatency      time.Duration
	// counted: updatesPerSecond is NetBackup's count of the updates to read over their span, not
	// an estimate from a page.
	counted bool
}

// known reports whether a read has measured the pace yet.
func (p readPace) known() bool { return p != readPace{} }

// slicesPerWorker: shards are cut finer than the number of concurrent readers, who take them in
// turn, because updates are not spread evenly in time (a backup window is busier than the hours
// around it): equal slices of time would leave some readers idle while one works through the rush.
// Only twice as fine: every slice ends in a page that comes back short (half a request wasted on
// average), and work stealing evens out what the slices do not.
const slicesPerWorker = 2

// minSlicePages is the least a slice is planned to hold, in pages at the pace seen: a read of a
// few pages is cut into fewer slices than readers*slicesPerWorker, rather than into slices that
// come back nearly empty.
const minSlicePages = 16

// planShards decides how many readers page concurrently so that the reads fit the budget at the
// pace seen before: as few as that needs (a small master costs one request), at most maxShards.
// It returns the readers and the ranges cut into slices for them, even in time, in order.
func planShards(ranges []timeRange, now time.Time, pace readPace, pageSize int, budget time.Duration, maxShards int) (int, []timeRange) {
	workers := planWorkers(ranges, now, pace, pageSize, budget, maxShards)
	if workers <= 1 {
		return 1, ranges
	}
	return workers, splitRanges(ranges, now, pace, pageSize, sliceCount(ranges, now, pace, pageSize, workers))
}

// sliceCount is how many slices the readers get: slicesPerWorker each, fewer when that would
// make slices under minSlicePages, never fewer than the readers.
func sliceCount(ranges []timeRange, now time.Time, pace readPace, pageSize, workers int) int {
	var pages float64
	for _, r := range ranges {
		pages += pace.updatesPerSecond * r.span(now).Seconds() / float64(pageSize)
	}
	return min(workers*slicesPerWorker, max(int(pages/minSlicePages), workers))
}

func planWorkers(ranges []timeRange, now time.Time, pace readPace, pageSize int, budget time.Duration, maxShards int) int {
	if pace.updatesPerSecond <= 0 || pace.pageLatency <= 0 || budget <= 0 || len(ranges) == 0 {
		return 1
	}
	var pages float64
	for _, r := range ranges {
		pages += math.Ceil(pace.updatesPerSecond * r.span(now).Seconds() / float64(pageSize))
	}
	// One reader reads its pages one after the other: readers needed = sequential time / budget,
	// planned on 70% of the budget since the pace is an estimate. A counted pace knows the pages;
	// what it does not know is how unevenly the updates fall in time, which readers even out by
	// stealing, at the cost of short pages: they are planned to finish in a third of the budget.
	// A reader alone has nothing to even out, and reads alone when that takes half the budget.
	sequential, share := pages*pace.pageLatency.Seconds(), 0.7
	if pace.counted {
		if sequential <= 0.5*budget.Seconds() {
			return 1
		}
		share = 0.35
	}
	want := int(math.Ceil(sequential / (share * budget.Seconds())))
	return min(max(want, 1), max(maxShards, 1))
}

// splitRanges cuts the ranges into about n slices, each range getting a share that follows its
// estimated number of pages (at least one).
func splitRanges(ranges []timeRange, now time.Time, pace readPace, pageSize int, n int) []timeRange {
	pages := make([]float64, len(ranges))
	var total float64
	for i, r := range ranges {
		pages[i] = math.Ceil(pace.updatesPerSecond * r.span(now).Seconds() / float64(pageSize))
		total += pages[i]
	}
	if n <= len(ranges) {
		return ranges
	}
	var out []timeRange
	extra := n - len(ranges)
	for i, r := range ranges {
		k := 1
		if total > 0 {
			k += int(math.Round(float64(extra) * pages[i] / total))
		}
		out = append(out, splitRange(r, now, k)...)
	}
	return out
}

// splitRange cuts r into k ranges of equal time; the last piece of an open range stays open.
func splitRange(r timeRange, now time.Time, k int) []timeRange {
	span := r.span(now)
	if k <= 1 || span < time.Duration(k)*time.Millisecond {
		return []timeRange{r}
	}
	step := (span / time.Duration(k)).Truncate(time.Millisecond)
	out := make([]timeRange, 0, k)
	lo := r.lo
	for i := 0; i < k-1; i++ {
		hi := lo.Add(step)
		out = append(out, timeRange{lo, hi})
		lo = hi
	}
	return append(out, timeRange{lo, r.hi})
}
