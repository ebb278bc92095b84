package prober

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// timeRange is a range of lastUpdateTime still to read: [lo, hi), or [lo, ∞) when hi is zero (the
// open tail, where every new update lands).
type timeRange struct{ lo, hi time.Time }

func (r timeRange) open() bool { return r.hi.IsZero() }

func (r timeRange) filter() string {
	f := "lastUpdateTime ge " + r.lo.UTC().Format(filterTimeLayout)
	if !r.open() {
		f += " and lastUpdateTime lt " + r.hi.UTC().Format(filterTimeLayout)
	}
	return f
}

// endTimeFilter selects the jobs that ended in the range: what the count endpoint can filter on.
func (r timeRange) endTimeFilter() string {
	f := "endTime ge " + r.lo.UTC().Format(filterTimeLayout)
	if !r.open() {
		f += " and endTime lt " + r.hi.UTC().Format(filterTimeLayout)
	}
	return f
}

// span is the range's length, the open tail counting up to now.
func (r timeRange) span(now time.Time) time.Duration {
	hi := r.hi
	if r.open() {
		hi = now
	}
	if d := hi.Sub(r.lo); d > 0 {
		return d
	}
	return 0
}

// shardResult is how far one shard got.
type shardResult struct {
	rng    timeRange
	oldest time.Time // oldest lastUpdateTime read (zero: none)
	newest time.Time // newest lastUpdateTime read (zero: none)
	// unordered: the server did not return the range oldest update first, so a shard cut short
	// cannot resume from its newest update.
	unordered bool
	done      bool
	read      int // records read so far, while the shard runs (for stealing)
	// pageMark is the newest update when the last page's worth of records was complete, and
	// pageDensity the updates per second of that page: how dense the shard is where it reads now.
	pageMark    time.Time
	pageDensity float64
	stats       nbu.PageStats
	elapsed     time.Duration
	err         error
}

// rest is what remains of the shard to read: everything from the newest update it read on
// (ties are read again and recognised by id), or all of it if the server did not keep the order.
func (s shardResult) rest() timeRange {
	lo := s.rng.lo
	if s.newest.After(lo) && !s.unordered {
		lo = s.newest
	}
	return timeRange{lo, s.rng.hi}
}

// reached is how far a shard read: its newest update once it is done, else where its rest starts.
func (s shardResult) reached() time.Time {
	if s.done && s.newest.After(s.rng.lo) {
		return s.newest
	}
	return s.rest().lo
}

// markPage notes the density of the page's worth of records just read.
func (s *shardResult) markPage(pageSize int) {
	from := s.pageMark
	if from.IsZero() {
		from = s.rng.lo
	}
	if d := s.newest.Sub(from); d > 0 {
		s.pageDensity = float64(pageSize) / d.Seconds()
	}
	s.pageMark = s.newest
}

// errSampled stops a shard read after its record limit; errCut stops it where another reader took
// over the rest of its range.
var (
	errSampled = errors.New("record limit reached")
	errCut     = errors.New("range handed over")
)

// minSteal is the least time range worth handing to an idle reader.
const minSteal = time.Second

// minStealPages is the least a reader must still have to read, in pages at the density it has
// read so far, for an idle reader to take half of it: a steal costs about one request (the range
// gains an end, whose page comes back short) and saves half the victim's remaining pages of time,
// so below a few pages it costs the master more than it saves the probe.
const minStealPages = 16

// shardQueue hands shards to readers: first the planned ones, newest first; then, to a reader left
// idle, the upper half of what the busiest reader still has to read. Updates bunch up (thousands
// of running jobs all updated in the last seconds): a plan even in time cannot foresee that, the
// readers' progress shows it.
type shardQueue struct {
	mu       sync.Mutex
	moved    sync.Cond      // on mu: a shard finished or read another page, for readers waiting to steal
	results  []*shardResult // the planned shards, in time order, then the stolen ones
	planned  int
	next     int // planned shards handed out
	running  map[*shardResult]bool
	now      time.Time
	pageSize int
	rate     float64 // the plan's updates per second (0: not known)
}

// take returns the next shard to read, nil when there is none and none will come. A reader that
// finds nothing worth stealing waits for the others' progress rather than leaving: a rest too
// small to split may turn out dense once read into, and a reader gone cannot take half of it.
func (q *shardQueue) take(ctx context.Context) *shardResult {
	q.mu.Lock()
	defer q.mu.Unlock()
	for ctx.Err() == nil {
		if q.next < q.planned {
			// Newest first: the newest slices are the densest (the running jobs were all updated
			// in the last seconds), and the longest reads started first finish with the others.
			r := q.results[q.planned-1-q.next]
			q.next++
			q.running[r] = true
			return r
		}
		if r := q.steal(); r != nil {
			return r
		}
		if len(q.running) == 0 {
			return nil
		}
		q.moved.Wait()
	}
	return nil
}

// steal cuts the busiest shard's rest in two and returns the upper half, or nil when no rest is
// worth it. Called under q.mu.
func (q *shardQueue) steal() *shardResult {
	victim, most := q.busiest()
	if victim == nil {
		return nil
	}
	rest := victim.rest()
	mid := rest.lo.Add(most / 2).Truncate(time.Millisecond)
	if !mid.After(rest.lo) {
		return nil
	}
	stolen := &shardResult{rng: timeRange{lo: mid, hi: victim.rng.hi}}
	victim.rng.hi = mid
	q.results = append(q.results, stolen)
	q.running[stolen] = true
	return stolen
}

