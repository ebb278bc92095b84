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
	scrub     func(string) string // the module's secrets out of label values; nil: none
	answer    atomic.Int64        // what the collectors' series weigh so far
	maxAnswer int64               // the most they may weigh (Handler.MaxAnswerBytes)
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
		reportCertExpiry(p.out, trace, &p.sess.certExpiry)
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
	reportCertExpiry(p.out, trace, &p.sess.certExpiry)
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
		wg.Add(1)
		go func() {
			defer wg.Done()
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
			results[i] = p.tracedCollect(ctx, c, slot, version, observers)
		}()
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

// collect runs one collector through its session slot: skipped when the primary's API version is
// too old for it, else run, shared with a concurrent probe, or served from its cache.
func (p *probe) collect(ctx context.Context, c Collector, slot *collectorSlot, version string, observers []JobObserver) collectorResult {
	res := collectorResult{name: c.Name()}
	if min := c.MinAPIVersion(); min != "" && !versionAtLeast(version, min) {
		res.skipped = true
		res.err = fmt.Errorf("collector %s needs API version %s or later, the primary serves %s: %w", c.Name(), min, version, ErrSkipped)
		return res
	}
	trace := &nbu.Trace{}
	cctx := nbu.ContextWithTrace(ctx, trace)
	run := &Run{Module: p.module, Client: p.sess.client, Logger: p.logger, Now: p.now, Version: version, observers: observers, scrub: p.scrub, sess: p.sess}
	start := time.Now()
	ttl := c.CacheTTL(p.module)
	out, src, err := slot.run.do(cctx, ttl, p.now(), func() (*metricSet, error) {
		out := newMetricSet(p.module.MaxSeries, p.scrub)
		err := slot.state.Collect(cctx, run, out)
		return out, errors.Join(err, out.failure())
	})
	res.elapsed, res.requests, res.source = time.Since(start), trace.Requests(), src
	if out == nil {
		res.err = err
		return res
	}
	res.counts = out.limits.done()
	if w, limit := int64(res.counts.bytes), cmp.Or(p.maxAnswer, maxAnswerBytes); p.answer.Add(w) > limit {
		p.answer.Add(-w)
		res.counts.tooLarge += res.counts.series
		res.err = errors.Join(err, fmt.Errorf("the answer would pass %d bytes with this collector's %d series (%d bytes): left out", limit, res.counts.series, w))
		return res
	}
	if src != ranHere {
		level.Debug(p.logger).Log("msg", "collector series "+src.String(), "collector", c.Name())
	}
	p.out.merge(out)
	res.err = err
	res.skipped = errors.Is(err, ErrSkipped)
	return res
}

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
	for _, reason := range dropReasons {
		p.out.gauge(descSeriesDropped, float64(r.counts.dropped(reason)), r.name, reason)
	}
	p.out.gauge(descLabelsTruncated, float64(r.counts.truncated), r.name)
	if r.counts.droppedTotal() > 0 {
		level.Warn(p.logger).Log("msg", "series left out", "collector", r.name, "max_series", r.counts.overMax,
			"duplicate", r.counts.duplicates, "answer_size", r.counts.tooLarge)
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
