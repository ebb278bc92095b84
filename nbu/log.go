package nbu

import (
	"context"

	"github.com/go-kit/log"
)

type loggerKey struct{}

// ContextWithLogger attaches a logger to ctx. The client is long-lived and
// shared between probes, so the logger travels with each call rather than
// living in the client: log lines then belong to the probe that caused them.
func ContextWithLogger(ctx context.Context, l log.Logger) context.Context {
	if l == nil {
		return ctx
	}
	return context.WithValue(ctx, loggerKey{}, l)
}

func loggerFrom(ctx context.Context) log.Logger {
	if l, ok := ctx.Value(loggerKey{}).(log.Logger); ok {
		return l
	}
	return log.NewNopLogger()
}
