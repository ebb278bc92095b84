package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// reloadApplyBound is how long a rewritten modules file may take to be live (the README's
// promise for the watcher).
const reloadApplyBound = 5 * time.Second

// reloadRun is the state of a reload-mode run shared by its two loops and its monitor.
type reloadRun struct {
	o        options
	c        *http.Client
	st       *stats
	variants [][]byte
	markers  []string
	rewrites atomic.Int64
	applied  atomic.Int64
	// counters are the last value of every counter series of the answer (probe loop only).
	counters  map[string]float64
	decreases atomic.Int64
	increases atomic.Int64 // a counter seen higher than in the last answer: the check has teeth
	tracked   atomic.Int64
}

// runReload probes one target every second while the modules file is rewritten and reloaded
// every o.reloadEvery, and reports; false = failed.
func runReload(ctx context.Context, o options) bool {
	r := &reloadRun{o: o, c: newClient(2, o.timeout), st: newStats(), counters: map[string]float64{}}
	for _, v := range strings.Split(o.variants, ",") {
		b, err := os.ReadFile(v)
		if err != nil {
			fmt.Fprintln(os.Stderr, "soakprobe:", err)
			return false
		}
		r.variants = append(r.variants, b)
		r.markers = append(r.markers, markerOf(b))
	}
	fmt.Printf("reload: %s with module %s probed every second; the modules file rewritten every %s (every third through POST /-/reload, the others left to the watcher), for %s\n",
		o.target, o.module, o.reloadEvery, o.duration)
	runCtx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	mon := startMonitor(runCtx, o, r.st, fmt.Sprintf(" %8s %9s", "reloads", "counters"), func() string {
		return fmt.Sprintf(" %8d %9d", r.applied.Load(), r.tracked.Load())
	})
	var wg sync.WaitGroup
	wg.Go(func() { r.rewriteLoop(runCtx) })
	r.probeLoop(runCtx)
	wg.Wait()
	return r.summarize(mon.finish())
}

// markerOf is the variant's first line, a comment that /config does not show but that names a
// module only that variant has: "# marker: <module>".
func markerOf(variant []byte) string {
	first, _, _ := bytes.Cut(variant, []byte("\n"))
	_, m, _ := strings.Cut(string(first), "# marker: ")
	return strings.TrimSpace(m)
}

// probeLoop probes the target every second and compares its counters with the last answer's.
func (r *reloadRun) probeLoop(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		start := time.Now()
		body, reason, detail := probe(context.WithoutCancel(ctx), r.c, r.o.exporter, r.o.target, r.o.module, r.o.timeout)
		if reason == "" {
			reason = answerReason(body)
		}
		r.st.add(time.Since(start), reason, detail)
		if reason == "" {
			r.compareCounters(body)
		}
	}
}

// compareCounters records a failure for every counter (a series whose name ends in _total) that
// went down since the last answer.
func (r *reloadRun) compareCounters(body []byte) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		r.st.failure("the answer does not parse", err.Error())
		return
	}
	for name, mf := range mfs {
		if !strings.HasSuffix(name, "_total") {
			continue
		}
		for _, m := range mf.GetMetric() {
			key, v := seriesKey(name, m), value(m)
			prev, ok := r.counters[key]
			switch {
			case ok && v < prev:
				r.decreases.Add(1)
				r.st.failure("a counter went down", fmt.Sprintf("%s: %g -> %g", key, prev, v))
			case ok && v > prev:
				r.increases.Add(1)
			}
			r.counters[key] = v
		}
	}
	r.tracked.Store(int64(len(r.counters)))
}

func seriesKey(name string, m *dto.Metric) string {
	var labels []string
	for _, l := range m.GetLabel() {
		labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
	}
	slices.Sort(labels)
	return name + "{" + strings.Join(labels, ",") + "}"
}

