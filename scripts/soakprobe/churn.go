package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"time"
)

// pair is one (target, module): one session in the exporter.
type pair struct{ target, module string }

// pairsOf returns the first n of primaries x modules, in an order that mixes primaries and
// modules but is the same on every run.
func pairsOf(primaries, modules []string, n int) ([]pair, error) {
	if len(primaries)*len(modules) < n {
		return nil, fmt.Errorf("%d primaries x %d modules make fewer than %d targets", len(primaries), len(modules), n)
	}
	pairs := make([]pair, 0, n)
	for _, t := range primaries {
		for _, m := range modules {
			if len(pairs) < n {
				pairs = append(pairs, pair{t, m})
			}
		}
	}
	r := rand.New(rand.NewPCG(21, 21))
	r.Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })
	return pairs, nil
}

// runChurn probes the pairs round-robin at o.rate for o.duration and reports; false = failed.
func runChurn(ctx context.Context, o options) bool {
	prims, err := readTargets(o.targetsFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soakprobe:", err)
		return false
	}
	pairs, err := pairsOf(prims, strings.Split(o.modules, ","), o.targets)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soakprobe:", err)
		return false
	}
	fmt.Printf("churn: %d targets (%d primaries x %s) round-robin at %.0f probes/s, at most %d in flight, for %s\n",
		len(pairs), len(prims), o.modules, o.rate, o.concurrency, o.duration)
	c := newClient(o.concurrency, o.timeout)
	st := newStats()
	began := time.Now()
	runCtx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	mon := startMonitor(runCtx, o, st, "", nil)
	work := make(chan pair)
	var wg sync.WaitGroup
	for range o.concurrency {
		wg.Go(func() {
			for p := range work {
				start := time.Now()
				body, reason, detail := probe(ctx, c, o.exporter, p.target, p.module, o.timeout)
				if reason == "" {
					reason, detail = answerReason(body), p.module+" "+p.target
				}
				st.add(time.Since(start), reason, detail)
			}
		})
	}
	dispatch(runCtx, work, pairs, o.rate)
	close(work)
	wg.Wait() // the probes in flight finish: each is bounded by the client's timeout
	samples := mon.finish()
	if ctx.Err() != nil {
		fmt.Println("interrupted")
	}
	return summarizeChurn(o, st, time.Since(began), samples)
}

// dispatch hands out the pairs round-robin at rate per second until ctx ends. When every worker
// is busy the ticks that pass are dropped: the rate printed is what the exporter sustained.
func dispatch(ctx context.Context, work chan<- pair, pairs []pair, rate float64) {
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	for i := 0; ; i = (i + 1) % len(pairs) {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		select {
		case <-ctx.Done():
			return
		case work <- pairs[i]:
		}
	}
}

// summarizeChurn prints the run's totals and bounds and says whether they held.
func summarizeChurn(o options, st *stats, took time.Duration, samples []timedSample) bool {
	elapsed := took.Seconds()
	st.mu.Lock()
	probes, failures, p50, p99 := st.probes, st.failures, quantile(st.all, 0.5), quantile(st.all, 0.99)
	st.mu.Unlock()
	fmt.Printf("\nprobes: %d in %.0f s (%.1f/s), failed: %d; probe time p50 %.0f ms, p99 %.0f ms\n",
		probes, elapsed, float64(probes)/elapsed, failures, ms(p50), ms(p99))
	st.printFailures(os.Stdout)
	fds, gor, sess := peaks(samples)
	var evictions float64
	if len(samples) > 0 {
		evictions = samples[len(samples)-1].evictions
	}
	fmt.Printf("peaks: fds %d, goroutines %.0f, sessions %.0f; sessions evicted: %.0f\n", fds, gor, sess, evictions)
	ok := failures == 0
	base, lo, hi, found := rssAfter(samples, o.warmup)
	if !found {
		fmt.Printf("RSS: no sample after the warm-up (%s)\n", o.warmup)
		return false
	}
	growth := hi / base
	fmt.Printf("RSS after the warm-up (%s): %.1f MB at first, then %.1f-%.1f MB; peak/first = %.2f (bound %.2f)\n",
		o.warmup, base, lo, hi, growth, o.rssGrowth)
	if growth > o.rssGrowth {
		ok = false
		fmt.Printf("FAIL: RSS grew by %.2f after the warm-up (bound %.2f)\n", growth, o.rssGrowth)
	}
	if failures > 0 {
		fmt.Printf("FAIL: %d probes failed\n", failures)
	}
	if ok {
		fmt.Println("PASS: every probe succeeded and RSS stayed within the bound after the warm-up")
	}
	return ok
}

// rssAfter is the RSS (MB) of the first sample at or after warmup, and the least and most of
// that one and those after it.
func rssAfter(samples []timedSample, warmup time.Duration) (first, lo, hi float64, found bool) {
	for _, s := range samples {
		if s.at < warmup {
			continue
		}
		mb := s.rssMB()
		if !found {
			first, lo, hi, found = mb, mb, mb, true
		}
		lo, hi = min(lo, mb), max(hi, mb)
	}
	return first, lo, hi, found
}
