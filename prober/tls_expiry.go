package prober

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// descSSLEarliestCertExpiry is blackbox_exporter's metric, same name and meaning, so alerts
// written for it work here: the NetBackup web-service certificate expiring stops every API client.
var descSSLEarliestCertExpiry = prometheus.NewDesc("probe_ssl_earliest_cert_expiry",
	"Earliest NotAfter (Unix seconds) of the certificate chain the NetBackup primary presented on the connections this probe used.",
	nil, nil)

// reportCertExpiry writes probe_ssl_earliest_cert_expiry from what this probe's requests saw. It is
// absent when the probe sent no request over TLS (an http:// target, or every collector served
// from its cache with the API version known): there was no connection to read a chain from.
func reportCertExpiry(out *metricSet, trace *nbu.Trace) {
	if t, ok := trace.EarliestCertExpiry(); ok {
		out.gauge(descSSLEarliestCertExpiry, float64(t.Unix()))
	}
}
