package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"path"
	"sync/atomic"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fdlimit"
	"github.com/netbackup-exporter/netbackup_exporter/internal/logging"
)

type serveParams struct {
	webFlags      *web.FlagConfig
	listeners     []net.Listener // nil = listen on webFlags' addresses
	shutdownGrace time.Duration
	maxRequests   int
	logger        log.Logger
}

// serve runs the reloader and the HTTP server until ctx ends, then shuts down gracefully: the
// listeners close at once (new connections are refused), requests in flight get up to
// shutdownGrace to finish, and whatever is left after that is cut off. It returns the exit code.
func serve(ctx context.Context, a *app, p serveParams) int {
	reloadCtx, stopReloads := context.WithCancel(context.Background())
	reloadsDone := make(chan struct{})
	go func() {
		defer close(reloadsDone)
		a.reloader.Loop(reloadCtx)
	}()
	defer func() {
		stopReloads()
		<-reloadsDone
	}()
	// Once the exporter answers, SIGHUP reloads rather than kills it.
	<-a.reloader.Ready()

	conns := &connLimiter{max: int64(max(a.maxConns, 1))}
	srv := &http.Server{
		Handler:           limitRequests(a.mux, p.maxRequests, a.paths.Prefix),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       serverReadTimeout,
		IdleTimeout:       serverIdleTimeout,
		ConnState:         conns.track,
	}
	slogger := logging.NewSlogLogger(p.logger)
	serveErr := make(chan error, 1)
	go func() {
		if p.listeners != nil {
			serveErr <- web.ServeMultiple(p.listeners, srv, p.webFlags, slogger)
			return
		}
		serveErr <- web.ListenAndServe(srv, p.webFlags, slogger)
	}()

	select {
	case err := <-serveErr:
		level.Error(p.logger).Log("msg", "HTTP server failed", "err", err)
		return 1 // run's deferred stop flushes the spans
	case <-ctx.Done():
	}
	level.Info(p.logger).Log("msg", "shutting down: no new connections, waiting for requests in flight", "grace", p.shutdownGrace)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), p.shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		// Closing the connections cancels the probes' contexts, so they end at once.
		level.Warn(p.logger).Log("msg", "requests still in flight after the grace period; closing their connections", "err", err)
		if err := srv.Close(); err != nil {
			level.Warn(p.logger).Log("msg", "closing connections", "err", err)
		}
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		level.Warn(p.logger).Log("msg", "HTTP server", "err", err)
	}
	// The spans still pending (the last probes'), within what is left of the grace: the shutdown
	// timeout bounds the whole exit, flush included, as orchestrators expect.
	if err := a.tracing.Shutdown(shutdownCtx); err != nil {
		level.Warn(p.logger).Log("msg", "flushing traces", "err", err)
	}
	level.Info(p.logger).Log("msg", "stopped")
	return 0
}

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
