package prober

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-kit/log"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// gateCollector's runs wait for release (when set) and count how many overlap; it panics when
// told to. Its TTL is 0: every probe runs it, unless it shares a concurrent run.
type gateCollector struct{ st *gateState }

func (c gateCollector) Name() string                          { return "gate" }
func (c gateCollector) MinAPIVersion() string                 { return "" }
func (c gateCollector) CacheTTL(*config.Module) time.Duration { return c.st.ttl }
func (c gateCollector) NewState() CollectorState              { return c.st }

type gateState struct {
	ttl                 time.Duration
	started, release    chan struct{}
	panics              bool
	runs, running, most atomic.Int32
	startOnce           sync.Once
}

func (s *gateState) Collect(context.Context, *Run, *metricSet) error {
	s.runs.Add(1)
	n := s.running.Add(1)
	defer s.running.Add(-1)
	for m := s.most.Load(); n > m && !s.most.CompareAndSwap(m, n); m = s.most.Load() {
	}
	if s.started != nil {
		s.startOnce.Do(func() { close(s.started) })
		<-s.release
	}
	if s.panics {
		panic("bad record")
	}
	return nil
}

func newGateProbe(st *gateState, now func() time.Time) (*probe, gateCollector, *collectorSlot) {
	sess := newTestSession()
	c := gateCollector{st: st}
	p := &probe{module: &config.Module{}, sess: sess, logger: log.NewNopLogger(), out: newMetricSet(0, nil), now: now}
	return p, c, sess.slot(c)
}

// Concurrent probes of one session share one run: the runs never overlap, and every probe either
// ran the collector or shared a run.
func TestCollectorRunsOnceAtATime(t *testing.T) {
	st := &gateState{started: make(chan struct{}), release: make(chan struct{})}
	p, c, slot := newGateProbe(st, time.Now)
	var wg sync.WaitGroup
	var shared atomic.Int32
	collect := func() {
		defer wg.Done()
		if res := p.collect(t.Context(), c, slot, "14.0", nil); res.source == ranShared {
			shared.Add(1)
		}
	}
	wg.Add(1)
	go collect()
	<-st.started // the first run holds until the others are on their way
	for range 4 {
		wg.Add(1)
		go collect()
	}
	close(st.release)
	wg.Wait()
	if st.most.Load() != 1 {
		t.Errorf("%d runs overlapped", st.most.Load())
	}
	if runs := st.runs.Load(); runs+shared.Load() != 5 || runs < 1 {
		t.Errorf("runs %d, shared %d: every caller either runs or shares", runs, shared.Load())
	}
}

// A panic is the collector's error, and is not cached.
func TestCollectorPanicIsAnErrorAndNotCached(t *testing.T) {
	st := &gateState{ttl: time.Hour, panics: true}
	p, c, slot := newGateProbe(st, time.Now)
	if res := p.collect(t.Context(), c, slot, "14.0", nil); res.err == nil || !strings.Contains(res.err.Error(), "panicked") {
		t.Fatalf("a panicking run reported %v", res.err)
	}
	st.panics = false
	if res := p.collect(t.Context(), c, slot, "14.0", nil); res.source != ranHere || res.err != nil {
		t.Errorf("after a panic: %v, %v; want a new run", res.source, res.err)
	}
}

// storageRequests is how often the fake was asked for storage units.
func storageRequests(fake *fakenbu.Server) int { return fake.Requests("/storage/storage-units") }

// A collector's result is served from the session's go-cache entry within its TTL (5m for
// storage here), on the probe's clock, and read again after it; the entry expires in go-cache
// itself after the TTL.
func TestResultCacheTTL(t *testing.T) {
	fake, srv := newFake(t, fakenbu.Options{})
	c := newClock(fixtureNow)
	env := newTestEnvAt(t, mustConfig(t, testModulesYAML), c)
	query := probeQuery("storageonly", srv.URL+"/netbackup")
	steps := []struct {
		advance      time.Duration
		wantRequests int     // storage-units requests so far
		wantSent     float64 // nbu_collector_requests{collector="storage"} of the probe
	}{
		{0, 1, 1}, {4 * time.Minute, 1, 0}, {2 * time.Minute, 2, 1}, {time.Minute, 2, 0},
	}
	for i, step := range steps {
		c.Advance(step.advance)
		set := time.Now()
		fams := parseExposition(t, env.probe(t, query, nil).Body.String())
		if got, sent := storageRequests(fake), gaugeValue(fams, "nbu_collector_requests", "collector", "storage"); got != step.wantRequests || sent != step.wantSent {
			t.Errorf("step %d: %d storage requests, %v sent by the probe; want %d and %v", i, got, sent, step.wantRequests, step.wantSent)
		}
		if step.wantSent == 0 {
			continue
		}
		sess, err := env.handler.Sessions.get(env.handler.Config().Modules["storageonly"], mustTarget(t, srv.URL+"/netbackup"))
		if err != nil {
			t.Fatal(err)
		}
		_, expires, ok := sess.results.GetWithExpiration(resultKey(sess.key, "storage"))
		if !ok || expires.Before(set.Add(5*time.Minute)) || expires.After(time.Now().Add(5*time.Minute)) {
			t.Errorf("step %d: the go-cache entry expires at %v (found %v), want 5m after the run", i, expires, ok)
		}
	}
}

