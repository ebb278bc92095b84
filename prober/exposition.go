package prober

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	"github.com/prometheus/common/expfmt"

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
// pre-gathered ones a collector reuses while nothing changes. Those were validated and sorted when
// they were gathered; going through prometheus.Gatherers would validate every series again on
// every probe, which on a large master costs more than the whole rest of a steady-state probe.
// The two sets have distinct names by construction; should they ever collide, Gatherers merges.
type probeGatherer struct {
	registry prometheus.Gatherer
	reused   *metricSet
}

func (g probeGatherer) Gather() ([]*dto.MetricFamily, error) {
	fresh, err := g.registry.Gather()
	reused, _ := g.reused.Gather()
	if len(reused) == 0 {
		return fresh, err
	}
	names := make(map[string]bool, len(fresh))
	for _, mf := range fresh {
		names[mf.GetName()] = true
	}
	for _, mf := range reused {
		if names[mf.GetName()] {
			return prometheus.Gatherers{g.registry, g.reused}.Gather()
		}
	}
	all := append(fresh, reused...)
	slices.SortFunc(all, func(a, b *dto.MetricFamily) int { return strings.Compare(a.GetName(), b.GetName()) })
	return all, err
}

// encodedFamily is a family gathered once, with its text exposition, plain and as a gzip member,
// so that probes serving it unchanged do not encode and compress it again. A gzip stream may be
// a series of members (RFC 1952), which Go's reader (and so Prometheus's) reads as one.
type encodedFamily struct {
	mf   *dto.MetricFamily
	text []byte
	gz   []byte
}

func encodeFamilies(mfs []*dto.MetricFamily) ([]*encodedFamily, error) {
	out := make([]*encodedFamily, len(mfs))
	for i, mf := range mfs {
		var buf bytes.Buffer
		if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
			return nil, fmt.Errorf("encoding %s: %w", mf.GetName(), err)
		}
		gz, err := gzipMember(buf.Bytes())
		if err != nil {
			return nil, err
		}
		out[i] = &encodedFamily{mf: mf, text: buf.Bytes(), gz: gz}
	}
	return out, nil
}

// gzipWriters are reused: a gzip writer allocates its compressor's tables, about a megabyte.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return zw
}}

func gzipMember(b []byte) ([]byte, error) {
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

// serveText answers in the text format when Prometheus asks for it (the default: promhttp offers
// OpenMetrics only when enabled, which this exporter does not), reusing the encoded families.
// It reports false, having written nothing, when it cannot: then promhttp answers.
func serveText(w http.ResponseWriter, r *http.Request, registry prometheus.Gatherer, reused []*encodedFamily, logger log.Logger) bool {
	format := expfmt.Negotiate(r.Header)
	if len(reused) == 0 || format.FormatType() != expfmt.TypeTextPlain {
		return false
	}
	fresh, err := registry.Gather()
	if err != nil {
		level.Error(logger).Log("msg", "gathering probe metrics", "err", err)
	}
	names := make(map[string]bool, len(fresh))
	for _, mf := range fresh {
		names[mf.GetName()] = true
	}
	parts := make([]*encodedFamily, 0, len(fresh)+len(reused))
	for _, mf := range fresh {
		parts = append(parts, &encodedFamily{mf: mf})
	}
	for _, f := range reused {
		if names[f.mf.GetName()] {
			return false
		}
		parts = append(parts, f)
	}
	slices.SortFunc(parts, func(a, b *encodedFamily) int { return strings.Compare(a.mf.GetName(), b.mf.GetName()) })

	gz := acceptsGzip(r)
	w.Header().Set("Content-Type", string(format))
	if gz {
		w.Header().Set("Content-Encoding", "gzip")
	}
	// Fresh families (few, small) are encoded together into one member between reused ones.
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
		if p.text == nil {
			if _, err := expfmt.MetricFamilyToText(&pending, p.mf); err != nil {
				level.Error(logger).Log("msg", "encoding probe metrics", "family", p.mf.GetName(), "err", err)
			}
			continue
		}
		if err := flush(); err != nil {
			return true
		}
		b := p.text
		if gz {
			b = p.gz
		}
		if _, err := w.Write(b); err != nil {
			return true
		}
	}
	_ = flush()
	return true
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
