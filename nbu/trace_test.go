package nbu

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestTraceCountsAttemptsPerContext(t *testing.T) {
	var n atomic.Int32
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			writeJSON(w, 503, errorJSON(1, "busy"))
			return
		}
		writeJSON(w, 200, `{"data":[]}`)
	}), nil)
	var tr, other Trace
	if _, err := c.StorageUnits(ContextWithTrace(testCtx(t), &tr), 0); err != nil {
		t.Fatal(err)
	}
	if tr.Requests() != 2 || tr.Answered() != 1 {
		t.Errorf("trace = %d requests, %d answered; want 2, 1", tr.Requests(), tr.Answered())
	}
	if _, err := c.DiskPools(ContextWithTrace(testCtx(t), &other), 0); err != nil {
		t.Fatal(err)
	}
	if tr.Requests() != 2 || other.Requests() != 1 || other.Answered() != 1 {
		t.Errorf("traces leak between contexts: %d, %d/%d", tr.Requests(), other.Requests(), other.Answered())
	}
}

func TestTraceEarliestCertExpiry(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":[]}`)
	}))
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	c, err := NewClient(Options{BaseURL: srv.URL + "/netbackup", APIKey: testKey, APIVersion: "13.0",
		TLSConfig: &tls.Config{RootCAs: pool}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var tr Trace
	if _, err := c.DiskPools(ContextWithTrace(testCtx(t), &tr), 0); err != nil {
		t.Fatal(err)
	}
	got, ok := tr.EarliestCertExpiry()
	if want := srv.Certificate().NotAfter; !ok || got.Unix() != want.Unix() {
		t.Errorf("expiry = %v, %v; want %v", got, ok, want)
	}

	plain, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":[]}`)
	}), nil)
	var tp Trace
	if _, err := plain.DiskPools(ContextWithTrace(testCtx(t), &tp), 0); err != nil {
		t.Fatal(err)
	}
	if _, ok := tp.EarliestCertExpiry(); ok {
		t.Error("plain HTTP reported a certificate expiry")
	}
}

func TestTraceKeepsEarliestOfChain(t *testing.T) {
	var tr Trace
	late, early := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)
	far := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC) // beyond UnixNano's range
	tr.observeChain(&tls.ConnectionState{PeerCertificates: []*x509.Certificate{{NotAfter: late}, {NotAfter: far}}})
	tr.observeChain(&tls.ConnectionState{PeerCertificates: []*x509.Certificate{{NotAfter: early}}})
	tr.observeChain(&tls.ConnectionState{PeerCertificates: []*x509.Certificate{{NotAfter: late}}})
	if got, ok := tr.EarliestCertExpiry(); !ok || !got.Equal(early) {
		t.Errorf("expiry = %v, want %v", got, early)
	}
}

func TestNestedTracesBothCount(t *testing.T) {
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":[]}`)
	}), nil)
	var probe, first, second Trace
	ctx := ContextWithTrace(testCtx(t), &probe)
	if _, err := c.StorageUnits(ContextWithTrace(ctx, &first), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DiskPools(ContextWithTrace(ctx, &second), 0); err != nil {
		t.Fatal(err)
	}
	if probe.Requests() != 2 || first.Requests() != 1 || second.Requests() != 1 {
		t.Errorf("probe %d, first %d, second %d requests; want 2, 1, 1", probe.Requests(), first.Requests(), second.Requests())
	}
}
