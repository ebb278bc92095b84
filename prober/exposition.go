package prober

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// untypedReserved serves the gauges whose names end in a suffix Prometheus reserves for histogram
// and summary series (_count, _sum, _bucket) as untyped. The names are kept from nbu_exporter so
// that its dashboards keep working (nbu_jobs_count, nbu_status_count...), and an untyped sample
// queries exactly like a gauge, but typed as gauges they break the exposition-format rules that
// `promtool check metrics` enforces.
type untypedReserved struct{ prometheus.Gatherer }

func (g untypedReserved) Gather() ([]*dto.MetricFamily, error) {
	mfs, err := g.Gatherer.Gather()
	markReservedUntyped(mfs)
	return mfs, err
}

func markReservedUntyped(mfs []*dto.MetricFamily) {
	for _, mf := range mfs {
		if mf.GetType() != dto.MetricType_GAUGE || !hasReservedSuffix(mf.GetName()) {
			continue
		}
		mf.Type = dto.MetricType_UNTYPED.Enum()
		for _, m := range mf.Metric {
			if m.Gauge != nil {
				m.Untyped = &dto.Untyped{Value: m.Gauge.Value}
				m.Gauge = nil
			}
		}
	}
}

func hasReservedSuffix(name string) bool {
	return strings.HasSuffix(name, "_count") || strings.HasSuffix(name, "_sum") || strings.HasSuffix(name, "_bucket")
}

// probeGatherer serves a probe's families: those of its registry (built for this probe) and the
// encoded blocks collectors reuse while nothing changes, for the formats serveText does not write
// (and the debug page). Should a name be in both, Gatherers merges.
type probeGatherer struct {
	registry prometheus.Gatherer
	reused   *metricSet
}

func (g probeGatherer) Gather() ([]*dto.MetricFamily, error) {
	fresh, err := g.registry.Gather()
	reused, rerr := g.reused.Gather()
	if rerr != nil {
		return fresh, errors.Join(err, rerr)
	}
	if len(reused) == 0 {
		return fresh, err
	}
	names := make(map[string]bool, len(fresh)+len(reused))
	for _, mf := range fresh {
		names[mf.GetName()] = true
	}
	for _, mf := range reused {
		if names[mf.GetName()] {
			return prometheus.Gatherers{g.registry, g.reused}.Gather()
		}
		names[mf.GetName()] = true
	}
	all := append(fresh, reused...)
	slices.SortFunc(all, func(a, b *dto.MetricFamily) int { return strings.Compare(a.GetName(), b.GetName()) })
	return all, err
}

// encodedBlock is families encoded once in the text format, to be served by every probe that
// finds them unchanged: a TTL-cached collector's series, the job series of a state that did not
// change. Its gzip member and its protobuf families are made when first asked for: a block served
// once (the job series of a master where jobs end between every probe) is compressed as part of
// the answer, never on its own, and the families are only needed for other formats. A gzip stream
// may be a series of members (RFC 1952), which Go's reader (and so Prometheus's) reads as one.
type encodedBlock struct {
	names []string // the families it holds, sorted
	text  []byte

	gzOnce sync.Once
	gz     []byte
	gzErr  error

	mfOnce sync.Once
	mfs    []*dto.MetricFamily
	mfErr  error
}

func newEncodedBlock(names []string, text []byte) *encodedBlock {
	return &encodedBlock{names: names, text: text}
}

// gzipped is the block as one gzip member, compressed once.
func (b *encodedBlock) gzipped() ([]byte, error) {
	b.gzOnce.Do(func() { b.gz, b.gzErr = gzipMember(b.text) })
	return b.gz, b.gzErr
}

// families reads the block back into protobuf families, once.
func (b *encodedBlock) families() ([]*dto.MetricFamily, error) {
	b.mfOnce.Do(func() {
		parser := expfmt.NewTextParser(model.UTF8Validation)
		byName, err := parser.TextToMetricFamilies(bytes.NewReader(b.text))
		if err != nil {
			b.mfErr = fmt.Errorf("reading back the encoded families %v: %w", b.names, err)
			return
		}
		for _, name := range b.names {
			if mf := byName[name]; mf != nil {
				b.mfs = append(b.mfs, mf)
			}
		}
	})
	return b.mfs, b.mfErr
}

// gzipWriters are reused: a gzip writer allocates its compressor's tables, about a megabyte.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return zw
}}

// storeBelow: text shorter than this (a probe's own few series between the encoded blocks) goes
// into its gzip member as it is. Compressing a few kilobytes saves a few kilobytes on the wire
// and costs a Huffman table each time, which at a thousand targets was a tenth of the CPU.
const storeBelow = 16 << 10

