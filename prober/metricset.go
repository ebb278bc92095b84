package prober

import (
	"errors"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// metricSet collects the series a probe builds from NetBackup data, from several collector
// goroutines: series written one by one (the loose ones) and blocks encoded before. Its text is
// written without the client library's registry (textSet).
type metricSet struct {
	limits *seriesLimits // nil: unbounded (sets built by the seam itself)
	mu     sync.Mutex
	set    *textSet // the loose series; nil until the first
	// blocks were encoded once and are shared by the probes that serve them unchanged (the job
	// series of a master where nothing changed, a TTL-cached collector's series): never modified.
	blocks []*encodedBlock
}

// loose is the set of loose series, made on first use; s.mu must be held.
func (s *metricSet) loose() *textSet {
	if s.set == nil {
		s.set = newTextSet(s.limits)
	}
	return s.set
}

// merge adds what another set holds, which stays as it is (it may be a cached run's).
func (s *metricSet) merge(o *metricSet) {
	if o == nil {
		return
	}
	o.mu.Lock()
	set, blocks := o.set, o.blocks
	o.mu.Unlock()
	s.mu.Lock()
	if set != nil {
		s.loose().merge(set)
	}
	s.blocks = append(s.blocks, blocks...)
	s.mu.Unlock()
}

func (s *metricSet) gauge(d *textDesc, v float64, labels ...string) {
	s.mu.Lock()
	s.loose().gauge(d, v, labels...)
	s.mu.Unlock()
}

func (s *metricSet) counter(d *textDesc, v float64, labels ...string) {
	s.mu.Lock()
	s.loose().counter(d, v, labels...)
	s.mu.Unlock()
}

// histogram adds a histogram series: cum[i] observations were at most bounds[i].
func (s *metricSet) histogram(d *textDesc, count uint64, sum float64, bounds []float64, cum []uint64, labels ...string) {
	s.mu.Lock()
	s.loose().histogram(d, count, sum, bounds, cum, labels...)
	s.mu.Unlock()
}

// encodeLoose encodes the loose series (a probe's own, and those no block holds).
func (s *metricSet) encodeLoose() (*encodedBlock, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loose().encode()
}

func (s *metricSet) reusedBlocks() []*encodedBlock {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.blocks
}

// parts is what the answer is made of: the loose series, encoded now, then the blocks.
func (s *metricSet) parts() ([]*encodedBlock, error) {
	loose, err := s.encodeLoose()
	return append([]*encodedBlock{loose}, s.reusedBlocks()...), err
}

// Gather reads every part back into protobuf families, for the formats serveText does not write
// and the debug page; a name in two parts (a bug) is merged, as the registry merges it.
func (s *metricSet) Gather() ([]*dto.MetricFamily, error) {
	parts, err := s.parts()
	gatherers := make(prometheus.Gatherers, len(parts))
	for i, b := range parts {
		gatherers[i] = b
	}
	mfs, gerr := gatherers.Gather()
	return mfs, errors.Join(err, gerr)
}

// sharedFamilies are written by several collectors, each its own series: they stay out of the
// encoded blocks, so that the probe's loose series merge them into one family.
var sharedFamilies = []*textDesc{descLastScrape}

func isShared(name string) bool {
	for _, d := range sharedFamilies {
		if d.name == name {
			return true
		}
	}
	return false
}

// freeze encodes the set's series, but those of sharedFamilies, into a block, once: a TTL-cached
// collector's series are then served by every probe of the TTL without being built and encoded
// again. Called before the set is shared.
func (s *metricSet) freeze() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	set := s.loose()
	b, err := set.encodeWhere(func(name string) bool { return !isShared(name) })
	for _, name := range b.names {
		delete(set.fams, name)
	}
	if len(b.names) > 0 {
		s.blocks = append(s.blocks, b)
	}
	return err // what could not be encoded (a bug) is left out of the block, the rest is in it
}
