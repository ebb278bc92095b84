package prober

import (
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// descSSLEarliestCertExpiry is blackbox_exporter's metric, same name and meaning, so alerts
// written for it work here: the NetBackup web-service certificate expiring stops every API client.
var descSSLEarliestCertExpiry = newDesc("probe_ssl_earliest_cert_expiry",
	"Earliest NotAfter (Unix seconds) of the certificate chain the NetBackup primary presented on the connections this probe used.")

// reportTLS writes probe_ssl_earliest_cert_expiry and the TLS details of the primary (tls_info.go)
// from what this probe's requests saw. A probe that sent no request (every collector served from
// its cache, the API version known) reports what its session's connections last presented,
// remembered in seen: the series are on every probe, as in blackbox_exporter, and that chain is
// the one the pooled connection still carries. They are absent only when no request of the
// session has gone over TLS (http:// targets).
func reportTLS(out *metricSet, trace *nbu.Trace, seen *tlsSeen) {
	if t, ok := trace.EarliestCertExpiry(); ok {
		seen.earliestExpiry.Store(t.Unix())
	}
	if v := seen.earliestExpiry.Load(); v != 0 {
		out.gauge(descSSLEarliestCertExpiry, float64(v))
	}
	if cs := trace.LastTLS(); cs != nil {
		seen.last.Store(tlsInfoOf(cs))
	}
	if info := seen.last.Load(); info != nil {
		info.report(out)
	}
}
