package prober

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
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

	dto "github.com/prometheus/client_model/go"
)

// hasReservedSuffix: gauges whose names end in a suffix Prometheus reserves for histogram and
// summary series (_count, _sum, _bucket) are served as untyped. The names are kept from
// nbu_exporter so that its dashboards keep working (nbu_jobs_count, nbu_status_count...), and an
// untyped sample queries exactly like a gauge, but typed as gauges they break the exposition-format
// rules that `promtool check metrics` enforces.
func hasReservedSuffix(name string) bool {
	return strings.HasSuffix(name, "_count") || strings.HasSuffix(name, "_sum") || strings.HasSuffix(name, "_bucket")
}

// encodedBlock is families encoded once in the text format, to be served by every probe that
// finds them unchanged: a TTL-cached collector's series, the job series of a state that did not
// change. Its gzip member and its protobuf families are made when first asked for: a block served
// once (the job series of a master where jobs end between every probe) costs one compression, as
// it would inside the answer, and the families are only needed for other formats. The answer is
// its parts' members end to end: a gzip stream may be a series of members (RFC 1952), which Go's
// reader (and so Prometheus's) reads as one.
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

// Gather serves the block's families: a block is a prometheus.Gatherer.
func (b *encodedBlock) Gather() ([]*dto.MetricFamily, error) { return b.families() }

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
// OpenMetrics only when enabled, which this exporter does not): the loose series encoded now and
// the encoded blocks as they are, ordered by (first) family name, in one write of a known length.
// The text format does not order families, it only wants each one whole and once. It reports
// false, having written nothing, when it cannot (another format, or a family name in two parts,
// which must be merged): then promhttp answers.
func serveText(w http.ResponseWriter, r *http.Request, out *metricSet, logger log.Logger) bool {
	format := expfmt.Negotiate(r.Header)
	if format.FormatType() != expfmt.TypeTextPlain {
		return false
	}
	parts, err := out.parts()
	if err != nil { // what could not be encoded is left out, as promhttp leaves it out
		level.Error(logger).Log("msg", "encoding probe metrics", "err", err)
	}
	names := map[string]bool{}
	for _, b := range parts {
		for _, name := range b.names {
			if names[name] {
				return false
			}
			names[name] = true
		}
	}
	slices.SortFunc(parts, func(a, b *encodedBlock) int { return strings.Compare(firstName(a), firstName(b)) })
	gz := acceptsGzip(r)
	answer, err := joinParts(parts, gz)
	if err != nil {
		level.Error(logger).Log("msg", "compressing the answer", "err", err)
		return false
	}
	w.Header().Set("Content-Type", string(format))
	if gz {
		w.Header().Set("Content-Encoding", "gzip")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(answer)))
	if _, err := w.Write(answer); err != nil {
		level.Debug(logger).Log("msg", "writing the answer", "err", err)
	}
	return true
}

func firstName(b *encodedBlock) string {
	if len(b.names) == 0 {
		return ""
	}
	return b.names[0]
}

// joinParts puts the parts end to end, each as its own gzip member when gz: one buffer, written
// at once, costs one write to the socket instead of one a part.
func joinParts(parts []*encodedBlock, gz bool) ([]byte, error) {
	size := 0
	for _, b := range parts {
		size += len(b.text)
	}
	out := make([]byte, 0, size)
	for _, b := range parts {
		part := b.text
		if len(part) == 0 {
			continue
		}
		if gz {
			var err error
			if part, err = b.gzipped(); err != nil {
				return nil, err
			}
		}
		out = append(out, part...)
	}
	return out, nil
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
