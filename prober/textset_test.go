package prober

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// The text builder must write what the client library writes for the same series: the
// reference is const metrics gathered by a registry and encoded by expfmt (constMetrics).
func TestTextSetWritesWhatTheClientLibraryWrites(t *testing.T) {
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 13))
		fast, ref := newTextSet(nil), &constMetrics{}
		for f := range 1 + rng.IntN(4) {
			addRandomFamily(rng, f, fast, ref)
		}
		want, werr := ref.encode()
		got, gerr := fast.encode()
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("seed %d: client library error %v, builder error %v", seed, werr, gerr)
		}
		if werr != nil {
			continue // what promhttp serves of a broken family differs; that it is refused is enough
		}
		if string(got.text) != string(want.text) {
			t.Fatalf("seed %d: the builder wrote\n%s\nthe client library\n%s", seed, got.text, want.text)
		}
		if strings.Join(got.names, ",") != strings.Join(want.names, ",") {
			t.Fatalf("seed %d: names %v, want %v", seed, got.names, want.names)
		}
	}
}

var (
	randomLabelNames  = []string{"action", "status", "b", "a_b", "zone", "policy_type"}
	randomLabelValues = []string{"", "BACKUP", "0", "a\\b", `say "hi"`, "two\nlines", "ünïcödé", "x y", "}{,="}
	randomValues      = []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 3, 1e6, 1e21, 1.5e-7, 123456789, math.Inf(1), math.Inf(-1), math.NaN(), math.MaxFloat64}
	randomSuffixes    = []string{"", "_count", "_total", "_sum", "_bytes"}
)

// addRandomFamily adds one family of random series to both sets, now and then with a duplicate
// series, which both must refuse.
func addRandomFamily(rng *rand.Rand, n int, fast *textSet, ref *constMetrics) {
	labels := rng.Perm(len(randomLabelNames))[:rng.IntN(4)]
	var names []string
	for _, i := range labels {
		names = append(names, randomLabelNames[i])
	}
	name := "nbu_test_" + string(rune('a'+n)) + randomSuffixes[rng.IntN(len(randomSuffixes))]
	d := newTextDesc(name, "Help with a \\ backslash\nand a new line "+name, names...)
	desc := d.Desc()
	kind := rng.IntN(3)
	bounds := []float64{0.5, 1, 60, 86400}
	for range 1 + rng.IntN(5) {
		values := make([]string, len(names))
		for i := range values {
			values[i] = randomLabelValues[rng.IntN(len(randomLabelValues))]
		}
		v := randomValues[rng.IntN(len(randomValues))]
		switch kind {
		case 0:
			fast.gauge(d, v, slices.Clone(values)...)
			ref.add(prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, slices.Clone(values)...))
		case 1:
			fast.counter(d, v, slices.Clone(values)...)
			ref.add(prometheus.MustNewConstMetric(desc, prometheus.CounterValue, v, slices.Clone(values)...))
		default:
			cum := make([]uint64, len(bounds))
			buckets := map[float64]uint64{}
			var c uint64
			for i, ub := range bounds {
				c += uint64(rng.IntN(3))
				cum[i], buckets[ub] = c, c
			}
			count, sum := c+uint64(rng.IntN(2)), float64(rng.IntN(1000))/7
			fast.histogram(d, count, sum, bounds, cum, slices.Clone(values)...)
			ref.add(prometheus.MustNewConstHistogram(desc, count, sum, buckets, slices.Clone(values)...))
		}
	}
}

// Label values that are not UTF-8 (which the client library refuses) are kept, made readable.
func TestTextSetMakesLabelValuesUTF8(t *testing.T) {
	s := newTextSet(nil)
	s.gauge(newTextDesc("nbu_x", "x", "name"), 1, "a\xffb")
	b, err := s.encode()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b.text), "nbu_x{name=\"a\uFFFDb\"} 1\n") {
		t.Errorf("got\n%s", b.text)
	}
}

// One name written as two types is refused, as the registry refuses it.
func TestTextSetRefusesAFamilyWrittenTwoWays(t *testing.T) {
	s := newTextSet(nil)
	d := newTextDesc("nbu_x", "x")
	s.gauge(d, 1)
	s.counter(d, 1)
	if _, err := s.encode(); err == nil {
		t.Error("a gauge and a counter of one name were encoded")
	}
}

