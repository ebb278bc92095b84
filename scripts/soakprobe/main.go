// Command soakprobe drives scripts/soak.sh against one running exporter. In churn mode it probes
// many (target, module) pairs round-robin at a steady rate, more pairs than the exporter keeps
// sessions for, so that sessions are made and evicted all the time. In reload mode it probes one
// target every second while it rewrites the modules file and has it reloaded, and checks that no
// counter of the answer goes down. Both print the exporter's RSS, open files, goroutines and
// sessions every interval and a summary at the end, and exit 1 when a probe failed or a bound
// given on the command line was missed. The bounds are the script's, not the exporter's tests'.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

type options struct {
	mode     string
	exporter string // base URL of the exporter
	pid      int    // the exporter's process, for /proc
	duration time.Duration
	interval time.Duration
	timeout  time.Duration // the scrape timeout sent to the exporter

	// churn
	targetsFile string
	modules     string
	targets     int
	rate        float64
	concurrency int
	warmup      time.Duration
	rssGrowth   float64

	// reload
	target      string
	module      string
	configFile  string
	variants    string
	reloadEvery time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.mode, "mode", "churn", "churn or reload")
	flag.StringVar(&o.exporter, "exporter", "", "the exporter's base URL, e.g. http://127.0.0.1:10556")
	flag.IntVar(&o.pid, "pid", 0, "the exporter's process id (its RSS and open files are read from /proc)")
	flag.DurationVar(&o.duration, "duration", 10*time.Minute, "how long to probe")
	flag.DurationVar(&o.interval, "interval", 10*time.Second, "how often to print a line")
	flag.DurationVar(&o.timeout, "scrape-timeout", 10*time.Second, "X-Prometheus-Scrape-Timeout-Seconds sent with each probe")
	flag.StringVar(&o.targetsFile, "targets-file", "", "churn: primaries' URLs, one a line")
	flag.StringVar(&o.modules, "modules", "", "churn: comma-separated modules, each probed against every primary")
	flag.IntVar(&o.targets, "targets", 10000, "churn: (target, module) pairs probed, the first of primaries x modules")
	flag.Float64Var(&o.rate, "rate", 125, "churn: probes started per second")
	flag.IntVar(&o.concurrency, "concurrency", 64, "churn: probes in flight at most")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Minute, "churn: RSS is compared with the first sample after this")
	flag.Float64Var(&o.rssGrowth, "rss-growth", 1.25, "churn: fail when RSS after the warm-up exceeds the first sample after it by this factor")
	flag.StringVar(&o.target, "target", "", "reload: the target probed every second")
	flag.StringVar(&o.module, "module", "", "reload: its module")
	flag.StringVar(&o.configFile, "config", "", "reload: the exporter's modules file, rewritten in turn from -variants")
	flag.StringVar(&o.variants, "variants", "", "reload: comma-separated files copied over -config in turn")
	flag.DurationVar(&o.reloadEvery, "reload-every", 3*time.Second, "reload: how often the modules file is rewritten")
	flag.Parse()
	if err := o.check(); err != nil {
		fmt.Fprintln(os.Stderr, "soakprobe:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var ok bool
	switch o.mode {
	case "churn":
		ok = runChurn(ctx, o)
	case "reload":
		ok = runReload(ctx, o)
	}
	if !ok {
		os.Exit(1)
	}
}

func (o options) check() error {
	switch {
	case o.exporter == "" || o.pid <= 0:
		return fmt.Errorf("-exporter and -pid are required")
	case o.mode == "churn" && (o.targetsFile == "" || o.modules == "" || o.targets <= 0 || o.rate <= 0 || o.concurrency <= 0):
		return fmt.Errorf("churn needs -targets-file, -modules and positive -targets, -rate, -concurrency")
	case o.mode == "churn" && o.warmup >= o.duration:
		return fmt.Errorf("-warmup (%s) must be shorter than -duration (%s)", o.warmup, o.duration)
	case o.mode == "reload" && (o.target == "" || o.module == "" || o.configFile == "" || len(strings.Split(o.variants, ",")) < 2):
		return fmt.Errorf("reload needs -target, -module, -config and two -variants or more")
	case o.mode != "churn" && o.mode != "reload":
		return fmt.Errorf("-mode %q: want churn or reload", o.mode)
	}
	return nil
}

// newClient is the driver's HTTP client: keep-alive connections for every probe in flight, and a
// bound on each request beyond the exporter's own deadline.
func newClient(conns int, timeout time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = conns + 4
	tr.MaxIdleConnsPerHost = conns + 4
	return &http.Client{Transport: tr, Timeout: timeout + 10*time.Second}
}
