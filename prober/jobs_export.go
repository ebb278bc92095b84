package prober

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// exportProbe is the export phase: the job series (from the cache while nothing changed) and the
// gauges that say how far the state has got, which change with the clock and are built each probe.
func (s *jobsState) exportProbe(out *metricSet, since time.Time, maxSeries int, scrub labelScrub) error {
	err := s.exportCached(out, maxSeries, scrub)
	out.gauge(descJobsLookback, s.lookback.Seconds())
	out.gauge(descJobsBackfillComplete, boolGauge(s.phase == phaseFollowing))
	out.gauge(descJobsWindowStart, float64(since.Unix()))
	out.gauge(descJobsDropped, float64(s.jobsRefused))
	if oldest := s.oldestUnread(); !oldest.IsZero() {
		out.gauge(descJobsUpdatesRead, float64(oldest.UnixNano())/1e9)
	}
	if !s.readAt.IsZero() {
		out.gauge(descLastScrape, float64(s.readAt.UnixNano())/1e9, "jobs")
	}
	return err
}

// jobsExport is the job series as last built, with what bounding them did: served again, as they
// are, while the state does not change (const metrics are immutable), and built again from the
// memo's series when it does, so that a series whose value did not change is not made again.
type jobsExport struct {
	version uint64 // the state's version they were built from; 0: none
	metrics []prometheus.Metric
	counts  seriesCounts
	memo    metricMemo
}

// exportCached writes the job series, rebuilding them only when the state changed since they were
// last built: on a master where nothing changed, a probe serves the series it built before.
func (s *jobsState) exportCached(out *metricSet, maxSeries int, scrub labelScrub) error {
	if s.cached == nil {
		s.cached = &jobsExport{}
	}
	c := s.cached
	if c.version != s.version {
		built := newMetricSet(maxSeries, scrub)
		built.memo = &c.memo
		c.memo.begin()
		s.export(built, s.phase == phaseFollowing)
		if s.unfinishedKnown {
			s.unfinished.export(built)
			s.exportActive(built)
		}
		c.memo.end()
		c.version, c.metrics, c.counts = s.version, built.metrics, built.done()
		if err := built.failure(); err != nil { // a bug: what was built wrong is left out, the rest is served, and the collector fails
			c.version = 0 // built again next probe, so that the failure is not cached
			s.serve(out)
			return fmt.Errorf("building the job metrics: %w", err)
		}
	}
	s.serve(out)
	return nil
}

// serve adds the built job series to out, with what building them cut and what the state left out
// (jobs of label sets past its cap, label values it cut).
func (s *jobsState) serve(out *metricSet) {
	counts := s.cached.counts
	counts.dropped[dropMaxSeries] += s.keysDropped
	counts.truncated += s.keysCut
	out.addBuilt(s.cached.metrics, counts)
}

// export writes the counters and, when window is true, the window gauges. The window's sums are
// kept up to date by add and prune, so a probe pays for the label sets, not for the jobs.
func (s *jobsState) export(out *metricSet, window bool) {
	keys := s.sortedKeys() // the series come in the exposition's order: nothing to sort
	for _, k := range keys {
		if t := s.totals[k]; t != nil {
			out.counter(descJobsTotal, float64(t.count), k.action, k.policyType, k.status)
			out.counter(descJobsBytesTotal, float64(t.bytes), k.action, k.policyType, k.status)
		}
	}
	if !window {
		return
	}
	byStatus := map[actionStatusKey]int64{}
	byPolicy := map[policyKey]*jobSums{}
	done := map[string]int64{}
	for _, k := range keys {
		st := s.window[k]
		if st == nil {
			continue
		}
		out.gauge(descJobsCount, float64(st.count), k.action, k.policyType, k.status)
		out.gauge(descJobsBytes, float64(st.bytes), k.action, k.policyType, k.status)
		byStatus[actionStatusKey{k.action, k.status}] += st.count
		done[k.action] += st.count
		pk := policyKey{k.action, k.policyType}
		acc := byPolicy[pk]
		if acc == nil {
			acc = &jobSums{}
			byPolicy[pk] = acc
		}
		acc.merge(st, 1)
	}
	for k, n := range byStatus {
		out.gauge(descStatusCount, float64(n), k.action, k.status)
	}
	for action, n := range done {
		out.gauge(descJobsState, float64(n), action, "DONE")
	}
	for k, st := range byPolicy {
		out.gauge(descJobsFiles, float64(st.files), k.action, k.policyType)
		if st.dedupCount > 0 {
			out.gauge(descJobsDedupRatio, float64(st.dedupMilli)/1000/float64(st.dedupCount), k.action, k.policyType)
		}
		cum := make([]uint64, len(jobDurationBucketsArr))
		var n int64
		for i := range jobDurationBucketsArr {
			n += st.durBuckets[i]
			cum[i] = uint64(n)
		}
		out.histogram(descJobDuration, uint64(st.durCount), float64(st.durMillis)/1000, jobDurationBucketsArr[:], cum, k.action, k.policyType)
	}
}

// sortedKeys is the state's label sets in the order of their label values (action, policy_type,
// status: the exposition's), sorted again only when a label set was added (they are never removed).
func (s *jobsState) sortedKeys() []jobKey {
	if len(s.keysSorted) != len(s.keys) {
		s.keysSorted = slices.Clone(s.keys)
		slices.SortFunc(s.keysSorted, func(a, b jobKey) int {
			return cmp.Or(strings.Compare(a.action, b.action), strings.Compare(a.policyType, b.policyType), strings.Compare(a.status, b.status))
		})
	}
	return s.keysSorted
}
