package prober

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// probe is one bounded collection against one target: what the collectors read from and write to.
type probe struct {
	module    *config.Module
	sess      *session
	logger    log.Logger
	out       *metricSet
	now       func() time.Time
	answer    atomic.Int64 // what the collectors' series weigh so far
	maxAnswer int64        // the most they may weigh (Handler.MaxAnswerBytes)
}

// collectorResult is how one collector fared in one probe.
type collectorResult struct {
	name     string
	skipped  bool
	err      error
	elapsed  time.Duration
	requests int64 // NetBackup requests this probe sent for the collector
	source   runSource
	counts   seriesCounts // what bounding its series did
}

// run checks that the primary answers, then runs the module's collectors in parallel (the job
// observers once the jobs collector is done). It reports success only when every enabled collector
// that was not skipped succeeded.
func (p *probe) run(ctx context.Context) bool {
	trace := &nbu.Trace{}
	ctx = nbu.ContextWithTrace(nbu.ContextWithLogger(ctx, p.logger), trace)

	version, err := p.sess.client.Version(ctx)
	if err != nil {
		level.Error(p.logger).Log("msg", "NetBackup API version check failed", "err", err)
		reportTLS(p.out, trace, &p.sess.tls)
		recordProbeError(ctx, err)
		p.out.gauge(descUp, 0)
		for _, name := range p.module.Collectors {
			p.out.gauge(descCollectorSuccess, 0, name)
			p.out.gauge(descCollectorDuration, 0, name)
			p.out.gauge(descCollectorRequests, 0, name)
		}
		return false
	}
	level.Debug(p.logger).Log("msg", "NetBackup API version", "version", version)
	p.out.gauge(descAPIVersion, 1, version)
	noteAPIVersion(ctx, version)

	results := p.collectAll(ctx, version)
	success := true
	for _, r := range results {
		success = p.report(r) && success
	}

	// Everything may have come from caches (version known, storage fresh, jobs disabled): then the
	// last answers stand for the primary.
	up := 0.0
	if trace.Answered() > 0 || (trace.Requests() == 0 && success) {
		up = 1
	}
	p.out.gauge(descUp, up)
	reportTLS(p.out, trace, &p.sess.tls)
	level.Debug(p.logger).Log("msg", "NetBackup requests in this probe", "requests", trace.Requests(), "answered", trace.Answered())
	return success
}

// collectAll runs the enabled collectors concurrently. Job observers start when the jobs
// collector has finished, so that they see what this probe read; a collector that names others in
// DependsOn starts when those have finished (the clients collector reads the policies' clients).
func (p *probe) collectAll(ctx context.Context, version string) []collectorResult {
	var collectors []Collector
	var observers []JobObserver
	done := map[string]chan struct{}{}
	for _, name := range p.module.Collectors {
		c, ok := lookupCollector(name)
		if !ok { // config validation rejects unknown collectors; be safe anyway
			continue
		}
		collectors = append(collectors, c)
		done[c.Name()] = make(chan struct{})
		if o, ok := p.sess.slot(c).state.(JobObserver); ok {
			observers = append(observers, o)
		}
	}
	results := make([]collectorResult, len(collectors))
	var wg sync.WaitGroup
	for i, c := range collectors {
		wg.Go(func() {
			defer close(done[c.Name()])
			slot := p.sess.slot(c)
			for _, dep := range dependencies(c, slot.state) {
				if ch, enabled := done[dep]; enabled {
					select {
					case <-ch:
					case <-ctx.Done():
					}
				}
			}
			results[i] = p.collect(ctx, c, slot, version, observers)
		})
	}
	wg.Wait()
	return results
}

// dependsOn is a Collector that runs after the named collectors of the same probe (when the
// module enables them). Dependencies must not form a cycle; the collector list's do not.
type dependsOn interface {
	DependsOn() []string
}

// dependencies lists what c waits for: the jobs collector when its state observes jobs, and
// whatever it names itself.
func dependencies(c Collector, state CollectorState) []string {
	var deps []string
	if _, observes := state.(JobObserver); observes {
		deps = append(deps, jobsCollectorName)
	}
	if d, ok := c.(dependsOn); ok {
		deps = append(deps, d.DependsOn()...)
	}
	return deps
}

