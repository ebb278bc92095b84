package prober

import (
	"errors"
	"net/http"
	"os"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
)

// DefaultAnswerIdleTimeout is --web.answer-idle-timeout: a scraper reads an answer as it comes,
// so a client that has read nothing for this long is not reading. A client that does not read
// keeps what promhttp holds for its answer (the gathered series, the gzip state) until its writes
// time out; cut off, it frees them.
const DefaultAnswerIdleTimeout = 10 * time.Second

// newCountingWriter is w for the answer of a probe whose write deadline (extendWriteDeadline's) is
// end: no write waits past it, and none waits more than idle for the client.
func newCountingWriter(w http.ResponseWriter, end time.Time, idle time.Duration) *countingWriter {
	return &countingWriter{ResponseWriter: w, rc: http.NewResponseController(w), idle: idle, end: end}
}

// cutOff reports whether the client was cut off for not reading.
func (c *countingWriter) cutOff() bool { return errors.Is(c.err, os.ErrDeadlineExceeded) }

// failed reports whether a write failed: the client is gone, or was cut off.
func (c *countingWriter) failed() bool { return c.err != nil }

// noteCutOff counts and logs an answer whose client was cut off for not reading.
func (h *Handler) noteCutOff(cw *countingWriter, logger log.Logger) {
	switch {
	case cw.cutOff():
		if h.Budget != nil {
			h.Budget.cutOff.Add(1)
		}
		level.Warn(logger).Log("msg", "the client stopped reading the answer: connection closed", "idle_timeout", h.AnswerIdleTimeout, "err", cw.err)
	case cw.failed():
		level.Debug(logger).Log("msg", "the client went away before the end of the answer", "err", cw.err)
	}
}

// turnAway answers 503 to a probe that found no room in the answer budget before its deadline.
func (h *Handler) turnAway(w http.ResponseWriter, moduleName string, target Target, err error) {
	level.Warn(h.Logger).Log("msg", "probe turned away", "module", moduleName, "target", target.BaseURL, "err", err)
	w.Header().Set("Retry-After", "1")
	http.Error(w, "probe turned away: "+err.Error(), http.StatusServiceUnavailable)
}
