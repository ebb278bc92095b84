package prober

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// probe is one bounded collection against one target: what the collectors read from and write to.
type probe struct {
	module *config.Module
	sess   *session
	logger log.Logger
	out    *metricSet
	now    func() time.Time
}

type collectorFunc func(context.Context, *probe) error

// collectorFuncs are the collectors a module may enable, by the name modules.yml uses.
var collectorFuncs = map[string]collectorFunc{
	"jobs":    collectJobs,
	"storage": collectStorage,
}

// run checks that the primary answers, then runs the module's collectors in parallel. It reports
// success only when every enabled collector succeeded.
func (p *probe) run(ctx context.Context) bool {
	trace := &nbu.Trace{}
	ctx = nbu.ContextWithTrace(nbu.ContextWithLogger(ctx, p.logger), trace)

	version, err := p.sess.client.Version(ctx)
	if err != nil {
		level.Error(p.logger).Log("msg", "NetBackup API version check failed", "err", err)
		p.out.gauge(descUp, 0)
		for _, name := range p.module.Collectors {
			p.out.gauge(descCollectorSuccess, 0, name)
			p.out.gauge(descCollectorDuration, 0, name)
		}
		return false
	}
	level.Debug(p.logger).Log("msg", "NetBackup API version", "version", version)
	p.out.gauge(descAPIVersion, 1, version)

	var wg sync.WaitGroup
	var mu sync.Mutex
	success := true
	for _, name := range p.module.Collectors {
		fn := collectorFuncs[name]
		if fn == nil { // config validation rejects unknown collectors; be safe anyway
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			err := runCollector(ctx, p, fn)
			elapsed := time.Since(start).Seconds()
			ok := 1.0
			if err != nil {
				ok = 0
				level.Error(p.logger).Log("msg", "collector failed", "collector", name, "err", err)
				mu.Lock()
				success = false
				mu.Unlock()
			} else {
				level.Debug(p.logger).Log("msg", "collector done", "collector", name, "seconds", elapsed)
			}
			p.out.gauge(descCollectorSuccess, ok, name)
			p.out.gauge(descCollectorDuration, elapsed, name)
		}()
	}
	wg.Wait()

	// Everything may have come from caches (version known, storage fresh, jobs disabled): then the
	// last answers stand for the primary.
	up := 0.0
	if trace.Answered() > 0 || (trace.Requests() == 0 && success) {
		up = 1
	}
	p.out.gauge(descUp, up)
	level.Debug(p.logger).Log("msg", "NetBackup requests in this probe", "requests", trace.Requests(), "answered", trace.Answered())
	return success
}

// runCollector turns a collector's panic into its error: whatever a NetBackup server sends must
// never bring the exporter down with every other target's probe.
func runCollector(ctx context.Context, p *probe, fn collectorFunc) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("collector panicked (a bug; please report it): %v", r)
		}
	}()
	return fn(ctx, p)
}
