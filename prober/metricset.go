package prober

import (
	"slices"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// metricSet collects the const metrics a probe builds from NetBackup data, from several collector
// goroutines, and hands them to the probe's fresh registry. It describes nothing (an unchecked
// collector) because its label sets depend on the data.
type metricSet struct {
	limits  *seriesLimits // nil: unbounded (sets built by the seam itself)
	mu      sync.Mutex
	metrics []prometheus.Metric
	// blocks were encoded once and are shared by the probes that serve them unchanged (the job
	// series of a master where nothing changed, a TTL-cached collector's series): never modified.
	blocks []*encodedBlock
}

// merge adds what another set holds.
func (s *metricSet) merge(o *metricSet) {
	if o == nil {
		return
	}
	o.mu.Lock()
	metrics, blocks := o.metrics, o.blocks
	o.mu.Unlock()
	s.mu.Lock()
	s.metrics = append(s.metrics, metrics...)
	s.blocks = append(s.blocks, blocks...)
	s.mu.Unlock()
}

// Gather serves the encoded blocks' families (metricSet is also registered as a collector for the
// rest).
func (s *metricSet) Gather() ([]*dto.MetricFamily, error) {
	var out []*dto.MetricFamily
	for _, b := range s.reusedBlocks() {
		mfs, err := b.families()
		if err != nil {
			return out, err
		}
		out = append(out, mfs...)
	}
	return out, nil
}

// gatherOnce turns const metrics into families, validated, sorted and encoded, to be served many
// times.
func gatherOnce(metrics []prometheus.Metric) (*encodedBlock, error) {
	reg := prometheus.NewRegistry()
	if err := reg.Register(&metricSet{metrics: metrics}); err != nil {
		return nil, err
	}
	mfs, err := reg.Gather()
	if err != nil {
		return nil, err
	}
	markReservedUntyped(mfs)
	return encodeFamilies(mfs)
}

func (s *metricSet) add(m ...prometheus.Metric) {
	s.mu.Lock()
	s.metrics = append(s.metrics, m...)
	s.mu.Unlock()
}

func (s *metricSet) gauge(d *prometheus.Desc, v float64, labels ...string) {
	if s.limits.admit(labels) {
		s.add(prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...))
	}
}

func (s *metricSet) counter(d *prometheus.Desc, v float64, labels ...string) {
	if s.limits.admit(labels) {
		s.add(prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...))
	}
}

// histogram adds a const histogram (buckets: upper bound to cumulative count).
func (s *metricSet) histogram(d *prometheus.Desc, count uint64, sum float64, buckets map[float64]uint64, labels ...string) {
	if s.limits.admit(labels) {
		s.add(prometheus.MustNewConstHistogram(d, count, sum, buckets, labels...))
	}
}

func (s *metricSet) Describe(chan<- *prometheus.Desc) {}

func (s *metricSet) Collect(ch chan<- prometheus.Metric) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.metrics {
		ch <- m
	}
}

func (s *metricSet) reusedBlocks() []*encodedBlock {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.blocks
}

// sharedFamilies are written by several collectors, each its own series: they stay out of the
// encoded blocks, so that the probe's registry merges them into one family.
var sharedFamilies = []*prometheus.Desc{descLastScrape}

// freeze encodes the set's series, but those of sharedFamilies, into a block, once: a TTL-cached
// collector's series are then served by every probe of the TTL without being built, gathered and
// encoded again. Called before the set is shared.
func (s *metricSet) freeze() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keep, encode []prometheus.Metric
	for _, m := range s.metrics {
		if slices.Contains(sharedFamilies, m.Desc()) {
			keep = append(keep, m)
		} else {
			encode = append(encode, m)
		}
	}
	if len(encode) == 0 {
		return nil
	}
	b, err := gatherOnce(encode)
	if err != nil {
		return err
	}
	s.metrics = keep
	s.blocks = append(s.blocks, b)
	return nil
}