func gzipMember(b []byte) ([]byte, error) {
	if len(b) < storeBelow {
		return storedGzipMember(b), nil
	}
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// storedGzipMember wraps b in a gzip member (RFC 1952) of stored deflate blocks (RFC 1951,
// 3.2.4), written here because the library's writer, even at NoCompression, allocates its
// compressor's 700 KB of tables.
func storedGzipMember(b []byte) []byte {
	const maxStored = 1<<16 - 1
	out := make([]byte, 0, 10+len(b)+5*(len(b)/maxStored+1)+8)
	// Magic, deflate, no flags, no time, no extra flags, OS unknown: what gzip.Writer writes.
	out = append(out, 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255)
	rest := b
	for {
		n := min(len(rest), maxStored)
		final := byte(0)
		if n == len(rest) {
			final = 1 // BFINAL, BTYPE 00 (stored)
		}
		out = append(out, final, byte(n), byte(n>>8), ^byte(n), ^byte(n>>8))
		out, rest = append(out, rest[:n]...), rest[n:]
		if final == 1 {
			break
		}
	}
	out = binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(b))
	return binary.LittleEndian.AppendUint32(out, uint32(len(b)))
}

// serveText answers in the text format when Prometheus asks for it (the default: promhttp offers
// OpenMetrics only when enabled, which this exporter does not): the registry's fresh families and
// the encoded blocks as they are. The text format does not order families, it only wants each one
// whole and once. It reports false, having written nothing, when it cannot (another
// format, or a family name in two parts, which must be merged): then promhttp answers.
func serveText(w http.ResponseWriter, r *http.Request, registry prometheus.Gatherer, out *metricSet, logger log.Logger) bool {
	format := expfmt.Negotiate(r.Header)
	if format.FormatType() != expfmt.TypeTextPlain {
		return false
	}
	reused, err := out.parts()
	if err != nil { // what could not be encoded is left out, as promhttp leaves it out
		level.Error(logger).Log("msg", "encoding probe metrics", "err", err)
	}
	fresh, err := registry.Gather()
	if err != nil {
		level.Error(logger).Log("msg", "gathering probe metrics", "err", err)
	}
	names := make(map[string]bool, len(fresh))
	for _, mf := range fresh {
		names[mf.GetName()] = true
	}
	for _, b := range reused {
		for _, name := range b.names {
			if names[name] {
				return false
			}
			names[name] = true
		}
	}
	gz := acceptsGzip(r)
	w.Header().Set("Content-Type", string(format))
	if gz {
		w.Header().Set("Content-Encoding", "gzip")
	}
	if err := writeAnswer(w, gz, orderParts(fresh, reused), logger); err != nil {
		level.Debug(logger).Log("msg", "writing the answer", "err", err)
	}
	return true
}

// answerPart is a fresh family or an encoded block, in the answer's order.
type answerPart struct {
	name  string
	fresh *dto.MetricFamily
	block *encodedBlock
}

// orderParts orders the parts by (first) name: families stay in name order, but for those of a
// block, which are served together.
func orderParts(fresh []*dto.MetricFamily, blocks []*encodedBlock) []answerPart {
	parts := make([]answerPart, 0, len(fresh)+len(blocks))
	for _, mf := range fresh {
		parts = append(parts, answerPart{name: mf.GetName(), fresh: mf})
	}
	for _, b := range blocks {
		if len(b.names) > 0 {
			parts = append(parts, answerPart{name: b.names[0], block: b})
		}
	}
	slices.SortFunc(parts, func(a, b answerPart) int { return strings.Compare(a.name, b.name) })
	return parts
}

// writeAnswer writes the parts: consecutive fresh families encoded together (one gzip member when
// gz), each block as it is (its own member).
func writeAnswer(w io.Writer, gz bool, parts []answerPart, logger log.Logger) error {
	var pending bytes.Buffer
	flush := func() error {
		if pending.Len() == 0 {
			return nil
		}
		b := pending.Bytes()
		if gz {
			var err error
			if b, err = gzipMember(b); err != nil {
				return err
			}
		}
		pending.Reset()
		_, err := w.Write(b)
		return err
	}
	for _, p := range parts {
		if p.fresh != nil {
			if _, err := expfmt.MetricFamilyToText(&pending, p.fresh); err != nil {
				level.Error(logger).Log("msg", "encoding probe metrics", "family", p.name, "err", err)
			}
			continue
		}
		if err := flush(); err != nil {
			return err
		}
		b := p.block.text
		if gz {
			var err error
			if b, err = p.block.gzipped(); err != nil {
				return err
			}
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return flush()
}

// acceptsGzip reads Accept-Encoding: gzip, unless with q=0.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			continue
		}
		q := 1.0
		if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.TrimSpace(k) == "q" {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				q = f
			}
		}
		return q > 0
	}
	return false
}