// collect runs one collector through its session slot, in the collector's span: skipped when the
// primary's API version is too old for it, else served from the session's result cache, shared
// with a concurrent probe's run, or run.
func (p *probe) collect(ctx context.Context, c Collector, slot *collectorSlot, version string, observers []JobObserver) (res collectorResult) {
	ctx, span := startCollector(ctx, c.Name())
	defer endCollector(span, &res)
	res.name = c.Name()
	if min := c.MinAPIVersion(); min != "" && !versionAtLeast(version, min) {
		res.skipped = true
		res.err = fmt.Errorf("collector %s needs API version %s or later, the primary serves %s: %w", c.Name(), min, version, ErrSkipped)
		return res
	}
	trace := &nbu.Trace{}
	ctx = nbu.ContextWithTrace(ctx, trace)
	run := &Run{Module: p.module, Client: p.sess.client, Logger: p.logger, Now: p.now, Version: version, observers: observers, scrub: p.sess.client.ScrubLabel, sess: p.sess}
	start := time.Now()
	got, src := p.shared(ctx, c, slot, run)
	res.elapsed, res.requests, res.source = time.Since(start), trace.Requests(), src
	p.add(&res, got)
	return res
}

// runResult is one run of a collector: its series (nil when it panicked), its error, and when it
// ran on the probe's clock.
type runResult struct {
	out *metricSet
	err error
	at  time.Time
}

// sharedCall is a collector's run in flight, which concurrent probes of one session share: they
// wait for it (or their own deadline) instead of asking NetBackup again. Runs never overlap, so
// the collector's state is only ever touched by one run at a time.
type sharedCall struct {
	done chan struct{}
	res  *runResult
}

// resultKey is a collector's entry in the session store's result cache: the session's key (module,
// its fingerprint, target), so that a reload that changes the module never serves a stale result.
func resultKey(sessionKey, collector string) string { return sessionKey + "\x00" + collector }

// shared returns the collector's result: a skip remembered from an earlier run (see
// rememberedSkip), the session's cached result while it is younger than the collector's TTL, else
// the run in flight's, else that of a run of its own. A success or a skip is cached for the TTL;
// a skip is remembered for the session besides, TTL or not: a release without the endpoint will
// not grow one between probes, and asking again on every probe would cost it a request each time.
// A job observer's skip is not (its series follow the job stream, which a remembered run would
// freeze): it remembers its endpoints' skips itself (endpointSkips).
func (p *probe) shared(ctx context.Context, c Collector, slot *collectorSlot, run *Run) (*runResult, runSource) {
	ttl, key, now := c.CacheTTL(p.module), resultKey(p.sess.key, c.Name()), p.now()
	_, observer := slot.state.(JobObserver)
	slot.mu.Lock()
	if res, ok := slot.skip.recall(run.Version, now, ttl); ok {
		slot.mu.Unlock()
		return res, fromCache
	}
	// go-cache drops an entry after the TTL; the probe's clock, the same but in tests, must
	// agree that it is young enough.
	if ttl > 0 {
		if v, ok := p.sess.results.Get(key); ok && now.Sub(v.(*runResult).at) < ttl {
			slot.mu.Unlock()
			return v.(*runResult), fromCache
		}
	}
	if cur := slot.cur; cur != nil {
		slot.mu.Unlock()
		select {
		case <-cur.done:
			return cur.res, ranShared
		case <-ctx.Done():
			return &runResult{err: fmt.Errorf("waiting for a concurrent probe's collection: %w", ctx.Err())}, ranShared
		}
	}
	call := &sharedCall{done: make(chan struct{})}
	slot.cur = call
	slot.mu.Unlock()
	defer func() {
		slot.mu.Lock()
		slot.cur = nil
		res := call.res
		if !observer {
			slot.skip.note(res, run.Version)
		}
		if ttl > 0 && res.out != nil && (res.err == nil || errors.Is(res.err, ErrSkipped)) {
			p.sess.results.Set(key, res, ttl)
		}
		slot.mu.Unlock()
		close(call.done)
	}()
	call.res = p.contained(ctx, slot.state, run, now)
	return call.res, ranHere
}

