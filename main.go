// Command netbackup_exporter is a Prometheus exporter for Veritas NetBackup in the multi-target
// style of blackbox_exporter: /probe?target=<primary>&module=<name> collects from one primary.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/netbackup-exporter/netbackup_exporter/internal/logging"
	"github.com/netbackup-exporter/netbackup_exporter/internal/tracing"
	"github.com/netbackup-exporter/netbackup_exporter/prober"
)

const exporterName = "netbackup_exporter"

// 9100-9999, the Prometheus exporter range, is fully allocated; 10556 echoes NetBackup's 1556.
const defaultListenAddress = ":10556"

func main() {
	// SIGTERM and SIGINT end the context: run stops accepting, lets probes finish, and returns.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	applyGCPercent(os.LookupEnv, debug.SetGCPercent)
	code := run(ctx, os.Args[1:], runEnv{stdout: os.Stdout, stderr: os.Stderr})
	stop()
	os.Exit(code)
}

// runEnv is what run takes from its surroundings, so that tests can run the whole exporter
// in-process.
type runEnv struct {
	stdout, stderr io.Writer
	// listeners, when set, are served instead of --web.listen-address (a test's free port).
	listeners []net.Listener
}

// run is the exporter's life: flags, logging, the first config load, serving until ctx ends, and
// the graceful shutdown. It returns the process exit code.
func run(ctx context.Context, args []string, env runEnv) int {
	app := kingpin.New(exporterName, "Prometheus exporter for Veritas NetBackup primary servers (multi-target: /probe?target=...&module=...).")
	var (
		configFile    = app.Flag("config.file", "Modules configuration file.").Default("modules.yml").String()
		configCheck   = app.Flag("config.check", "Validate the configuration file, then exit (0 if valid, 1 with the error if not).").Default("false").Bool()
		configWatch   = app.Flag("config.watch", "Reload when the configuration file or an api_key_file it names changes on disk.").Default("true").Bool()
		timeoutOffset = app.Flag("timeout-offset", "Subtracted from Prometheus's scrape timeout to leave time to answer.").Default("0.5s").Duration()
		historyLimit  = app.Flag("history.limit", "Recent probes kept for the landing page (failures are kept as long again).").Default("100").Int()
		shutdownGrace = app.Flag("web.shutdown-timeout", "On SIGTERM, how long in-flight probes may take to finish.").Default("30s").Duration()
		maxSessions   = app.Flag("probe.max-sessions", "Sessions (target and module pairs, each with its connections and job state) kept; the least recently probed goes first.").Default(strconv.Itoa(prober.DefaultMaxSessions)).Int()
		maxRequests   = app.Flag("web.max-requests", "Requests served at once; more are answered 503 at once.").Default(strconv.Itoa(defaultMaxRequests)).Int()
		maxConns      = app.Flag("web.max-connections", "Open connections to the exporter; past it new ones are closed at once, and past half of it idle keep-alive ones.").Default(strconv.Itoa(defaultMaxConnections)).Int()
		logLevel      = app.Flag("log.level", "Only log messages with the given severity or above. One of: [debug, info, warn, error]").Default("info").Enum(logging.Levels...)
		logFormat     = app.Flag("log.format", "Output format of log messages. One of: [logfmt, json]").Default("logfmt").Enum(logging.Formats...)
		webFlags      = kingpinflag.AddFlags(app, defaultListenAddress)
		tracingFlags  = tracing.AddFlags(app)
		answers       = addAnswerFlags(app)
		routes        = addRouteFlags(app)
	)
	app.Version(version.Print(exporterName))
	app.HelpFlag.Short('h')
	app.UsageWriter(env.stdout)
	app.ErrorWriter(env.stderr)
	if _, err := app.Parse(args); err != nil {
		fmt.Fprintf(env.stderr, "%s: %v\n", exporterName, err)
		return 2
	}

	logger, err := logging.New(env.stderr, *logLevel, *logFormat)
	if err != nil {
		fmt.Fprintf(env.stderr, "%s: %v\n", exporterName, err)
		return 2
	}

	if *configCheck {
		return checkConfig(*configFile, env)
	}
	paths, err := routes.paths(webFlags)
	if err != nil {
		fmt.Fprintf(env.stderr, "%s: %v\n", exporterName, err)
		return 2
	}

	level.Info(logger).Log("msg", "starting "+exporterName, "version", version.Info(), "build_context", version.BuildContext())
	tr, err := startTracing(ctx, tracingFlags, logger)
	if err != nil {
		fmt.Fprintf(env.stderr, "%s: %v\n", exporterName, err)
		return 2
	}
	defer stopTracing(tr, *shutdownGrace)

	reg := newExporterRegistry()
	a, err := newApp(appParams{
		configFile:        *configFile,
		watchConfig:       *configWatch,
		timeoutOffset:     *timeoutOffset,
		historyLimit:      *historyLimit,
		maxSessions:       *maxSessions,
		maxConns:          *maxConns,
		logger:            logger,
		registerer:        reg,
		gatherer:          reg,
		tracing:           tr,
		maxAnswersBytes:   int64(*answers.maxBytes),
		answerIdleTimeout: *answers.idle,
		paths:             paths,
	})
	if err != nil {
		level.Error(logger).Log("msg", "cannot load configuration", "file", *configFile, "err", err)
		return 1
	}
	defer a.close()
	return serve(ctx, a, serveParams{
		webFlags:      webFlags,
		listeners:     env.listeners,
		shutdownGrace: *shutdownGrace,
		maxRequests:   *maxRequests,
		logger:        logger,
	})
}

