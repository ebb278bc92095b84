package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
	"time"
)

// maxReasons bounds the distinct failure reasons kept; later ones count as "other".
const maxReasons = 50

// stats counts the probes and failures of a run, and the durations of the probes since the last
// line printed.
type stats struct {
	mu       sync.Mutex
	probes   int
	failures int
	reasons  map[string]int
	examples map[string]string // the first detail of each reason
	recent   []time.Duration
	all      []time.Duration
}

func newStats() *stats {
	return &stats{reasons: map[string]int{}, examples: map[string]string{}}
}

// add records one probe; reason is "" for a success.
func (s *stats) add(d time.Duration, reason, detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.probes++
	s.recent = append(s.recent, d)
	s.all = append(s.all, d)
	if reason != "" {
		s.fail(reason, detail)
	}
}

// failure records a failure that is not a probe's (a reload not applied, a counter going down).
func (s *stats) failure(reason, detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail(reason, detail)
}

func (s *stats) fail(reason, detail string) {
	s.failures++
	if _, ok := s.reasons[reason]; !ok && len(s.reasons) >= maxReasons {
		reason = "other"
	}
	s.reasons[reason]++
	if _, ok := s.examples[reason]; !ok {
		s.examples[reason] = detail
	}
}

// interval returns the counts so far and the p99 of the probes since the last call.
func (s *stats) interval() (probes, failures int, n int, p99 time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	recent := s.recent
	s.recent = nil
	return s.probes, s.failures, len(recent), quantile(recent, 0.99)
}

func quantile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	d = slices.Clone(d)
	slices.Sort(d)
	return d[min(len(d)-1, int(q*float64(len(d))))]
}

// printFailures writes the failures by reason, most frequent first, each with its first example.
func (s *stats) printFailures(w io.Writer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failures == 0 {
		return
	}
	fmt.Fprintln(w, "failures by reason:")
	keys := slices.Collect(maps.Keys(s.reasons))
	slices.SortFunc(keys, func(a, b string) int { return s.reasons[b] - s.reasons[a] })
	for _, k := range keys {
		fmt.Fprintf(w, "  %7d  %s", s.reasons[k], k)
		if ex := s.examples[k]; ex != "" {
			fmt.Fprintf(w, "  (first: %s)", truncate(ex, 200))
		}
		fmt.Fprintln(w)
	}
}
