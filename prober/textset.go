package prober

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	dto "github.com/prometheus/client_model/go"
)

// textDesc is a family the text builder writes: the client library's Desc keeps its name, help
// and label names to itself, and the builder needs them to write the exposition.
type textDesc struct {
	name, help string
	labels     []string // label names in the order the values are given
	order      []int    // positions of labels sorted by name: the order the exposition writes them in
	sorted     []string // labels in that order
	inOrder    bool     // labels are sorted already
}

func newTextDesc(name, help string, labels ...string) *textDesc {
	d := &textDesc{name: name, help: help, labels: labels, order: make([]int, len(labels))}
	for i := range d.order {
		d.order[i] = i
	}
	slices.SortFunc(d.order, func(a, b int) int { return strings.Compare(labels[a], labels[b]) })
	for _, i := range d.order {
		d.sorted = append(d.sorted, labels[i])
	}
	d.inOrder = slices.Equal(d.sorted, labels)
	return d
}

// textSet builds the text exposition of families of const series directly, byte for byte as the
// client library writes the same families (by name, label pairs by name, series by label values,
// gauges named like histogram series typed untyped), without const metrics, a registry and
// protobuf families in between. A target whose jobs change between every probe rebuilds its job
// series on every probe: through the client library that was half of a steady probe's CPU.
type textSet struct {
	limits *seriesLimits
	fams   map[string]*textFamily
	err    error // the first series or family written wrong (a bug): reported, the rest written
	// sizeHint: what the text is expected to weigh (the previous encoding's), to grow the buffer
	// once.
	sizeHint int
}

type textFamily struct {
	desc   *textDesc
	kind   dto.MetricType
	series []textSeries
}

type textSeries struct {
	labels []string // values in the order of desc.sorted
	value  float64
	hist   *textHistogram
}

// textHistogram: cumulative counts for the bounds; the +Inf bucket is the count.
type textHistogram struct {
	count  uint64
	sum    float64
	bounds []float64
	cum    []uint64
}

func newTextSet(limits *seriesLimits) *textSet {
	return &textSet{limits: limits, fams: map[string]*textFamily{}}
}

// gauge, counter and histogram add a series; labels (the call's own list) are the set's from then
// on.
func (s *textSet) gauge(d *textDesc, v float64, labels ...string) {
	s.add(d, dto.MetricType_GAUGE, textSeries{value: v}, labels)
}

func (s *textSet) counter(d *textDesc, v float64, labels ...string) {
	s.add(d, dto.MetricType_COUNTER, textSeries{value: v}, labels)
}

// histogram adds a histogram series: cum[i] jobs took at most bounds[i] (bounds ascending).
func (s *textSet) histogram(d *textDesc, count uint64, sum float64, bounds []float64, cum []uint64, labels ...string) {
	s.add(d, dto.MetricType_HISTOGRAM, textSeries{hist: &textHistogram{count: count, sum: sum, bounds: bounds, cum: cum}}, labels)
}

func (s *textSet) add(d *textDesc, kind dto.MetricType, ts textSeries, labels []string) {
	if len(labels) != len(d.labels) {
		if s.err == nil {
			s.err = fmt.Errorf("%s: %d label values for %d labels", d.name, len(labels), len(d.labels))
		}
		return
	}
	if !s.limits.admit(labels) {
		return
	}
	f := s.family(d, kind)
	if f == nil {
		return
	}
	// The values go in label-name order into the caller's slice (its own, made for the call):
	// one allocation a series, not two.
	if !d.inOrder {
		var stack [8]string
		declared := append(stack[:0], labels...)
		for i, j := range d.order {
			labels[i] = declared[j]
		}
	}
	ts.labels = labels
	f.series = append(f.series, ts)
}

// family finds or makes the family of d; nil when its name was written another way (s.err).
func (s *textSet) family(d *textDesc, kind dto.MetricType) *textFamily {
	f := s.fams[d.name]
	if f == nil {
		f = &textFamily{desc: d, kind: kind}
		s.fams[d.name] = f
		return f
	}
	if f.kind != kind || (f.desc != d && (f.desc.help != d.help || !slices.Equal(f.desc.sorted, d.sorted))) {
		if s.err == nil {
			s.err = fmt.Errorf("%s: written as two types or with two descriptions", d.name)
		}
		return nil
	}
	return f
}

// merge adds the series of o (which stays as it is: it may be a cached run's, shared).
func (s *textSet) merge(o *textSet) {
	if o == nil {
		return
	}
	if s.err == nil {
		s.err = o.err
	}
	for _, of := range o.fams {
		if f := s.family(of.desc, of.kind); f != nil {
			f.series = append(f.series, of.series...)
		}
	}
}

// encode writes the families into one block. Two series of a family with the same label values,
// or one name written as two types or two descriptions, are an error, as the registry makes them;
// as with promhttp, the rest is still written (the first of the duplicates is kept).
func (s *textSet) encode() (*encodedBlock, error) {
	return s.encodeWhere(func(string) bool { return true })
}