// rewriteLoop writes the variants over the modules file in turn; every third is followed by a
// POST /-/reload, the others are left to the watcher. Each must be live within reloadApplyBound.
func (r *reloadRun) rewriteLoop(ctx context.Context) {
	tick := time.NewTicker(r.o.reloadEvery)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		via := "watcher"
		if i%3 == 0 {
			via = "POST /-/reload"
		}
		err := r.rewrite(ctx, i%len(r.variants), via)
		if ctx.Err() != nil {
			return // the run ended meanwhile: this rewrite is not counted
		}
		r.rewrites.Add(1)
		if err != nil {
			r.st.failure("reload via "+via, err.Error())
			continue
		}
		r.applied.Add(1)
	}
}

// rewrite installs variant v (written beside the file, then renamed over it), reloads through
// via, and waits until /config shows the variant's marker module and the last reload succeeded.
func (r *reloadRun) rewrite(ctx context.Context, v int, via string) error {
	tmp := filepath.Join(filepath.Dir(r.o.configFile), ".soak-variant.tmp")
	if err := os.WriteFile(tmp, r.variants[v], 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, r.o.configFile); err != nil {
		return err
	}
	if via != "watcher" {
		if err := r.post(ctx); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(reloadApplyBound)
	for time.Now().Before(deadline) {
		live, err := r.live(ctx, r.markers[v])
		if err != nil {
			return err
		}
		if live {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("variant %d (module %s) not live within %s", v, r.markers[v], reloadApplyBound)
}

func (r *reloadRun) post(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.o.exporter+"/-/reload", nil)
	if err != nil {
		return err
	}
	resp, err := r.c.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST /-/reload: HTTP %d", resp.StatusCode)
	}
	return nil
}

// live reports whether the configuration the exporter serves has the marker module and its last
// reload succeeded.
func (r *reloadRun) live(ctx context.Context, marker string) (bool, error) {
	s, err := readSample(ctx, r.c, r.o.exporter, r.o.pid)
	if err != nil {
		return false, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.o.exporter+"/config", nil)
	if err != nil {
		return false, err
	}
	resp, err := r.c.Do(req)
	if err != nil {
		return false, err
	}
	defer func() { _ = resp.Body.Close() }()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return false, err
	}
	hasMarker := slices.ContainsFunc(strings.Split(buf.String(), "\n"), func(l string) bool { return strings.TrimSpace(l) == marker+":" })
	return s.reloadOK == 1 && hasMarker, nil
}

// summarize prints the run's totals and says whether every probe and reload held.
func (r *reloadRun) summarize(samples []timedSample) bool {
	r.st.mu.Lock()
	probes, failures, p99 := r.st.probes, r.st.failures, quantile(r.st.all, 0.99)
	r.st.mu.Unlock()
	fmt.Printf("\nprobes: %d, failures: %d (p99 probe time %.0f ms); reloads applied: %d of %d rewrites\n",
		probes, failures, ms(p99), r.applied.Load(), r.rewrites.Load())
	fmt.Printf("counter series followed: %d; from one answer to the next a counter went up %d times, down %d times\n",
		r.tracked.Load(), r.increases.Load(), r.decreases.Load())
	r.st.printFailures(os.Stdout)
	fds, gor, sess := peaks(samples)
	if len(samples) > 0 {
		fmt.Printf("RSS %.1f MB at the first line, %.1f MB at the last; peaks: fds %d, goroutines %.0f, sessions %.0f\n",
			samples[0].rssMB(), samples[len(samples)-1].rssMB(), fds, gor, sess)
	}
	ok := failures == 0 && r.rewrites.Load() > 0 && r.applied.Load() == r.rewrites.Load() && r.increases.Load() > 0
	switch {
	case ok:
		fmt.Println("PASS: every probe succeeded, every rewrite was live within 5 s, no counter went down")
	case r.increases.Load() == 0 && failures == 0:
		fmt.Println("FAIL: no counter moved, so none could be seen going down (are jobs finishing on the primary?)")
	default:
		fmt.Println("FAIL: see the failures above")
	}
	return ok
}
