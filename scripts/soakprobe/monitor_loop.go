package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// timedSample is a sample and when, since the start of the run, it was read.
type timedSample struct {
	at time.Duration
	sample
}

// monitor prints a line every interval and keeps the samples.
type monitor struct {
	o       options
	c       *http.Client
	st      *stats
	start   time.Time
	last    time.Time
	extra   func() string // columns of the mode's own, or nil
	mu      sync.Mutex
	samples []timedSample
	done    chan struct{}
}

func startMonitor(ctx context.Context, o options, st *stats, extraHeader string, extra func() string) *monitor {
	m := &monitor{o: o, c: newClient(1, 5*time.Second), st: st, start: time.Now(), extra: extra, done: make(chan struct{})}
	m.last = m.start
	fmt.Printf("%7s %8s %7s %8s %7s %8s %6s %10s %8s %9s%s\n",
		"time", "probes", "failed", "probes/s", "p99_ms", "rss_MB", "fds", "goroutines", "sessions", "evictions", extraHeader)
	go func() {
		defer close(m.done)
		tick := time.NewTicker(o.interval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				m.line(ctx)
			}
		}
	}()
	return m
}

// line reads a sample and prints it with the probes since the last line.
func (m *monitor) line(ctx context.Context) {
	s, err := readSample(ctx, m.c, m.o.exporter, m.o.pid)
	if err != nil && ctx.Err() != nil {
		return // the run ended meanwhile: finish prints the last line
	}
	now := time.Now()
	at := now.Sub(m.start)
	probes, failures, n, p99 := m.st.interval()
	rate := float64(n) / now.Sub(m.last).Seconds()
	m.last = now
	if err != nil {
		m.st.failure("reading the exporter's state", err.Error())
		fmt.Printf("%6.0fs %8d %7d %8.1f %7.0f  cannot read the exporter's state: %v\n", at.Seconds(), probes, failures, rate, ms(p99), err)
		return
	}
	m.mu.Lock()
	m.samples = append(m.samples, timedSample{at, s})
	m.mu.Unlock()
	extra := ""
	if m.extra != nil {
		extra = m.extra()
	}
	fmt.Printf("%6.0fs %8d %7d %8.1f %7.0f %8.1f %6d %10.0f %8.0f %9.0f%s\n",
		at.Seconds(), probes, failures, rate, ms(p99), s.rssMB(), s.fds, s.goroutines, s.sessions, s.evictions, extra)
}

// finish waits for the ticker's goroutine (ctx must be done), prints a last line (after the
// probes in flight ended) unless one was printed within the last second, and returns every sample.
func (m *monitor) finish() []timedSample {
	<-m.done
	if time.Since(m.last) >= time.Second {
		m.line(context.Background())
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.samples
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// peaks are the largest fds, goroutines and sessions of samples.
func peaks(samples []timedSample) (fds int, goroutines, sessions float64) {
	for _, s := range samples {
		fds = max(fds, s.fds)
		goroutines = max(goroutines, s.goroutines)
		sessions = max(sessions, s.sessions)
	}
	return fds, goroutines, sessions
}