// contained runs the collector into a new set, turning a panic into its error: whatever a
// NetBackup server sends must never bring the exporter down with every other target's probe, nor
// be cached as a success.
func (p *probe) contained(ctx context.Context, state CollectorState, run *Run, now time.Time) (res *runResult) {
	res = &runResult{at: now}
	defer func() {
		if r := recover(); r != nil {
			res.out, res.err = nil, fmt.Errorf("collector panicked (a bug; please report it): %v", r)
		}
	}()
	out := newMetricSet(p.module.MaxSeries, p.sess.client.ScrubLabel)
	err := state.Collect(ctx, run, out)
	res.out, res.err = out, errors.Join(err, out.failure())
	return res
}

// add puts a collector's series into the probe's answer, unless they would make it weigh more
// than its bound (then they are left out and counted, and the collector fails).
func (p *probe) add(res *collectorResult, got *runResult) {
	res.err = got.err
	if got.out == nil {
		return
	}
	res.counts = got.out.done()
	if w, limit := int64(res.counts.bytes), cmp.Or(p.maxAnswer, maxAnswerBytes); p.answer.Add(w) > limit {
		p.answer.Add(-w)
		res.counts.dropped[dropAnswerSize] += res.counts.series
		res.err = errors.Join(got.err, fmt.Errorf("the answer would pass %d bytes with this collector's %d series (%d bytes): left out", limit, res.counts.series, w))
		return
	}
	if res.source != ranHere {
		level.Debug(p.logger).Log("msg", "collector series reused", "collector", res.name, "source", res.source)
	}
	p.out.merge(got.out)
	res.skipped = errors.Is(got.err, ErrSkipped)
}

// runSource says where a probe's series of one collector came from.
type runSource int

const (
	ranHere   runSource = iota // this probe ran the collector
	ranShared                  // a concurrent probe of the same session ran it; this one waited
	fromCache                  // an earlier run's series, younger than the collector's TTL
)

func (s runSource) String() string { return [...]string{"ran", "shared", "cache"}[s] }

// report writes a collector's own series and says whether it counts as a success.
func (p *probe) report(r collectorResult) bool {
	if r.skipped {
		level.Info(p.logger).Log("msg", "collector skipped", "collector", r.name, "reason", r.err)
		p.out.gauge(descCollectorSkipped, 1, r.name)
		p.out.gauge(descCollectorRequests, float64(r.requests), r.name)
		return true
	}
	ok := 1.0
	if r.err != nil {
		ok = 0
		level.Error(p.logger).Log("msg", "collector failed", "collector", r.name, "err", r.err)
	} else {
		level.Debug(p.logger).Log("msg", "collector done", "collector", r.name, "seconds", r.elapsed.Seconds())
	}
	p.out.gauge(descCollectorSuccess, ok, r.name)
	p.out.gauge(descCollectorDuration, r.elapsed.Seconds(), r.name)
	p.out.gauge(descCollectorRequests, float64(r.requests), r.name)
	dropped := 0
	for i, n := range r.counts.dropped {
		p.out.gauge(descSeriesDropped, float64(n), r.name, dropReasons[i])
		dropped += n
	}
	p.out.gauge(descLabelsTruncated, float64(r.counts.truncated), r.name)
	if dropped > 0 {
		level.Warn(p.logger).Log("msg", "series left out", "collector", r.name, "max_series", r.counts.dropped[dropMaxSeries],
			"duplicate", r.counts.dropped[dropDuplicate], "answer_size", r.counts.dropped[dropAnswerSize])
	}
	return r.err == nil
}

// versionAtLeast compares NetBackup API versions ("MAJOR.MINOR") numerically; an unparsable
// version is taken as new enough, since the request itself will say otherwise.
func versionAtLeast(v, min string) bool {
	vm, vn, ok1 := splitVersion(v)
	mm, mn, ok2 := splitVersion(min)
	if !ok1 || !ok2 {
		return true
	}
	return vm > mm || (vm == mm && vn >= mn)
}

func splitVersion(v string) (major, minor int, ok bool) {
	a, b, _ := strings.Cut(v, ".")
	major, err1 := strconv.Atoi(a)
	minor, err2 := strconv.Atoi(b)
	return major, minor, err1 == nil && err2 == nil
}
