package prober

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// metricSet collects the const metrics a probe builds from NetBackup data, from several collector
// goroutines, and hands them to the probe's fresh registry. It describes nothing (an unchecked
// collector) because its label sets depend on the data.
type metricSet struct {
	mu      sync.Mutex
	metrics []prometheus.Metric
}

func (s *metricSet) add(m ...prometheus.Metric) {
	s.mu.Lock()
	s.metrics = append(s.metrics, m...)
	s.mu.Unlock()
}

func (s *metricSet) gauge(d *prometheus.Desc, v float64, labels ...string) {
	s.add(prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...))
}

func (s *metricSet) counter(d *prometheus.Desc, v float64, labels ...string) {
	s.add(prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...))
}

func (s *metricSet) Describe(chan<- *prometheus.Desc) {}

func (s *metricSet) Collect(ch chan<- prometheus.Metric) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.metrics {
		ch <- m
	}
}
