package prober

import (
	"strings"

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
	return mfs, err
}

func hasReservedSuffix(name string) bool {
	return strings.HasSuffix(name, "_count") || strings.HasSuffix(name, "_sum") || strings.HasSuffix(name, "_bucket")
}
