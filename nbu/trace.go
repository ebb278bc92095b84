package nbu

import (
	"context"
	"sync/atomic"
)

// Trace counts the HTTP requests made on behalf of one caller (one probe): the client is shared by
// every probe of a target, so per-probe figures cannot come from the client itself.
type Trace struct {
	requests atomic.Int64
	answered atomic.Int64
}

// Requests is the number of HTTP attempts made, retries included.
func (t *Trace) Requests() int64 { return t.requests.Load() }

// Answered is the number of attempts NetBackup answered with a 2xx status: each proves that the
// server accepted the API key.
func (t *Trace) Answered() int64 { return t.answered.Load() }

type traceKey struct{}

// ContextWithTrace makes the client count the requests made under ctx into t, as well as into
// the traces ctx already carries: a probe counts all its requests, each collector its own.
func ContextWithTrace(ctx context.Context, t *Trace) context.Context {
	outer, _ := ctx.Value(traceKey{}).([]*Trace)
	return context.WithValue(ctx, traceKey{}, append(outer[:len(outer):len(outer)], t))
}

// observeTrace records one attempt and its status code (0 when no response came).
func observeTrace(ctx context.Context, code int) {
	traces, _ := ctx.Value(traceKey{}).([]*Trace)
	for _, t := range traces {
		t.requests.Add(1)
		if code >= 200 && code < 300 {
			t.answered.Add(1)
		}
	}
}
