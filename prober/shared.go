package prober

import (
	"context"
	"fmt"
	"sync"
)

// sharedRun lets concurrent probes of one session share one run of a collector: the first starts
// it, the others wait for its metrics (or their own deadline) instead of asking NetBackup again.
// Runs never overlap, so the collector's state is only ever touched by one run at a time.
type sharedRun struct {
	mu  sync.Mutex
	cur *sharedCall
}

type sharedCall struct {
	done chan struct{}
	out  *metricSet
	err  error
}

// do runs fn, or waits for the run in flight. shared reports that the metrics came from another
// probe's run.
func (s *sharedRun) do(ctx context.Context, fn func() (*metricSet, error)) (out *metricSet, shared bool, err error) {
	s.mu.Lock()
	if c := s.cur; c != nil {
		s.mu.Unlock()
		select {
		case <-c.done:
			return c.out, true, c.err
		case <-ctx.Done():
			return nil, true, fmt.Errorf("waiting for a concurrent probe's collection: %w", ctx.Err())
		}
	}
	c := &sharedCall{done: make(chan struct{})}
	s.cur = c
	s.mu.Unlock()

	defer func() {
		s.mu.Lock()
		s.cur = nil
		s.mu.Unlock()
		close(c.done)
	}()
	c.out, c.err = fn()
	return c.out, false, c.err
}
