package prober

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// A set built again with a memo reuses each series whose value did not change, the very metric,
// and builds anew the ones that did; what a build did not make again is forgotten.
func TestMemoReusesUnchangedSeries(t *testing.T) {
	d := newDesc("test_gauge", "A gauge.", "name")
	h := newDesc("test_seconds", "A histogram.", "name")
	var memo metricMemo
	build := func(values map[string]float64, hist uint64) map[string]prometheus.Metric {
		s := newMetricSet(0, nil)
		s.memo = &memo
		memo.begin()
		for name, v := range values {
			s.gauge(d, v, name)
		}
		s.histogram(h, hist, float64(hist), []float64{1, 2}, []uint64{0, hist}, "h")
		memo.end()
		out := map[string]prometheus.Metric{}
		for _, m := range s.metrics {
			out[m.Desc().String()+labelValueOf(t, m)] = m
		}
		return out
	}
	first := build(map[string]float64{"a": 1, "b": 2, "c": 3}, 5)
	second := build(map[string]float64{"a": 1, "b": 20}, 5)
	for key, m := range second {
		changed := key == d.desc.String()+"b"
		if (first[key] == m) == changed {
			t.Errorf("%s: reused %v, changed %v", key, first[key] == m, changed)
		}
	}
	if _, ok := memo.last[seriesHash("test_gauge", []string{"c"})]; ok {
		t.Error("a series the last build did not make is still in the memo")
	}
	third := build(map[string]float64{"a": 1}, 6)
	if third[h.desc.String()+"h"] == second[h.desc.String()+"h"] {
		t.Error("a histogram whose count changed was reused")
	}
}

func labelValueOf(t *testing.T, m prometheus.Metric) string {
	t.Helper()
	var out dtoMetric
	if err := m.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.GetLabel()[0].GetValue()
}