// encodeWhere encodes the families whose name include accepts.
func (s *textSet) encodeWhere(include func(name string) bool) (*encodedBlock, error) {
	names := make([]string, 0, len(s.fams))
	for name := range s.fams {
		if include(name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var buf bytes.Buffer
	buf.Grow(s.sizeHint + s.sizeHint/8)
	errs := []error{s.err}
	for _, name := range names {
		errs = append(errs, s.fams[name].write(&buf))
	}
	return newEncodedBlock(names, buf.Bytes()), errors.Join(errs...)
}

func (f *textFamily) write(buf *bytes.Buffer) error {
	byLabels := func(a, b textSeries) int { return slices.Compare(a.labels, b.labels) }
	if !slices.IsSortedFunc(f.series, byLabels) { // the job series come sorted
		slices.SortStableFunc(f.series, byLabels) // stable: of two duplicates, the first written stays
	}
	var err error
	f.series = slices.CompactFunc(f.series, func(a, b textSeries) bool {
		if slices.Equal(a.labels, b.labels) {
			err = fmt.Errorf("%s: two series with the label values %q: the second left out", f.desc.name, b.labels)
			return true
		}
		return false
	})
	kind := f.kind
	if kind == dto.MetricType_GAUGE && hasReservedSuffix(f.desc.name) {
		kind = dto.MetricType_UNTYPED
	}
	buf.WriteString("# HELP ")
	buf.WriteString(f.desc.name)
	buf.WriteByte(' ')
	helpEscaper.WriteString(buf, f.desc.help)
	buf.WriteString("\n# TYPE ")
	buf.WriteString(f.desc.name)
	buf.WriteByte(' ')
	buf.WriteString(strings.ToLower(kind.String()))
	buf.WriteByte('\n')
	var labels []byte // a series' label pairs, written once for its lines
	for _, ts := range f.series {
		labels = appendLabelPairs(labels[:0], f.desc.sorted, ts.labels)
		if ts.hist == nil {
			f.sample(buf, "", labels, noBucket, ts.value)
			continue
		}
		h := ts.hist
		for i, ub := range h.bounds {
			f.sample(buf, "_bucket", labels, ub, float64(h.cum[i]))
		}
		f.sample(buf, "_bucket", labels, math.Inf(+1), float64(h.count))
		f.sample(buf, "_sum", labels, noBucket, h.sum)
		f.sample(buf, "_count", labels, noBucket, float64(h.count))
	}
	return err
}

// noBucket: a sample with no le label (NaN is no bucket's bound).
var noBucket = math.NaN()

// sample writes one line: labels are the series' pairs (`{a="x",b="y"`, or nothing), le, unless
// NaN, a histogram bucket's bound, after them.
func (f *textFamily) sample(buf *bytes.Buffer, suffix string, labels []byte, le float64, v float64) {
	buf.WriteString(f.desc.name)
	buf.WriteString(suffix)
	switch {
	case !math.IsNaN(le):
		if len(labels) == 0 {
			buf.WriteString(`{le="`)
		} else {
			buf.Write(labels)
			buf.WriteString(`,le="`)
		}
		appendFloat(buf, le)
		buf.WriteString(`"}`)
	case len(labels) > 0:
		buf.Write(labels)
		buf.WriteByte('}')
	}
	buf.WriteByte(' ')
	appendFloat(buf, v)
	buf.WriteByte('\n')
}

// appendLabelPairs writes `{name="value",...` (no closing brace), values escaped.
func appendLabelPairs(b []byte, names, values []string) []byte {
	for i, name := range names {
		if i == 0 {
			b = append(b, '{')
		} else {
			b = append(b, ',')
		}
		b = append(b, name...)
		b = append(b, '=', '"')
		b = appendLabelValue(b, values[i])
		b = append(b, '"')
	}
	return b
}

func appendLabelValue(b []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c >= utf8.RuneSelf || c == '\\' || c == '"' || c == '\n' {
			return appendLabelValueSlow(b, v)
		}
	}
	return append(b, v...) // plain ASCII, the usual NetBackup name
}

func appendLabelValueSlow(b []byte, v string) []byte {
	if !utf8.ValidString(v) { // the registry would refuse the series; keep it, readable
		v = strings.ToValidUTF8(v, "\uFFFD")
	}
	return append(b, labelEscaper.Replace(v)...)
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

// appendFloat writes a value as the text format does (Go's shortest 'g' form, +Inf, -Inf, NaN).
func appendFloat(buf *bytes.Buffer, f float64) {
	switch {
	case f == 0: // -0 too
		buf.WriteByte('0')
	case math.IsNaN(f):
		buf.WriteString("NaN")
	case math.IsInf(f, +1):
		buf.WriteString("+Inf")
	case math.IsInf(f, -1):
		buf.WriteString("-Inf")
	default:
		buf.Write(strconv.AppendFloat(buf.AvailableBuffer(), f, 'g', -1, 64))
	}
}
