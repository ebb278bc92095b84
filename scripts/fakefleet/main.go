// Command fakefleet runs many fake NetBackup primaries (internal/fakenbu) in one process, one per
// port, each with its own generated jobs and with new jobs finishing on every one of them as time
// goes: what scripts/bench-scale.sh scrapes through one exporter. One process rather than
// hundreds of cmd/fakenbu processes, so that the fakes cost the shared machine little.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

type options struct {
	host          string
	count         int
	jobs          int
	window        time.Duration
	jobsPerMinute float64
	apiKey        string
	urlsOut       string
}

func main() {
	var o options
	flag.StringVar(&o.host, "host", "127.0.0.1", "address the fakes listen on, each on a port of its own")
	flag.IntVar(&o.count, "count", 250, "fake primaries")
	flag.IntVar(&o.jobs, "jobs", 500, "generated jobs per primary at startup")
	flag.DurationVar(&o.window, "window", time.Hour, "the generated jobs start within this long before startup")
	flag.Float64Var(&o.jobsPerMinute, "jobs-per-minute", 20, "jobs finishing per minute on each primary")
	flag.StringVar(&o.apiKey, "api-key", fakenbu.DefaultAPIKey, "accepted API key")
	flag.StringVar(&o.urlsOut, "urls-out", "", "write the primaries' base URLs there, one a line, once all listen")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		slog.Error("fakefleet failed", "err", err)
		os.Exit(1)
	}
}

// primary is one fake and what its arrivals have reached.
type primary struct {
	srv    *fakenbu.Server
	nextID int64
	owed   float64 // jobs due but not yet added (jobs-per-minute need not divide a second)
}

func run(ctx context.Context, o options) error {
	now := time.Now()
	prims := make([]*primary, o.count)
	var urls []string
	for i := range prims {
		p, url, err := start(ctx, o, int64(i+1), now)
		if err != nil {
			return err
		}
		prims[i] = p
		urls = append(urls, url)
	}
	if o.urlsOut != "" {
		if err := os.WriteFile(o.urlsOut, []byte(strings.Join(urls, "\n")+"\n"), 0o644); err != nil {
			return err
		}
	}
	slog.Info("fakefleet listening", "primaries", o.count, "jobs_each", o.jobs, "jobs_per_minute_each", o.jobsPerMinute)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case t := <-tick.C:
			for _, p := range prims {
				p.arrive(t, o.jobsPerMinute/60)
			}
		}
	}
}

// start serves one fake primary on a free port of o.host until ctx ends.
func start(ctx context.Context, o options, seed int64, now time.Time) (*primary, string, error) {
	srv := fakenbu.New(fakenbu.Options{APIKeys: []string{o.apiKey}})
	jobs := fakenbu.GenerateJobs(seed, o.jobs, o.window, now)
	srv.SetJobs(jobs)
	srv.SetStorageUnits(fakenbu.DemoStorageUnits())
	srv.SetDevices()
	p := &primary{srv: srv, nextID: 1}
	for _, j := range jobs {
		p.nextID = max(p.nextID, j.JobID+1)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(o.host, "0"))
	if err != nil {
		return nil, "", fmt.Errorf("listening: %w", err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("serving", "address", ln.Addr(), "err", err)
		}
	}()
	go func() { <-ctx.Done(); _ = hs.Close() }()
	return p, "http://" + ln.Addr().String() + "/netbackup", nil
}

// arrive adds the jobs due this second: each finished now, after running a few minutes, so that
// every probe of the jobs module has something new to read.
func (p *primary) arrive(now time.Time, perSecond float64) {
	p.owed += perSecond
	for ; p.owed >= 1; p.owed-- {
		id := p.nextID
		p.nextID++
		status := int64(0)
		if id%10 == 0 {
			status = 1
		}
		p.srv.UpsertJob(fakenbu.Job{JobID: id, JobType: "BACKUP", PolicyType: "STANDARD", PolicyName: fmt.Sprintf("policy-%d", id%7),
			ClientName: fmt.Sprintf("client-%d", id%50), ScheduleType: "DIFFERENTIAL_INCREMENTAL_BACKUP", State: "DONE", Status: status,
			KilobytesTransferred: 1024 * (id % 97), NumberOfFiles: id % 1000, StartTime: now.Add(-time.Duration(id%600) * time.Second),
			EndTime: now, LastUpdateTime: now})
	}
}
