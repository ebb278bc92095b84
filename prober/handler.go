package prober

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/version"
	"go.opentelemetry.io/otel/trace"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/internal/redact"
)

var userAgent = "netbackup_exporter/" + version.Version

// DefaultModule is the module used when a request names none.
const DefaultModule = "default"

// Handler serves /probe.
type Handler struct {
	Config        func() *config.Config // the live config; never mutated, replaced on reload
	Logger        log.Logger
	Sessions      *Sessions
	Metrics       *ExporterMetrics
	History       *History
	TimeoutOffset time.Duration
	// MaxAnswerBytes bounds what one probe's series may weigh (0: maxAnswerBytes).
	MaxAnswerBytes int64
	// Budget bounds what the answers of all the probes in flight weigh together; nil = no bound.
	Budget *AnswerBudget
	// AnswerIdleTimeout cuts off a client that reads nothing of its answer for this long; 0 = only
	// the probe's write deadline does.
	AnswerIdleTimeout time.Duration
	Now               func() time.Time // nil = time.Now
	// TracerProvider receives a span per probe, per collector and (through the sessions' clients)
	// per NetBackup request; nil = no tracing.
	TracerProvider trace.TracerProvider
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req, rerr := h.parseRequest(r, h.Config()) // one snapshot: a reload mid-probe does not affect it
	if rerr != nil {
		h.Metrics.reject(rerr.reason)
		h.reject(w, "probe", rerr)
		return
	}
	debug, _ := singleParam(r.URL.Query()["debug"], "debug", "false")

	ctx, cancel := context.WithTimeout(r.Context(), req.timeout)
	defer cancel()
	writeEnd := extendWriteDeadline(w, req.timeout)
	hold, err := h.Budget.reserve(ctx, h.Sessions.answerEstimate(req.module, req.target))
	if err != nil {
		h.turnAway(w, req.moduleName, req.target, err)
		return
	}
	defer hold.release()
	ctx, span := h.startProbe(ctx, r, req.moduleName, req.target, req.timeout)
	defer span.End()

	start := time.Now()
	logger, logs := newProbeLogger(h.Logger, req.moduleName, req.target.BaseURL, redact.New(req.module.APIKeyValue(), req.module.PasswordValue()))
	level.Debug(logger).Log("msg", "beginning probe", "timeout_seconds", req.timeout.Seconds())
	logTraceID(logger, span)

	// A fresh registry for each probe: the probe_* gauges, and one collector that sends the series
	// the collectors built.
	reg := prometheus.NewRegistry()
	probeSuccess := prometheus.NewGauge(prometheus.GaugeOpts{Name: "probe_success",
		Help: "Whether the probe succeeded: every enabled collector got its data."})
	probeDuration := prometheus.NewGauge(prometheus.GaugeOpts{Name: "probe_duration_seconds",
		Help: "How long the probe took to complete in seconds."})
	probeTimeout := prometheus.NewGauge(prometheus.GaugeOpts{Name: "probe_timeout_seconds",
		Help: "The time budget of the probe in seconds."})
	p := &probe{module: req.module, logger: logger, out: newMetricSet(0, nil), now: h.now, maxAnswer: h.MaxAnswerBytes}
	reg.MustRegister(probeSuccess, probeDuration, probeTimeout, p.out)

	success := h.collect(ctx, span, req, p)
	elapsed := time.Since(start)
	probeDuration.Set(elapsed.Seconds())
	probeTimeout.Set(req.timeout.Seconds())
	if success {
		probeSuccess.Set(1)
		level.Debug(logger).Log("msg", "probe succeeded", "duration_seconds", elapsed.Seconds())
	} else {
		level.Error(logger).Log("msg", "probe failed", "duration_seconds", elapsed.Seconds())
	}
	h.Metrics.probeDone(req.moduleName, success, elapsed)
	endProbe(span, success)

	weight := p.answer.Load()
	if err := hold.resize(ctx, weight); err != nil {
		h.turnAway(w, req.moduleName, req.target, err)
		return
	}
	h.answer(w, r, answerParts{request: req, success: success, weight: weight, writeEnd: writeEnd, debug: debug == "true",
		logger: logger, logs: logs, reg: reg})
}

