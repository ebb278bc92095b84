package main

import (
	"context"
	"fmt"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	"github.com/prometheus/common/version"

	"github.com/netbackup-exporter/netbackup_exporter/internal/tracing"
)

// runTracing is the tracer provider run hands down, and how run stops it on every way out.
type runTracing struct {
	*tracing.Tracing
	grace time.Duration
}

// startTracing builds the tracer provider from the flags. On a flag error it prints it and
// returns nil with the exit code, as run does for the other flags.
func startTracing(ctx context.Context, f *tracing.Flags, grace time.Duration, env runEnv, logger log.Logger) (*runTracing, int) {
	tr, err := buildTracing(ctx, f, logger)
	if err != nil {
		fmt.Fprintf(env.stderr, "%s: %v\n", exporterName, err)
		return nil, 2
	}
	return &runTracing{Tracing: tr, grace: grace}, 0
}

func buildTracing(ctx context.Context, f *tracing.Flags, logger log.Logger) (*tracing.Tracing, error) {
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

// stop flushes what is pending when run returns early; after serve's flush it does nothing.
func (t *runTracing) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), t.grace)
	defer cancel()
	_ = t.Shutdown(ctx)
}
