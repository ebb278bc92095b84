package prober

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// A primary answering random statuses does not mint a permanent code label value for each on
// /metrics: the statuses NetBackup does not document fold into their class or "other".
func TestRequestCodesBounded(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code := 200 + rng.IntN(800) // net/http refuses to write statuses outside 100-999
		w.WriteHeader(code)
	}))
	t.Cleanup(srv.Close)
	reg := prometheus.NewRegistry()
	m := NewExporterMetrics(reg)
	c, err := nbu.NewClient(nbu.Options{BaseURL: srv.URL + "/netbackup", APIKey: "key-5d0e7c3a19", APIVersion: "13.0",
		MaxTries: 1, OnRequest: m.ObserveRequest})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	for range 1500 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, _ = c.Check(ctx)
		cancel()
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	for _, mf := range mfs {
		if mf.GetName() != "netbackup_exporter_netbackup_requests_total" {
			continue
		}
		for _, s := range mf.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == "code" {
					codes[l.GetValue()] = true
				}
			}
		}
	}
	if len(codes) == 0 || len(codes) > 32 {
		t.Errorf("%d code label values after 1500 random statuses: %v", len(codes), codes)
	}
	for _, want := range []string{"200", "404", "2xx", "5xx", "other"} {
		if !codes[want] {
			t.Errorf("no code %q among %v", want, codes)
		}
	}
}
