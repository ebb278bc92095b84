package prober

import (
	"sync/atomic"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// descSSLEarliestCertExpiry is blackbox_exporter's metric, same name and meaning, so alerts
// written for it work here: the NetBackup web-service certificate expiring stops every API client.
var descSSLEarliestCertExpiry = newDesc("probe_ssl_earliest_cert_expiry",
	"Earliest NotAfter (Unix seconds) of the certificate chain the NetBackup primary presented on the connections this probe used.")

// reportCertExpiry writes probe_ssl_earliest_cert_expiry from what this probe's requests saw.
// A probe that sent no request (every collector served from its cache, the API version known)
// reports the chain its session's connections last presented, remembered in last: the metric is
// on every probe, as in blackbox_exporter, and that chain is the one the pooled connection still
// carries. It is absent only when no request of the session has gone over TLS (http:// targets).
func reportCertExpiry(out *metricSet, trace *nbu.Trace, last *atomic.Int64) {
	if t, ok := trace.EarliestCertExpiry(); ok {
		last.Store(t.Unix())
	}
	if v := last.Load(); v != 0 {
		out.gauge(descSSLEarliestCertExpiry, float64(v))
	}
}
