package prober

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// metricDesc is one family the probe writes: the client library's Desc, with the name and the
// number of labels it keeps to itself, which the probe needs to tell two series apart before the
// registry sees them.
type metricDesc struct {
	name   string
	labels int
	desc   *prometheus.Desc
}

func newDesc(name, help string, labels ...string) *metricDesc {
	return &metricDesc{name: name, labels: len(labels), desc: prometheus.NewDesc(name, help, labels, nil)}
}

// metricSet holds the series one collector run builds (or a probe's own), as const metrics. Each
// series is admitted through the set's limits before it is built (its label values cut and
// scrubbed, a repeat of one already in the set left out and counted), so that what the registry
// gathers is bounded and free of duplicates, which would fail the whole gather. A set is the
// probe registry's one collector, unchecked (it describes nothing): its families are known only
// once NetBackup has answered.
type metricSet struct {
	limits *seriesLimits // nil: the probe's own series, whose label values are the exporter's
	memo   *metricMemo   // nil: every series is built anew

	mu      sync.Mutex
	metrics []prometheus.Metric
	// parts were built before and are shared (a cached run's series, the job series of a state
	// that did not change): never modified.
	parts [][]prometheus.Metric
	err   error // a series built wrong (a bug): left out, and the collector fails
}

// newMetricSet returns a set bounded by maxSeries (0: unbounded) whose label values go through
// scrub (nil: none).
func newMetricSet(maxSeries int, scrub labelScrub) *metricSet {
	return &metricSet{limits: newSeriesLimits(maxSeries, scrub)}
}

// gauge adds a gauge series; it reports whether the series was kept (false: left out and
// counted, a repeat of one kept before or past max_series).
func (s *metricSet) gauge(d *metricDesc, v float64, labels ...string) bool {
	return s.scalar(d, prometheus.GaugeValue, v, labels)
}

func (s *metricSet) counter(d *metricDesc, v float64, labels ...string) {
	s.scalar(d, prometheus.CounterValue, v, labels)
}

func (s *metricSet) scalar(d *metricDesc, typ prometheus.ValueType, v float64, labels []string) bool {
	key, ok := s.admit(d, labels)
	if !ok {
		return false
	}
	if m := s.memo.reuse(key, v, 0, nil); m != nil {
		s.keep(m, nil)
		return true
	}
	m, err := prometheus.NewConstMetric(d.desc, typ, v, labels...)
	s.memo.store(key, v, 0, nil, m, err)
	s.keep(m, err)
	return true
}

// histogram adds a histogram series: cum[i] observations were at most bounds[i].
func (s *metricSet) histogram(d *metricDesc, count uint64, sum float64, bounds []float64, cum []uint64, labels ...string) {
	key, ok := s.admit(d, labels)
	if !ok {
		return
	}
	if m := s.memo.reuse(key, sum, count, cum); m != nil {
		s.keep(m, nil)
		return
	}
	buckets := make(map[float64]uint64, len(bounds))
	for i, ub := range bounds {
		buckets[ub] = cum[i]
	}
	m, err := prometheus.NewConstHistogram(d.desc, count, sum, buckets, labels...)
	s.memo.store(key, sum, count, cum, m, err)
	s.keep(m, err)
}

// admit checks a series' label values against its family and the set's limits, which make them
// what a label value may be (in place: labels is the call's own slice); it returns the series'
// seriesHash.
func (s *metricSet) admit(d *metricDesc, labels []string) (uint64, bool) {
	if len(labels) != d.labels {
		s.keep(nil, fmt.Errorf("%s: %d label values for %d labels", d.name, len(labels), d.labels))
		return 0, false
	}
	return s.limits.admit(d.name, labels)
}

func (s *metricSet) keep(m prometheus.Metric, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		if s.err == nil {
			s.err = err
		}
		return
	}
	s.metrics = append(s.metrics, m)
}

// addBuilt adds series built and bounded before (the job series of a state that did not change),
// with what bounding them did.
func (s *metricSet) addBuilt(metrics []prometheus.Metric, counts seriesCounts) {
	s.limits.absorb(counts)
	s.mu.Lock()
	s.parts = append(s.parts, metrics)
	s.mu.Unlock()
}

// merge adds the series of a finished set, which stays as it is (it may be a cached run's).
func (s *metricSet) merge(o *metricSet) {
	o.mu.Lock()
	metrics, parts := o.metrics, o.parts
	o.mu.Unlock()
	s.mu.Lock()
	s.parts = append(append(s.parts, metrics), parts...)
	s.mu.Unlock()
}

// failure is the first series built wrong, if any.
func (s *metricSet) failure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		return nil
	}
	return errors.Join(errors.New("building the series (a bug; please report it)"), s.err)
}

// Describe sends nothing: the set is an unchecked collector.
func (s *metricSet) Describe(chan<- *prometheus.Desc) {}

// Collect sends every series of the set.
func (s *metricSet) Collect(ch chan<- prometheus.Metric) {
	s.mu.Lock()
	metrics, parts := s.metrics, s.parts
	s.mu.Unlock()
	for _, m := range metrics {
		ch <- m
	}
	for _, part := range parts {
		for _, m := range part {
			ch <- m
		}
	}
}

// metricMemo keeps the series one build of a set made, with the values they were made of, so
// that the next build (the job series, built again whenever the state changes, which on a busy
// master is every probe) reuses each series whose value did not change instead of making it
// again: most of them, since a few jobs change a few label sets. A build is begin, the set's
// series, end; what the build did not make again is forgotten.
type metricMemo struct {
	last, next map[uint64]memoEntry // by seriesHash
	spare      map[uint64]memoEntry // the map of the build before last, cleared for the next
}

type memoEntry struct {
	value  float64  // a gauge's or counter's value, a histogram's sum
	count  uint64   // a histogram's
	cum    []uint64 // a histogram's buckets
	metric prometheus.Metric
}

// begin starts a build; the maps are reused from build to build, cleared.
func (m *metricMemo) begin() {
	if m.spare == nil {
		m.spare = make(map[uint64]memoEntry, len(m.last))
	}
	m.next, m.spare = m.spare, nil
}

func (m *metricMemo) end() {
	clear(m.last)
	m.last, m.next, m.spare = m.next, nil, m.last
}

// reuse returns the series built last time under key from the same values, else nil.
func (m *metricMemo) reuse(key uint64, value float64, count uint64, cum []uint64) prometheus.Metric {
	if m == nil || m.next == nil {
		return nil
	}
	e, ok := m.last[key]
	if !ok || e.value != value || e.count != count || !slices.Equal(e.cum, cum) {
		return nil
	}
	m.next[key] = e
	return e.metric
}

func (m *metricMemo) store(key uint64, value float64, count uint64, cum []uint64, metric prometheus.Metric, err error) {
	if m == nil || m.next == nil || err != nil {
		return
	}
	m.next[key] = memoEntry{value: value, count: count, cum: slices.Clone(cum), metric: metric}
}
