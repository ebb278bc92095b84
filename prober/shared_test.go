package prober

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestSharedRunRunsOnce(t *testing.T) {
	var s sharedRun
	release := make(chan struct{})
	started := make(chan struct{})
	var running, maxRunning, runs atomic.Int32
	run := func() (*metricSet, error) {
		runs.Add(1)
		n := running.Add(1)
		for m := maxRunning.Load(); n > m && !maxRunning.CompareAndSwap(m, n); m = maxRunning.Load() {
		}
		defer running.Add(-1)
		return newMetricSet(0, nil), nil
	}
	var wg sync.WaitGroup
	sharedResults := make(chan bool, 5)
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, src, _ := s.do(t.Context(), 0, time.Now(), func() (*metricSet, error) {
			close(started)
			<-release // the first run holds until every other caller has arrived
			return run()
		})
		sharedResults <- src == ranShared
	}()
	<-started
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, src, _ := s.do(t.Context(), 0, time.Now(), run)
			sharedResults <- src == ranShared
		}()
	}
	close(release)
	wg.Wait()
	close(sharedResults)
	shared := 0
	for sh := range sharedResults {
		if sh {
			shared++
		}
	}
	if maxRunning.Load() != 1 {
		t.Errorf("%d runs overlapped", maxRunning.Load())
	}
	if int(runs.Load())+shared != 5 || runs.Load() < 1 {
		t.Errorf("runs %d, shared %d: every caller either runs or shares", runs.Load(), shared)
	}
}

func TestSharedRunCache(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	boom := errors.New("boom")
	tests := []struct {
		name     string
		ttl      time.Duration
		firstErr error
		later    time.Duration // when the second call comes, after the first
		want     runSource
	}{
		{"fresh within the TTL", time.Minute, nil, 30 * time.Second, fromCache},
		{"stale at the TTL", time.Minute, nil, time.Minute, ranHere},
		{"no TTL", 0, nil, time.Second, ranHere},
		{"a failed run is not cached", time.Minute, boom, time.Second, ranHere},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s sharedRun
			first := newMetricSet(0, nil)
			_, src, err := s.do(t.Context(), tc.ttl, t0, func() (*metricSet, error) { return first, tc.firstErr })
			if src != ranHere || !errors.Is(err, tc.firstErr) {
				t.Fatalf("first call: %v, %v", src, err)
			}
			runs := 0
			out, src, _ := s.do(t.Context(), tc.ttl, t0.Add(tc.later), func() (*metricSet, error) { runs++; return newMetricSet(0, nil), nil })
			if src != tc.want {
				t.Errorf("second call: %v, want %v", src, tc.want)
			}
			if (tc.want == fromCache) != (out == first) || (tc.want == fromCache) == (runs == 1) {
				t.Errorf("second call ran %d times, reused the first series: %v", runs, out == first)
			}
		})
	}
}

func TestSharedRunPanicIsAnErrorAndNotCached(t *testing.T) {
	var s sharedRun
	_, _, err := s.do(t.Context(), time.Hour, time.Now(), func() (*metricSet, error) { panic("bad record") })
	if err == nil {
		t.Fatal("a panicking run reported success")
	}
	_, src, _ := s.do(t.Context(), time.Hour, time.Now(), func() (*metricSet, error) { return newMetricSet(0, nil), nil })
	if src != ranHere {
		t.Errorf("after a panic: %v, want a new run", src)
	}
}

// A skipped run is cached like a success: the release will not grow the endpoint within the TTL.
func TestSharedRunCachesASkip(t *testing.T) {
	var s sharedRun
	skip := fmt.Errorf("GET /manage/alerts: HTTP 404: %w", ErrSkipped)
	now := time.Now()
	if _, src, err := s.do(t.Context(), time.Minute, now, func() (*metricSet, error) { return newMetricSet(0, nil), skip }); src != ranHere || !errors.Is(err, ErrSkipped) {
		t.Fatalf("first: %v %v", src, err)
	}
	runs := 0
	_, src, err := s.do(t.Context(), time.Minute, now.Add(time.Second), func() (*metricSet, error) { runs++; return newMetricSet(0, nil), nil })
	if src != fromCache || runs != 0 || !errors.Is(err, ErrSkipped) {
		t.Errorf("second: %v, %d runs, %v; want the skip from the cache", src, runs, err)
	}
}
