package main

import (
	"net"
	"net/http"
	"path"
	"sync/atomic"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fdlimit"
)

// Defaults of the exporter's own server. A connection and a request in flight each cost a file
// descriptor and memory; past these the exporter sheds load rather than run out of descriptors
// for its connections to NetBackup.
const (
	defaultMaxRequests    = 256
	defaultMaxConnections = 512
	serverIdleTimeout     = 2 * time.Minute
	serverReadTimeout     = 30 * time.Second
	// defaultWriteTimeout bounds writing every answer but those of /probe and /health, which
	// extend it to their own time budget.
	defaultWriteTimeout = time.Minute
)

// connLimiter caps the exporter's open connections: past max a new connection is closed at once,
// and past half of it a connection that goes idle between requests is closed rather than kept
// alive, so that idle keep-alive connections cannot starve the file descriptors.
type connLimiter struct {
	max  int64
	open atomic.Int64
}

func (l *connLimiter) track(c net.Conn, state http.ConnState) {
	switch state {
	case http.StateNew:
		if l.open.Add(1) > l.max {
			_ = c.Close()
		}
	case http.StateIdle:
		if l.open.Load() > l.max/2 {
			_ = c.Close()
		}
	case http.StateHijacked, http.StateClosed:
		l.open.Add(-1)
	}
}

// limitRequests answers 503 at once past max requests in flight, and gives every answer a write
// deadline (handlers that need longer extend it). The exporter's own health and metrics (under the
// route prefix) are not counted: a flood of probes must not make it look dead to what watches it.
func limitRequests(next http.Handler, limit int, prefix string) http.Handler {
	slots := make(chan struct{}, max(limit, 1))
	exempt := map[string]bool{}
	for _, route := range []string{"/-/healthy", "/-/ready", "/metrics"} {
		exempt[path.Join("/", prefix, route)] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(defaultWriteTimeout))
		if exempt[r.URL.Path] {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
		default:
			w.Header().Set("Retry-After", "1")
			http.Error(w, "too many requests in flight (--web.max-requests)", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// shareFDs shares the process's file descriptors between the connections Prometheus makes to the
// exporter (at most maxConns, lowered to fit) and those the exporter makes to NetBackup, and logs
// what it chose.
func shareFDs(logger log.Logger, maxConns int) fdlimit.Plan {
	fds := fdlimit.Size(fdlimit.Limit(), maxConns)
	level.Info(logger).Log("msg", "sharing file descriptors", "limit", fds.Limit, "reserved", fds.Reserved,
		"web_max_connections", fds.Inbound, "netbackup_connections", fds.NetBackup)
	if !fds.Enough() {
		level.Warn(logger).Log("msg", "the limit on open files is too low for a working exporter; raise it (ulimit -n, LimitNOFILE=)", "limit", fds.Limit)
	}
	return fds
}
