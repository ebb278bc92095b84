package main

import (
	"cmp"
	"net/http"
	"time"

	"github.com/go-kit/log"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/internal/reload"
	"github.com/netbackup-exporter/netbackup_exporter/internal/tracing"
	"github.com/netbackup-exporter/netbackup_exporter/internal/web"
	"github.com/netbackup-exporter/netbackup_exporter/prober"
)

// appParams is what the exporter is built from: parsed flags and where its own metrics go.
type appParams struct {
	configFile    string
	watchConfig   bool
	timeoutOffset time.Duration
	historyLimit  int
	maxSessions   int
	maxConns      int // --web.max-connections, lowered to what the file descriptors allow
	logger        log.Logger
	registerer    prometheus.Registerer
	gatherer      prometheus.Gatherer
	tracing       *tracing.Tracing // nil = off
	// maxAnswersBytes bounds the answers in flight together (0: the default); answerIdleTimeout
	// cuts off a client that reads nothing of its answer (0: only the probe's write deadline).
	maxAnswersBytes   int64
	answerIdleTimeout time.Duration
	paths             web.Paths // where the routes are served and the links point; zero: "/"
}

// app is the exporter, wired: the HTTP routes and the reloader whose loop the caller runs.
type app struct {
	mux      *http.ServeMux
	reloader *reload.Reloader
	config   *config.SafeConfig
	sessions *prober.Sessions
	history  *prober.History
	tracing  *tracing.Tracing
	maxConns int // connections to the exporter served at once
	paths    web.Paths
}

// newApp loads the config (through the reloader, so the first load logs and warns as every
// reload does) and builds the handlers. It starts no goroutine: the caller runs reloader.Loop.
func newApp(p appParams) (*app, error) {
	safeConfig := config.NewSafeConfig(p.registerer, prober.Schema())
	reloads := reload.New(safeConfig, p.configFile, p.watchConfig, p.logger)
	if err := reloads.Reload("startup"); err != nil {
		return nil, err
	}

	tr := p.tracing
	if tr == nil {
		tr = tracing.Off()
	}
	fds := shareFDs(p.logger, cmp.Or(p.maxConns, defaultMaxConnections))
	metrics := prober.NewExporterMetrics(p.registerer)
	sessions := prober.NewSessions(sessionIdleTTL, metrics.ObserveRequest, prober.WithTracing(tr.Provider, tr.PropagateToNetBackup),
		prober.WithConnLimit(fds.NetBackup))
	if p.maxSessions > 0 {
		sessions.SetMax(p.maxSessions)
	}
	p.registerer.MustRegister(sessions)
	history := prober.NewHistory(p.historyLimit)
	budget := prober.NewAnswerBudget(cmp.Or(p.maxAnswersBytes, prober.DefaultMaxAnswersBytes))
	p.registerer.MustRegister(budget)
	probe := &prober.Handler{
		Config:            safeConfig.Get,
		Logger:            p.logger,
		Sessions:          sessions,
		Metrics:           metrics,
		History:           history,
		TimeoutOffset:     p.timeoutOffset,
		TracerProvider:    tr.Provider,
		Budget:            budget,
		AnswerIdleTimeout: p.answerIdleTimeout,
	}
	mux := web.Routes(web.Deps{
		Probe:      probe,
		Config:     safeConfig,
		History:    history,
		Reload:     reloads.Request,
		Logger:     p.logger,
		Registerer: p.registerer,
		Gatherer:   p.gatherer,
		Paths:      p.paths,
	})
	return &app{mux: mux, reloader: reloads, config: safeConfig, sessions: sessions, history: history, tracing: tr,
		maxConns: fds.Inbound, paths: p.paths}, nil
}

// close drops the NetBackup sessions and their idle connections.
func (a *app) close() { a.sessions.Close() }