// freeze encodes a cached collector's series once, but for the families several collectors write.
func TestFreezeKeepsSharedFamiliesApart(t *testing.T) {
	s := &metricSet{}
	s.gauge(descUp, 1)
	s.gauge(descLastScrape, 1, "storage")
	if err := s.freeze(); err != nil {
		t.Fatal(err)
	}
	blocks := s.reusedBlocks()
	if len(blocks) != 1 || strings.Join(blocks[0].names, ",") != "nbu_up" {
		t.Fatalf("blocks %v", blocks)
	}
	if loose, err := s.encodeLoose(); err != nil || strings.Join(loose.names, ",") != "nbu_last_scrape_timestamp_seconds" {
		t.Errorf("left loose: %v (%v)", loose.names, err)
	}
	mfs, err := s.Gather()
	if err != nil || len(mfs) != 2 || mfs[1].GetName() != "nbu_up" || mfs[1].GetMetric()[0].GetGauge().GetValue() != 1 {
		t.Errorf("the parts read back as %v, %v", mfs, err)
	}
}

// A duplicate series is left out and reported; the rest of the set is still written.
func TestTextSetKeepsTheRestOfADuplicate(t *testing.T) {
	s := newTextSet(nil)
	d := newTextDesc("nbu_x", "x", "name")
	s.gauge(d, 1, "a")
	s.gauge(d, 2, "a")
	s.gauge(descUp, 1)
	b, err := s.encode()
	if err == nil || !strings.Contains(string(b.text), `nbu_x{name="a"} 1`) || strings.Contains(string(b.text), `nbu_x{name="a"} 2`) || !strings.Contains(string(b.text), "nbu_up 1") {
		t.Errorf("err %v, text\n%s", err, b.text)
	}
}

// Desc is the client library's descriptor of the same family, for the reference.
func (d *textDesc) Desc() *prometheus.Desc { return prometheus.NewDesc(d.name, d.help, d.labels, nil) }

// constMetrics is the reference: const metrics gathered by a registry and encoded by expfmt.
type constMetrics struct{ metrics []prometheus.Metric }

func (c *constMetrics) add(m prometheus.Metric)          { c.metrics = append(c.metrics, m) }
func (c *constMetrics) Describe(chan<- *prometheus.Desc) {}
func (c *constMetrics) Collect(ch chan<- prometheus.Metric) {
	for _, m := range c.metrics {
		ch <- m
	}
}

func (c *constMetrics) encode() (*encodedBlock, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if err != nil {
		return nil, err
	}
	markReservedUntyped(mfs)
	return encodeFamilies(mfs)
}

// markReservedUntyped is what the exporter did before it wrote its text itself: gauges with a
// suffix reserved for histograms and summaries become untyped.
func markReservedUntyped(mfs []*dto.MetricFamily) {
	for _, mf := range mfs {
		if mf.GetType() != dto.MetricType_GAUGE || !hasReservedSuffix(mf.GetName()) {
			continue
		}
		mf.Type = dto.MetricType_UNTYPED.Enum()
		for _, m := range mf.Metric {
			m.Untyped, m.Gauge = &dto.Untyped{Value: m.Gauge.Value}, nil
		}
	}
}

// encodeFamilies encodes gathered families into one block, with expfmt.
func encodeFamilies(mfs []*dto.MetricFamily) (*encodedBlock, error) {
	var buf bytes.Buffer
	names := make([]string, len(mfs))
	for i, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
			return nil, fmt.Errorf("encoding %s: %w", mf.GetName(), err)
		}
		names[i] = mf.GetName()
	}
	slices.Sort(names)
	return newEncodedBlock(names, buf.Bytes()), nil
}

// A series with too few label values is a bug: reported, not written, the rest still is.
func TestTextSetReportsAWrongLabelCount(t *testing.T) {
	s := newTextSet(nil)
	s.gauge(newTextDesc("nbu_x", "x", "a", "b"), 1, "only one")
	s.gauge(descUp, 1)
	b, err := s.encode()
	if err == nil || strings.Contains(string(b.text), "only one") || !strings.Contains(string(b.text), "nbu_up 1") {
		t.Errorf("err %v, text\n%s", err, b.text)
	}
}