// collect runs the probe in the target's session.
func (h *Handler) collect(ctx context.Context, span trace.Span, req request, p *probe) bool {
	sess, err := h.Sessions.get(req.module, req.target)
	if err != nil {
		level.Error(p.logger).Log("msg", "cannot set up the NetBackup client", "err", err)
		recordError(span, err)
		return false
	}
	p.sess = sess
	success := p.run(ctx)
	sess.answerWeight.Store(p.answer.Load())
	return success
}

// answerParts is what a probe's answer and its history entry are made of.
type answerParts struct {
	request
	success  bool
	weight   int64     // what the series weigh (probe.answer)
	writeEnd time.Time // the probe's write deadline
	debug    bool
	logger   log.Logger
	logs     *lockedBuffer
	reg      *prometheus.Registry
}

// answer writes the probe's answer (metrics through promhttp, or the debug text) and records it
// in the history.
func (h *Handler) answer(w http.ResponseWriter, r *http.Request, a answerParts) {
	res := ProbeResult{Module: a.moduleName, Target: a.target.BaseURL, Success: a.success, Time: h.now(),
		module: a.module, logs: a.logs.head(maxHistoryLogBytes), reg: a.reg}
	cw := newCountingWriter(w, a.writeEnd, h.AnswerIdleTimeout)
	defer func() {
		h.noteCutOff(cw, a.logger)
		// The series' weight too, not only the bytes written: a client that goes away early
		// writes few.
		if cw.n > maxRenderedAnswerBytes || a.weight > maxRenderedAnswerBytes {
			res.reg = nil
		}
		h.History.Add(res)
	}()
	if a.debug {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(cw, debugOutput(a.module, a.logs.String(), a.reg))
		return
	}
	// Content negotiation (text, OpenMetrics, protobuf, name escaping) and compression are
	// promhttp's. A family the registry refuses (a bug: the series were de-duplicated as they
	// were built) is left out and logged; the rest is answered.
	promhttp.HandlerFor(a.reg, promhttp.HandlerOpts{
		EnableOpenMetrics: true,
		ErrorHandling:     promhttp.ContinueOnError,
		ErrorLog:          promhttpLog{a.logger, cw},
	}).ServeHTTP(cw, r)
}

// promhttpLog hands promhttp's errors to the probe's log, but for those of writing to a client
// that is gone or cut off (promhttp reports one per family left; noteCutOff logs it once).
type promhttpLog struct {
	logger log.Logger
	w      *countingWriter
}

func (l promhttpLog) Println(v ...any) {
	if l.w.failed() {
		return
	}
	level.Error(l.logger).Log("msg", "answering the probe", "err", strings.TrimSpace(fmt.Sprintln(v...)))
}

// countingWriter counts the bytes of an answer as sent (promhttp compresses before it writes
// here, so a gzip answer counts its compressed bytes), and cuts off a client
// that does not read it: each write may wait for the client at most idle (the connection's write
// deadline, moved before every write, so a slow client is not cut off for the time a large answer
// takes), and none ends later than the probe's own write deadline (answerwrite.go).
type countingWriter struct {
	http.ResponseWriter
	n    int64
	rc   *http.ResponseController
	idle time.Duration // 0: the probe's write deadline only
	end  time.Time     // the probe's write deadline
	err  error         // the first write error
}

func (c *countingWriter) Write(b []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if c.idle > 0 {
		deadline := time.Now().Add(c.idle)
		if deadline.After(c.end) {
			deadline = c.end
		}
		_ = c.rc.SetWriteDeadline(deadline) // a writer without deadlines (a recorder) has no client to wait for
	}
	n, err := c.ResponseWriter.Write(b)
	c.n += int64(n)
	c.err = err
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (write deadlines).
func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
