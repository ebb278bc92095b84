package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	"github.com/prometheus/exporter-toolkit/web"

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
