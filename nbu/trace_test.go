package nbu

import (
	"net/http"
	"sync/atomic"
	"testing"
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
