package prober

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// runSource says where a probe's series of one collector came from.
type runSource int

const (
	ranHere   runSource = iota // this probe ran the collector
	ranShared                  // a concurrent probe of the same session ran it; this one waited
	fromCache                  // an earlier run's series, younger than the collector's TTL
)

func (s runSource) String() string {
	return [...]string{"ran", "shared with a concurrent probe", "from cache"}[s]
}

// sharedRun is the one mechanism every collector goes through: one run per session at a time,
// concurrent probes wait for it (or their own deadline) instead of asking NetBackup again, and a
// successful (or skipped) run's series are served for ttl to later probes. Runs never overlap, so the
// collector's state is only ever touched by one run at a time.
type sharedRun struct {
	mu       sync.Mutex
	cur      *sharedCall
	last     *sharedCall // the newest run that succeeded or was skipped
	lastDone time.Time
}

type sharedCall struct {
	done chan struct{}
	out  *metricSet
	err  error
}

// do returns the cached series when they are younger than ttl, else runs fn or waits for the run
// in flight.
func (s *sharedRun) do(ctx context.Context, ttl time.Duration, now time.Time, fn func() (*metricSet, error)) (*metricSet, runSource, error) {
	s.mu.Lock()
	if s.last != nil && ttl > 0 && now.Sub(s.lastDone) < ttl {
		last := s.last
		s.mu.Unlock()
		return last.out, fromCache, last.err
	}
	if c := s.cur; c != nil {
		s.mu.Unlock()
		select {
		case <-c.done:
			return c.out, ranShared, c.err
		case <-ctx.Done():
			return nil, ranShared, fmt.Errorf("waiting for a concurrent probe's collection: %w", ctx.Err())
		}
	}
	c := &sharedCall{done: make(chan struct{})}
	s.cur = c
	s.mu.Unlock()

	defer func() {
		s.mu.Lock()
		s.cur = nil
		// A skip is a result too: a release without the endpoint will not grow one within the
		// TTL, and asking again on every probe would cost it a request each time.
		if c.err == nil || errors.Is(c.err, ErrSkipped) {
			s.last, s.lastDone = c, now
		}
		s.mu.Unlock()
		close(c.done)
	}()
	c.out, c.err = contained(fn)
	return c.out, ranHere, c.err
}

// contained turns a collector's panic into its error: whatever a NetBackup server sends must never
// bring the exporter down with every other target's probe, nor be cached as a success.
func contained(fn func() (*metricSet, error)) (out *metricSet, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("collector panicked (a bug; please report it): %v", r)
		}
	}()
	return fn()
}