// busiest is the running shard with the most records still to read, and the time it has left; nil
// when none is worth a steal. Its records are estimated at the highest density known: the
// plan's pace (which the newest page sets), what all shards read, its own last page. The
// highest, because updates bunch up at the end of a window (the running jobs, all updated in the
// last seconds): a reader whose rest holds them has read only the sparse part before.
func (q *shardQueue) busiest() (*shardResult, time.Duration) {
	var records int
	var covered time.Duration
	for _, r := range q.results {
		if r.read > 0 && r.newest.After(r.rng.lo) {
			records += r.read
			covered += r.newest.Sub(r.rng.lo)
		}
	}
	var victim *shardResult
	var most time.Duration
	var mostRecords float64
	for r := range q.running {
		if r.done || r.unordered {
			continue
		}
		rem := r.rest().span(q.now)
		density := q.rate
		if covered > 0 {
			density = max(density, float64(records)/covered.Seconds())
		}
		density = max(density, r.pageDensity)
		est := math.Inf(1) // nothing known of the density: only time can tell
		if density > 0 {
			est = density * rem.Seconds()
		}
		if victim == nil || est > mostRecords || est == mostRecords && rem > most {
			victim, most, mostRecords = r, rem, est
		}
	}
	if victim == nil || most < minSteal || mostRecords < float64(minStealPages*q.pageSize) {
		return nil, 0
	}
	return victim, most
}

func (q *shardQueue) done(r *shardResult) {
	q.mu.Lock()
	delete(q.running, r)
	q.moved.Broadcast()
	q.mu.Unlock()
}

// readShards pages the shards with `workers` concurrent readers and calls fn, under one lock, for
// every job. A shard stopped by the deadline reports how far it got; jobs it passed to fn before
// stopping count. limit > 0 stops each shard after that many records (not done, no error); rate is
// the plan's updates per second (0: unknown), which tells idle readers what the busy ones have
// left. The results are the shards as finally cut: the planned ones, then those handed over to
// idle readers.
func readShards(ctx context.Context, client jobsSource, shards []timeRange, workers, pageSize, limit int, now time.Time, rate float64, fn func(*nbu.Job)) []shardResult {
	q := &shardQueue{running: map[*shardResult]bool{}, now: now, pageSize: max(pageSize, 1), rate: rate}
	for _, r := range shards {
		q.results = append(q.results, &shardResult{rng: r})
	}
	q.planned = len(q.results)
	q.moved.L = &q.mu
	var wg sync.WaitGroup
	for range min(max(workers, 1), len(shards)*slicesPerWorker) {
		wg.Go(func() {
			for ctx.Err() == nil {
				res := q.take(ctx)
				if res == nil {
					return
				}
				readShard(ctx, client, res, pageSize, limit, &q.moved, fn)
				q.done(res)
			}
		})
	}
	wg.Wait()
	out := make([]shardResult, len(q.results))
	for i, r := range q.results {
		out[i] = *r
	}
	return out
}

// readShard pages one shard into res.
// moved is signalled at every page's worth of records, under its lock, which guards res.
func readShard(ctx context.Context, client jobsSource, res *shardResult, pageSize, limit int, moved *sync.Cond, fn func(*nbu.Job)) {
	mu := moved.L
	start := time.Now()
	n := 0
	mu.Lock()
	filter := res.rng.filter()
	mu.Unlock()
	ctx, span := startShard(ctx, filter)
	stats, err := client.Jobs(ctx, nbu.JobsQuery{Filter: filter, Sort: "lastUpdateTime", PageSize: pageSize},
		func(j *nbu.Job) error {
			mu.Lock()
			defer mu.Unlock()
			if hi := res.rng.hi; !hi.IsZero() && !j.LastUpdateTime.Before(hi) {
				return errCut // the reader that took the rest reads this one
			}
			if j.LastUpdateTime.Before(res.newest) {
				res.unordered = true
			}
			if j.LastUpdateTime.After(res.newest) {
				res.newest = j.LastUpdateTime
			}
			if res.oldest.IsZero() || j.LastUpdateTime.Before(res.oldest) {
				res.oldest = j.LastUpdateTime
			}
			fn(j)
			if res.read++; res.read%max(pageSize, 1) == 0 {
				res.markPage(pageSize)
				moved.Broadcast()
			}
			if n++; limit > 0 && n >= limit {
				return errSampled
			}
			return nil
		})
	mu.Lock()
	defer mu.Unlock()
	res.stats, res.err = stats, err
	res.elapsed = time.Since(start)
	switch {
	case errors.Is(err, errCut):
		res.err, res.done = nil, true
		res.stats.Pages++
	case errors.Is(err, errSampled):
		res.err = nil
		res.stats.Pages++ // the limit is a page: the page it stopped in was read whole
	default:
		res.done = err == nil
	}
	endShard(span, res)
}

// shardErrors joins the shards' errors, one per distinct message: eight shards cut by one
// deadline say it once.
func shardErrors(results []shardResult) error {
	seen := map[string]bool{}
	var errs []error
	for _, r := range results {
		if r.err == nil {
			continue
		}
		msg := r.err.Error()
		if !seen[msg] {
			seen[msg] = true
			errs = append(errs, r.err)
		}
	}
	return errors.Join(errs...)
}
