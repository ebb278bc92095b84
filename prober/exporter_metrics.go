package prober

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// ExporterMetrics are the exporter's own metrics, served on /metrics (not on /probe).
type ExporterMetrics struct {
	probes          *prometheus.CounterVec
	probeDuration   *prometheus.HistogramVec
	rejected        *prometheus.CounterVec
	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec
}

// NewExporterMetrics registers the exporter's own metrics on reg.
func NewExporterMetrics(reg prometheus.Registerer) *ExporterMetrics {
	m := &ExporterMetrics{
		probes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "netbackup_exporter_probes_total",
			Help: "Probes run, by module and result (success or failure).",
		}, []string{"module", "result"}),
		probeDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "netbackup_exporter_probe_duration_seconds",
			Help:    "How long probes took, by module.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 20, 30, 60},
		}, []string{"module"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "netbackup_exporter_probe_requests_rejected_total",
			Help: "/probe requests answered with an HTTP error before any probe ran, by reason.",
		}, []string{"reason"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "netbackup_exporter_netbackup_requests_total",
			Help: `HTTP requests sent to NetBackup, by API endpoint and HTTP status code (code="0": no response; a status NetBackup does not document is counted as its class, e.g. "5xx", or "other").`,
		}, []string{"endpoint", "code"}),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "netbackup_exporter_netbackup_request_duration_seconds",
			Help:    "Duration of HTTP requests sent to NetBackup, by API endpoint.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"endpoint"}),
	}
	reg.MustRegister(m.probes, m.probeDuration, m.rejected, m.requests, m.requestDuration)
	for _, reason := range rejectReasons {
		m.rejected.WithLabelValues(reason)
	}
	return m
}

// Reasons a /probe request is turned away; pre-created so that rate() works from the first one.
const (
	rejectBadRequest     = "bad_request"
	rejectUnknownModule  = "unknown_module"
	rejectTargetNotAllow = "target_not_allowed"
)

var rejectReasons = []string{rejectBadRequest, rejectUnknownModule, rejectTargetNotAllow}

// ObserveRequest records one NetBackup HTTP request (the nbu client's OnRequest hook).
func (m *ExporterMetrics) ObserveRequest(endpoint string, code int, d time.Duration) {
	m.requests.WithLabelValues(endpoint, nbu.StatusCodeLabel(code)).Inc()
	m.requestDuration.WithLabelValues(endpoint).Observe(d.Seconds())
}

func (m *ExporterMetrics) probeDone(module string, success bool, d time.Duration) {
	result := "failure"
	if success {
		result = "success"
	}
	m.probes.WithLabelValues(module, result).Inc()
	m.probeDuration.WithLabelValues(module).Observe(d.Seconds())
}

func (m *ExporterMetrics) reject(reason string) { m.rejected.WithLabelValues(reason).Inc() }
