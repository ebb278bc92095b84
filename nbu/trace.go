package nbu

import (
	"context"
	"crypto/tls"
	"sync/atomic"
	"time"
)

// Trace counts the HTTP requests made on behalf of one caller (one probe): the client is shared by
// every probe of a target, so per-probe figures cannot come from the client itself.
type Trace struct {
	requests atomic.Int64
	answered atomic.Int64
	// certExpiry is the earliest NotAfter (Unix seconds: nanoseconds overflow for the year-9999
	// NotAfter some CAs use) of the peer certificate chains seen on the connections this caller's
	// requests used; 0 = no TLS connection seen.
	certExpiry atomic.Int64
	lastTLS    atomic.Pointer[tls.ConnectionState] // LastTLS
}

// Requests is the number of HTTP attempts made, retries included.
func (t *Trace) Requests() int64 { return t.requests.Load() }

// LastTLS is the TLS state of the connection the latest traced request used (nil when none went
// over TLS): the certificate the primary presents now, and the protocol version it agreed.
func (t *Trace) LastTLS() *tls.ConnectionState { return t.lastTLS.Load() }

// Answered is the number of attempts NetBackup answered with a 2xx status: each proves that the
// server accepted the API key.
func (t *Trace) Answered() int64 { return t.answered.Load() }

// EarliestCertExpiry is the earliest NotAfter among the peer certificates of every TLS connection
// the traced requests used (blackbox_exporter's probe_ssl_earliest_cert_expiry); ok is false when
// no request went over TLS. Taken per request, not per client: a probe must report the chain of
// the connection it used, and a long-lived client may meet a renewed certificate at any time.
func (t *Trace) EarliestCertExpiry() (time.Time, bool) {
	s := t.certExpiry.Load()
	if s == 0 {
		return time.Time{}, false
	}
	return time.Unix(s, 0).UTC(), true
}

type traceKey struct{}

// ContextWithTrace makes the client count the requests made under ctx into t, as well as into
// the traces ctx already carries: a probe counts all its requests, each collector its own.
func ContextWithTrace(ctx context.Context, t *Trace) context.Context {
	outer, _ := ctx.Value(traceKey{}).([]*Trace)
	return context.WithValue(ctx, traceKey{}, append(outer[:len(outer):len(outer)], t))
}

// observeTrace records one attempt, its status code (0 when no response came) and the TLS state of
// the connection it used (nil for plain HTTP or no response).
func observeTrace(ctx context.Context, code int, cs *tls.ConnectionState) {
	traces, _ := ctx.Value(traceKey{}).([]*Trace)
	for _, t := range traces {
		t.requests.Add(1)
		if code >= 200 && code < 300 {
			t.answered.Add(1)
		}
		if cs != nil {
			t.observeChain(cs)
		}
	}
}

func (t *Trace) observeChain(cs *tls.ConnectionState) {
	t.lastTLS.Store(cs)
	for _, c := range cs.PeerCertificates {
		s := c.NotAfter.Unix()
		for {
			cur := t.certExpiry.Load()
			if (cur != 0 && cur <= s) || t.certExpiry.CompareAndSwap(cur, s) {
				break
			}
		}
	}
}
