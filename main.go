// Command netbackup_exporter is a Prometheus exporter for Veritas NetBackup in the multi-target
// style of blackbox_exporter: /probe?target=<primary>&module=<name> collects from one primary.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	"github.com/prometheus/client_golang/prometheus"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/internal/logging"
	"github.com/netbackup-exporter/netbackup_exporter/prober"
)

const exporterName = "netbackup_exporter"

// 9100-9999, the Prometheus exporter range, is fully allocated; 10556 echoes NetBackup's 1556.
const defaultListenAddress = ":10556"

// sessionIdleTTL is how long a target's connections and state are kept after its last probe.
const sessionIdleTTL = time.Hour

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	app := kingpin.New(exporterName, "Prometheus exporter for Veritas NetBackup primary servers (multi-target: /probe?target=...&module=...).")
	var (
		configFile    = app.Flag("config.file", "Modules configuration file.").Default("modules.yml").String()
		configCheck   = app.Flag("config.check", "Validate the configuration file, then exit (0 if valid, 1 with the error if not).").Default("false").Bool()
		timeoutOffset = app.Flag("timeout-offset", "Subtracted from Prometheus's scrape timeout to leave time to answer.").Default("0.5s").Duration()
		historyLimit  = app.Flag("history.limit", "Recent probes kept for the landing page (failures are kept as long again).").Default("100").Int()
		shutdownGrace = app.Flag("web.shutdown-timeout", "On SIGTERM, how long in-flight probes may take to finish.").Default("30s").Duration()
		logLevel      = app.Flag("log.level", "Only log messages with the given severity or above. One of: [debug, info, warn, error]").Default("info").Enum(logging.Levels...)
		logFormat     = app.Flag("log.format", "Output format of log messages. One of: [logfmt, json]").Default("logfmt").Enum(logging.Formats...)
		webFlags      = kingpinflag.AddFlags(app, defaultListenAddress)
	)
	app.Version(version.Print(exporterName))
	app.HelpFlag.Short('h')
	app.UsageWriter(os.Stdout)
	if _, err := app.Parse(args); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", exporterName, err)
		return 2
	}

	logger, err := logging.New(os.Stderr, *logLevel, *logFormat)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", exporterName, err)
		return 2
	}

	if *configCheck {
		if _, err := config.Load(*configFile); err != nil {
			fmt.Fprintf(os.Stderr, "%v\n", err)
			return 1
		}
		fmt.Fprintf(os.Stdout, "%s: configuration is valid\n", *configFile)
		return 0
	}

	level.Info(logger).Log("msg", "starting "+exporterName, "version", version.Info(), "build_context", version.BuildContext())

	reg := prometheus.DefaultRegisterer
	reg.MustRegister(versioncollector.NewCollector(exporterName))
	safeConfig := config.NewSafeConfig(reg)
	if err := safeConfig.Reload(*configFile); err != nil {
		level.Error(logger).Log("msg", "cannot load configuration", "err", err)
		return 1
	}
	level.Info(logger).Log("msg", "loaded configuration", "file", *configFile, "modules", len(safeConfig.Get().Modules))

	metrics := prober.NewExporterMetrics(reg)
	sessions := prober.NewSessions(sessionIdleTTL, metrics.ObserveRequest)
	defer sessions.Close()
	history := prober.NewHistory(*historyLimit)
	probeHandler := &prober.Handler{
		Config:        safeConfig.Get,
		Logger:        logger,
		Sessions:      sessions,
		Metrics:       metrics,
		History:       history,
		TimeoutOffset: *timeoutOffset,
	}

	reloads := newReloader(safeConfig, *configFile, logger)
	mux := routes(routeDeps{
		probe:    probeHandler,
		config:   safeConfig,
		history:  history,
		reload:   reloads.request,
		logger:   logger,
		gatherer: prometheus.DefaultGatherer,
	})

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go reloads.loop(ctx)

	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 30 * time.Second}
	serveErr := make(chan error, 1)
	go func() { serveErr <- web.ListenAndServe(srv, webFlags, logging.NewSlogLogger(logger)) }()

	select {
	case err := <-serveErr:
		level.Error(logger).Log("msg", "HTTP server failed", "err", err)
		return 1
	case <-ctx.Done():
	}
	level.Info(logger).Log("msg", "shutting down: no new requests, waiting for in-flight probes", "grace", *shutdownGrace)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), *shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		level.Warn(logger).Log("msg", "in-flight requests cut short", "err", err)
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		level.Warn(logger).Log("msg", "HTTP server", "err", err)
	}
	level.Info(logger).Log("msg", "stopped")
	return 0
}

// logErr is for handlers whose write errors only mean the client went away.
func logErr(logger log.Logger, err error) {
	if err != nil {
		level.Debug(logger).Log("msg", "writing response", "err", err)
	}
}
