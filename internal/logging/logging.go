// Package logging builds the exporter's one go-kit logger from the --log.* flags and bridges it to
// log/slog for exporter-toolkit, so that there is a single logging setup whatever the caller.
package logging

import (
	"fmt"
	"io"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
)

// Levels and Formats are the accepted flag values, in the order the help text shows them.
var (
	Levels  = []string{"debug", "info", "warn", "error"}
	Formats = []string{"logfmt", "json"}
)

// New returns a logger writing to w in the given format, filtered at the given level, with a UTC
// timestamp on every line.
func New(w io.Writer, lvl, format string) (log.Logger, error) {
	var l log.Logger
	switch format {
	case "logfmt", "":
		l = log.NewLogfmtLogger(log.NewSyncWriter(w))
	case "json":
		l = log.NewJSONLogger(log.NewSyncWriter(w))
	default:
		return nil, fmt.Errorf("log format %q: want one of logfmt, json", format)
	}
	opt, err := levelOption(lvl)
	if err != nil {
		return nil, err
	}
	l = level.NewFilter(l, opt)
	return log.With(l, "ts", log.DefaultTimestampUTC), nil
}

func levelOption(lvl string) (level.Option, error) {
	switch lvl {
	case "debug":
		return level.AllowDebug(), nil
	case "info", "":
		return level.AllowInfo(), nil
	case "warn":
		return level.AllowWarn(), nil
	case "error":
		return level.AllowError(), nil
	}
	return nil, fmt.Errorf("log level %q: want one of debug, info, warn, error", lvl)
}
