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