func mustTarget(t *testing.T, raw string) Target {
	t.Helper()
	tg, err := ParseTarget(raw)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// A session's cached results go with it, evicted for capacity or for idleness.
func TestResultCacheGoesWithTheSession(t *testing.T) {
	_, srv := newFake(t, fakenbu.Options{})
	c := newClock(fixtureNow)
	env := newTestEnvAt(t, mustConfig(t, testModulesYAML), c)
	sessions := env.handler.Sessions
	sessions.now = c.Now
	probe := func(module string) {
		if body := env.probe(t, probeQuery(module, srv.URL+"/netbackup"), nil).Body.String(); !strings.Contains(body, "probe_success 1") {
			t.Fatalf("%s: probe failed:\n%s", module, body)
		}
	}
	probe("storageonly")
	probe("default") // a second session of the same target, with jobs and storage
	if n := sessions.results.ItemCount(); n != 2 {
		t.Fatalf("%d cached results, want storage's of two sessions", n)
	}
	sessions.SetMax(1) // the storageonly session goes for capacity
	if n := sessions.results.ItemCount(); n != 1 {
		t.Errorf("after an eviction for capacity: %d cached results, want 1", n)
	}
	c.Advance(2 * time.Hour) // past the store's idle TTL
	probe("storageonly")     // drops the default session as idle, and makes its own entry
	items := sessions.results.Items()
	if len(items) != 1 {
		t.Errorf("after an idle eviction: %d cached results, want the new session's", len(items))
	}
	for key := range items {
		if !strings.HasPrefix(key, "storageonly\x00") {
			t.Errorf("cached result %q outlived its session", key)
		}
	}
}

// A reload that changes the module (here its storage page size) starts a new session, whose
// cache is empty; one that changes only the credentials keeps the session and its results.
func TestResultCacheNotServedAfterAReloadThatChangesTheModule(t *testing.T) {
	const otherKey = "other-api-key-9876543210"
	fake, srv := newFake(t, fakenbu.Options{APIKeys: []string{testKey, otherKey}})
	module := func(key string, pageSize int) *config.Config {
		return mustConfig(t, fmt.Sprintf(`
modules:
  storage:
    api_key: %s
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    collectors: [storage]
    storage: {cache_ttl: 5m, page_size: %d}
`, key, pageSize))
	}
	var live atomic.Pointer[config.Config]
	live.Store(module(testKey, 2))
	env := newTestEnv(t, live.Load())
	env.handler.Config = live.Load
	query := probeQuery("storage", srv.URL+"/netbackup")
	for _, step := range []struct {
		name         string
		cfg          *config.Config
		wantRequests int
	}{
		{"first probe", nil, 2}, // two pages of two units
		{"within the TTL", nil, 2},
		{"page size changed", module(testKey, 100), 3},
		{"key rotated", module(otherKey, 100), 3},
	} {
		if step.cfg != nil {
			live.Store(step.cfg)
		}
		if body := env.probe(t, query, nil).Body.String(); !strings.Contains(body, "probe_success 1") {
			t.Fatalf("%s: probe failed:\n%s", step.name, body)
		}
		if got := storageRequests(fake); got != step.wantRequests {
			t.Errorf("%s: %d storage requests, want %d", step.name, got, step.wantRequests)
		}
	}
}

// go-cache's own expiry holds too: with the probe's clock stopped, a result is served until the
// TTL passes on the wall clock (1ns here: gone by the next probe).
func TestResultCacheExpiresInGoCache(t *testing.T) {
	frozen := func() time.Time { return fixtureNow }
	for _, tc := range []struct {
		ttl  time.Duration
		want runSource
	}{{time.Hour, fromCache}, {time.Nanosecond, ranHere}} {
		st := &gateState{ttl: tc.ttl}
		p, c, slot := newGateProbe(st, frozen)
		p.collect(t.Context(), c, slot, "14.0", nil)
		if res := p.collect(t.Context(), c, slot, "14.0", nil); res.source != tc.want {
			t.Errorf("TTL %v: the second collection %v, want %v", tc.ttl, res.source, tc.want)
		}
	}
}
