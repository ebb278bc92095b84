package prober

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/netbackup-exporter/netbackup_exporter/internal/redact"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// blackbox_exporter's TLS series of its http prober, same names, help and labels, so that its
// users' alerts and dashboards work here: of the connection the probe's latest NetBackup request
// used (the web-service certificate of the primary).
var (
	descSSLLastChainExpiry = newDesc("probe_ssl_last_chain_expiry_timestamp_seconds",
		"Returns last SSL chain expiry in timestamp")
	descSSLLastChainInfo = newDesc("probe_ssl_last_chain_info",
		"Contains SSL leaf certificate information",
		"fingerprint_sha256", "subject", "issuer", "subjectalternative", "serialnumber")
	descTLSVersionInfo = newDesc("probe_tls_version_info",
		"Returns the TLS version used or NaN when unknown", "version")
)

// tlsSeen is what a session's connections last showed of TLS, for its probes that send no request
// (every collector served from its cache): the chain a pooled connection carries is still the one
// it presented.
type tlsSeen struct {
	earliestExpiry atomic.Int64 // earliest NotAfter (Unix seconds) of the last chain; 0 = none yet
	last           atomic.Pointer[tlsInfo]
}

// tlsInfo is blackbox_exporter's view of one TLS connection.
type tlsInfo struct {
	version string
	// lastChainExpiry is, of the chains the client verified, the latest of each chain's earliest
	// NotAfter (Unix seconds); absent when it verified none (insecure_skip_verify).
	lastChainExpiry                                *int64
	hasLeaf                                        bool
	fingerprint, subject, issuer, dnsNames, serial string
}

// tlsInfoOf reads a connection's state as blackbox_exporter's prober/tls.go does.
func tlsInfoOf(cs *tls.ConnectionState) *tlsInfo {
	info := &tlsInfo{version: tlsVersionName(cs.Version)}
	if len(cs.PeerCertificates) > 0 {
		leaf := cs.PeerCertificates[0]
		sum := sha256.Sum256(leaf.Raw)
		info.hasLeaf = true
		info.fingerprint = hex.EncodeToString(sum[:])
		info.subject = certLabel(leaf.Subject.String())
		info.issuer = certLabel(leaf.Issuer.String())
		info.dnsNames = certLabel(strings.Join(leaf.DNSNames, ","))
		// The bytes, not SerialNumber.Text(16), which drops leading zeros.
		info.serial = fmt.Sprintf("%x", leaf.SerialNumber.Bytes())
	}
	var last time.Time
	for _, chain := range cs.VerifiedChains {
		var earliest time.Time
		for _, c := range chain {
			if !c.NotAfter.IsZero() && (earliest.IsZero() || c.NotAfter.Before(earliest)) {
				earliest = c.NotAfter
			}
		}
		if last.IsZero() || last.Before(earliest) {
			last = earliest
		}
	}
	if !last.IsZero() {
		s := last.Unix()
		info.lastChainExpiry = &s
	}
	return info
}

// certLabel is a certificate's text as a label value may be: what the primary sends is cut to the
// bound of every label value, and valid UTF-8.
func certLabel(v string) string {
	if !utf8.ValidString(v) {
		v = strings.ToValidUTF8(v, "\uFFFD")
	}
	return redact.CutUTF8(v, maxLabelValueBytes)
}

func tlsVersionName(v uint16) string {
	switch v {
	case tls.VersionTLS10, tls.VersionTLS11, tls.VersionTLS12, tls.VersionTLS13:
		return tls.VersionName(v) // "TLS 1.2", as blackbox_exporter names them
	}
	return "unknown"
}

// report writes the connection's series.
func (i *tlsInfo) report(out *metricSet) {
	out.gauge(descTLSVersionInfo, 1, i.version)
	if i.lastChainExpiry != nil {
		out.gauge(descSSLLastChainExpiry, float64(*i.lastChainExpiry))
	}
	if i.hasLeaf {
		out.gauge(descSSLLastChainInfo, 1, i.fingerprint, i.subject, i.issuer, i.dnsNames, i.serial)
	}
}

// descSSLEarliestCertExpiry is blackbox_exporter's metric, same name and meaning, so alerts
// written for it work here: the NetBackup web-service certificate expiring stops every API client.
var descSSLEarliestCertExpiry = newDesc("probe_ssl_earliest_cert_expiry",
	"Earliest NotAfter (Unix seconds) of the certificate chain the NetBackup primary presented on the connections this probe used.")

// reportTLS writes probe_ssl_earliest_cert_expiry and the TLS details of the primary
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
