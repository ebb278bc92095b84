//go:build e2e && prom3

package e2e

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// families are the metric families of a probe's answer, by name, with their type.
type families map[string]dto.MetricType

// parseSeries parses a text exposition with expfmt and returns every series it holds, by
// seriesKey, as Prometheus stores them: a histogram's _bucket (the +Inf one included), _sum and
// _count, a summary's quantiles, _sum and _count. A series given twice is an error.
func parseSeries(text string) (map[string]float64, families, error) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := parser.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		return nil, nil, err
	}
	out := map[string]float64{}
	fams := families{}
	var dup []string
	add := func(name string, labels map[string]string, v float64) {
		key := seriesKey(name, labels)
		if _, ok := out[key]; ok {
			dup = append(dup, key)
		}
		out[key] = v
	}
	for name, mf := range mfs {
		fams[name] = mf.GetType()
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, lp := range m.GetLabel() {
				labels[lp.GetName()] = lp.GetValue()
			}
			addMetric(add, name, mf.GetType(), labels, m)
		}
	}
	if len(dup) > 0 {
		return nil, nil, fmt.Errorf("series given twice: %q", dup)
	}
	return out, fams, nil
}

// addMetric adds the series of one metric of a family.
func addMetric(add func(string, map[string]string, float64), name string, typ dto.MetricType, labels map[string]string, m *dto.Metric) {
	with := func(k, v string) map[string]string {
		l := map[string]string{k: v}
		for lk, lv := range labels {
			l[lk] = lv
		}
		return l
	}
	switch typ {
	case dto.MetricType_COUNTER:
		add(name, labels, m.GetCounter().GetValue())
	case dto.MetricType_GAUGE:
		add(name, labels, m.GetGauge().GetValue())
	case dto.MetricType_HISTOGRAM:
		h := m.GetHistogram()
		inf := false
		for _, b := range h.GetBucket() {
			inf = inf || math.IsInf(b.GetUpperBound(), 1)
			add(name+"_bucket", with("le", formatBound(b.GetUpperBound())), float64(b.GetCumulativeCount()))
		}
		if !inf {
			add(name+"_bucket", with("le", "+Inf"), float64(h.GetSampleCount()))
		}
		add(name+"_sum", labels, h.GetSampleSum())
		add(name+"_count", labels, float64(h.GetSampleCount()))
	case dto.MetricType_SUMMARY:
		s := m.GetSummary()
		for _, q := range s.GetQuantile() {
			add(name, with("quantile", formatBound(q.GetQuantile())), q.GetValue())
		}
		add(name+"_sum", labels, s.GetSampleSum())
		add(name+"_count", labels, float64(s.GetSampleCount()))
	default:
		add(name, labels, m.GetUntyped().GetValue())
	}
}

// formatBound writes an le or quantile value one way, whichever way the exposition wrote it
// (Prometheus 3 stores "1" as "1.0").
func formatBound(f float64) string {
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// seriesKey identifies a series by name and labels, le and quantile written by formatBound. A
// label with an empty value is left out: to Prometheus it is no label at all.
func seriesKey(name string, labels map[string]string) string {
	pairs := make([]string, 0, len(labels))
	for k, v := range labels {
		if v == "" {
			continue
		}
		if k == "le" || k == "quantile" {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				v = formatBound(f)
			}
		}
		pairs = append(pairs, fmt.Sprintf("%s=%q", k, v))
	}
	slices.Sort(pairs)
	return name + "{" + strings.Join(pairs, ",") + "}"
}

// probeKey maps a stored series to the key of the probe's text answer, for what OpenMetrics
// writes otherwise: a counter's samples always end in _total (a counter named without it is
// stored with it), and a counter, histogram or summary may carry its created time as a _created
// series, which the text format has no place for (reported false: not compared).
func (f families) probeKey(key string) (string, bool) {
	name, rest, _ := strings.Cut(key, "{")
	if base, ok := strings.CutSuffix(name, "_created"); ok {
		if _, isFamily := f[name]; !isFamily {
			for _, fam := range []string{base, base + "_total"} {
				if t, ok := f[fam]; ok && t != dto.MetricType_GAUGE && t != dto.MetricType_UNTYPED {
					return "", false
				}
			}
		}
	}
	if base, ok := strings.CutSuffix(name, "_total"); ok {
		if t, ok := f[base]; ok && t == dto.MetricType_COUNTER && f.absent(name) {
			name = base
		}
	}
	return name + "{" + rest, true
}

func (f families) absent(name string) bool {
	_, ok := f[name]
	return !ok
}