// checkConfig is --config.check: 0 if the file is valid, 1 with the error if not.
func checkConfig(file string, env runEnv) int {
	if _, err := prober.Schema().Load(file); err != nil {
		fmt.Fprintf(env.stderr, "%v\n", err)
		return 1
	}
	fmt.Fprintf(env.stdout, "%s: configuration is valid\n", file)
	return 0
}

// newExporterRegistry is where the exporter's own metrics go: a registry of its own rather than
// the global default, so that nothing outlives run.
func newExporterRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		versioncollector.NewCollector(exporterName),
	)
	return reg
}

// sessionIdleTTL is how long a target's connections and state are kept after its last probe.
const sessionIdleTTL = time.Hour

// startTracing builds the tracer provider from the --tracing.* flags.
func startTracing(ctx context.Context, f *tracing.Flags, logger log.Logger) (*tracing.Tracing, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	tr, err := tracing.New(ctx, cfg, exporterName, version.Version)
	if err != nil {
		return nil, err
	}
	if tr.Enabled() {
		// The endpoint holds no credentials (user info is refused); the headers never appear.
		level.Info(logger).Log("msg", "tracing enabled", "endpoint", tr.Endpoint(), "sampling_ratio", cfg.SamplingRatio,
			"headers_file", cfg.HeadersFile, "propagate_to_netbackup", cfg.PropagateToNetBackup)
	}
	return tr, nil
}

// stopTracing flushes what is pending when run returns early; after serve's flush it does nothing.
func stopTracing(tr *tracing.Tracing, grace time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	_ = tr.Shutdown(ctx)
}

// defaultGCPercent is what GOGC defaults to here, as in Prometheus itself since 2.53: the exporter
// keeps a long-lived state per target (the job windows) beside short-lived garbage (pages read,
// answers written), and Go's default of 100 lets the heap grow to twice what it holds before it
// collects. Measured on the first probe of 100k jobs: 0.7 MiB less peak RSS; the CPU of a steady
// probe at a thousand targets did not move (docs/performance.md). GOGC, when set, wins.
const defaultGCPercent = 75

// applyGCPercent sets defaultGCPercent unless the environment sets GOGC; it reports whether it did.
func applyGCPercent(lookupEnv func(string) (string, bool), setGCPercent func(int) int) bool {
	if _, set := lookupEnv("GOGC"); set {
		return false
	}
	setGCPercent(defaultGCPercent)
	return true
}
