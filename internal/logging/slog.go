package logging

import (
	"context"
	"log/slog"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
)

// NewSlogLogger forwards slog records (from exporter-toolkit) to a go-kit logger. Level filtering
// is left to the go-kit logger so the --log.level flag has one meaning everywhere.
func NewSlogLogger(l log.Logger) *slog.Logger { return slog.New(&slogHandler{logger: l}) }

type slogHandler struct {
	logger log.Logger
	attrs  []any
	group  string
}

func (h *slogHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *slogHandler) Handle(_ context.Context, r slog.Record) error {
	kv := make([]any, 0, 2+len(h.attrs)+2*r.NumAttrs())
	kv = append(kv, "msg", r.Message)
	kv = append(kv, h.attrs...)
	r.Attrs(func(a slog.Attr) bool {
		kv = append(kv, h.key(a.Key), a.Value.Resolve().Any())
		return true
	})
	return levelLogger(h.logger, r.Level).Log(kv...)
}

func (h *slogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	n := &slogHandler{logger: h.logger, group: h.group, attrs: append([]any{}, h.attrs...)}
	for _, a := range attrs {
		n.attrs = append(n.attrs, h.key(a.Key), a.Value.Resolve().Any())
	}
	return n
}

func (h *slogHandler) WithGroup(name string) slog.Handler {
	n := &slogHandler{logger: h.logger, attrs: h.attrs, group: name}
	if h.group != "" {
		n.group = h.group + "." + name
	}
	return n
}

func (h *slogHandler) key(k string) string {
	if h.group == "" {
		return k
	}
	return h.group + "." + k
}

func levelLogger(l log.Logger, lvl slog.Level) log.Logger {
	switch {
	case lvl >= slog.LevelError:
		return level.Error(l)
	case lvl >= slog.LevelWarn:
		return level.Warn(l)
	case lvl >= slog.LevelInfo:
		return level.Info(l)
	}
	return level.Debug(l)
}
