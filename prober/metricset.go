package prober

import (
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/netbackup-exporter/netbackup_exporter/internal/redact"
)

// Bounds on what one collector may put into a probe's answer: whatever a primary sends (50k
// distinct job types, a 20 MB storage unit name) must cost a bounded answer.
const (
	// maxLabelValueBytes cuts label values: NetBackup names are short, a longer value is junk.
	maxLabelValueBytes = 256
	// maxAnswerBytes bounds one probe's answer: what its collectors' series weigh (label values
	// and a share for the name and value of each). A collector whose series would pass it is left
	// out of the answer and fails; a real master's answer is a few megabytes.
	maxAnswerBytes = 64 << 20
	seriesOverhead = 64
)

// Reasons a series is left out: the reason label of nbu_series_dropped, and seriesCounts.dropped's
// index.
const (
	dropMaxSeries  = iota // past the module's max_series
	dropDuplicate         // the same family and label values as a series kept before, once cut and scrubbed
	dropAnswerSize        // the collector's series would have passed the answer's size bound
)

var dropReasons = [...]string{dropMaxSeries: "max_series", dropDuplicate: "duplicate", dropAnswerSize: "answer_size"}

// seriesCounts is what bounding one collector's series did.
type seriesCounts struct {
	series    int // kept
	truncated int // label values cut to maxLabelValueBytes
	bytes     int // what the kept series weigh in the answer, roughly
	dropped   [len(dropReasons)]int
}

func (c *seriesCounts) add(o seriesCounts) {
	c.series += o.series
	c.truncated += o.truncated
	c.bytes += o.bytes
	for i := range c.dropped {
		c.dropped[i] += o.dropped[i]
	}
}

// labelScrub returns a label value with the module's secrets scrubbed, cut to at most maxBytes
// bytes; it reads at most maxBytes plus the longest secret, so a huge value costs what a short one
// does (nbu.Client.ScrubLabel).
type labelScrub func(v string, maxBytes int) string

// noScrub cuts label values without scrubbing anything.
var noScrub labelScrub = (*redact.Set)(nil).Label

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
// series is admitted before it is built: its label values scrubbed and cut, a repeat of one
// already in the set or one past max_series left out and counted, so that what the registry
// gathers is bounded and free of duplicates, which would fail the whole gather. A set is the
// probe registry's one collector, unchecked (it describes nothing): its families are known only
// once NetBackup has answered.
type metricSet struct {
	maxSeries int        // 0: unbounded
	scrub     labelScrub // the module's secrets out of label values; nil: none
	memo      *metricMemo

	mu     sync.Mutex
	seen   map[uint64]struct{} // the seriesHash of each series kept
	counts seriesCounts
	// metrics are built here; parts were built before and are shared (a cached run's series, the
	// job series of a state that did not change): never modified.
	metrics []prometheus.Metric
	parts   [][]prometheus.Metric
	err     error // a series built wrong (a bug): left out, and the collector fails
}

// newMetricSet returns a set bounded by maxSeries (0: unbounded) whose label values go through
// scrub (nil: cut only).
func newMetricSet(maxSeries int, scrub labelScrub) *metricSet {
	return &metricSet{maxSeries: maxSeries, scrub: scrub}
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

// admit reports whether one more series of d fits, making its label values what a label value
// may be, in place (labels is the call's own slice); it returns the series' seriesHash.
func (s *metricSet) admit(d *metricDesc, labels []string) (uint64, bool) {
	if len(labels) != d.labels {
		s.keep(nil, fmt.Errorf("%s: %d label values for %d labels", d.name, len(labels), d.labels))
		return 0, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cut, weight := 0, seriesOverhead
	for i, v := range labels {
		if len(v) > maxLabelValueBytes {
			cut++
		}
		labels[i] = labelValue(s.scrub, v)
		weight += len(labels[i])
	}
	h := seriesHash(d.name, labels)
	if _, dup := s.seen[h]; dup {
		s.counts.dropped[dropDuplicate]++
		return 0, false
	}
	if s.maxSeries > 0 && s.counts.series >= s.maxSeries {
		s.counts.dropped[dropMaxSeries]++
		return 0, false
	}
	if s.seen == nil {
		s.seen = map[uint64]struct{}{}
	}
	s.seen[h] = struct{}{}
	s.counts.series++
	s.counts.truncated += cut
	s.counts.bytes += weight
	return h, true
}

// labelValue is v as a label value may be: the module's secrets scrubbed (together with the cut,
// so that no piece of one is left at the end; nil scrubs nothing), cut to maxLabelValueBytes, and
// valid UTF-8 (the registry refuses anything else: an invalid byte becomes U+FFFD). This is the
// one place a label value is scrubbed.
func labelValue(scrub labelScrub, v string) string {
	if scrub == nil {
		scrub = noScrub
	}
	v = scrub(v, maxLabelValueBytes)
	if !utf8.ValidString(v) {
		v = redact.CutUTF8(strings.ToValidUTF8(v, "\uFFFD"), maxLabelValueBytes)
	}
	return v
}

// seriesSeed seeds seriesHash for the life of the process.
var seriesSeed = maphash.MakeSeed()

// seriesHash tells series apart as the registry does, by a 64-bit hash of the family name and the
// label values (separated by a byte that valid UTF-8 never holds): two series of a set, a few
// thousand at most, share one only by chance, far less likely than a hardware fault.
func seriesHash(name string, labels []string) uint64 {
	var h maphash.Hash
	h.SetSeed(seriesSeed)
	h.WriteString(name)
	for _, v := range labels {
		h.WriteByte(0xff)
		h.WriteString(v)
	}
	return h.Sum64()
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
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts.add(counts)
	s.parts = append(s.parts, metrics)
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

// done returns what bounding the set's series did, and forgets the series seen: a finished run
// admits no more.
func (s *metricSet) done() seriesCounts {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = nil
	return s.counts
}

// leftOut counts n series a collector did not build because of max_series, as the set counts
// those it refuses (nbu_series_dropped{reason="max_series"}).
func (s *metricSet) leftOut(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts.dropped[dropMaxSeries] += n
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
