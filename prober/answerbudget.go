package prober

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/semaphore"

	"github.com/netbackup-exporter/netbackup_exporter/config"
)

// DefaultMaxAnswersBytes is --probe.max-answers-bytes: room for four answers at the one-answer
// bound (maxAnswerBytes), or for 256 small ones (answerShare each), --web.max-requests' default.
const DefaultMaxAnswersBytes = 256 << 20

// answerShare is what every answer is charged beyond its series: promhttp's gzip writer (its
// compressor's hash tables and window, some 800 KiB) and the encoder's buffers, held until the
// client has read the answer.
const answerShare = 1 << 20

// AnswerBudget bounds the memory that the probes in flight hold for their answers, together:
// their series (as the one-answer bound weighs them, metricset.go) and each answer's share for its
// encoder, from the start of the probe until its client has read the answer. A client that does
// not read keeps its answer's share until the write times out, so without a bound together a few
// hundred such clients hold a few hundred answers.
//
// A probe reserves its session's last answer weight before it runs (waiting, within its deadline,
// while the budget is spent), and its true weight once its collectors are done. Waiters are served
// in order; a probe whose deadline passes while it waits is answered 503.
type AnswerBudget struct {
	max     int64
	sem     *semaphore.Weighted
	used    atomic.Int64
	peak    atomic.Int64
	waiting atomic.Int64
	waits   atomic.Int64
	refused atomic.Int64
	cutOff  atomic.Int64

	maxDesc, usedDesc, waitingDesc, waitsDesc, refusedDesc, cutOffDesc *prometheus.Desc
}

// NewAnswerBudget returns a budget of maxBytes (at least one answer's share).
func NewAnswerBudget(maxBytes int64) *AnswerBudget {
	maxBytes = max(maxBytes, answerShare)
	return &AnswerBudget{
		max: maxBytes,
		sem: semaphore.NewWeighted(maxBytes),
		maxDesc: prometheus.NewDesc("netbackup_exporter_answer_budget_bytes",
			"What the answers of the probes in flight may weigh together (--probe.max-answers-bytes).", nil, nil),
		usedDesc: prometheus.NewDesc("netbackup_exporter_answer_budget_used_bytes",
			"What the answers of the probes in flight weigh now: their series and a share per answer for its encoder.", nil, nil),
		waitingDesc: prometheus.NewDesc("netbackup_exporter_answer_budget_waiting_probes",
			"Probes waiting for room in the answer budget.", nil, nil),
		waitsDesc: prometheus.NewDesc("netbackup_exporter_answer_budget_waits_total",
			"Probes that waited for room in the answer budget.", nil, nil),
		refusedDesc: prometheus.NewDesc("netbackup_exporter_answer_budget_refused_total",
			"Probes answered 503 because the answer budget had no room for them before their deadline.", nil, nil),
		cutOffDesc: prometheus.NewDesc("netbackup_exporter_answer_writes_cut_off_total",
			"Answers whose client read nothing for --web.answer-idle-timeout, or not all of it within the probe's write deadline: the connection was closed.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (b *AnswerBudget) Describe(ch chan<- *prometheus.Desc) { prometheus.DescribeByCollect(b, ch) }

// Collect implements prometheus.Collector.
func (b *AnswerBudget) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(b.maxDesc, prometheus.GaugeValue, float64(b.max))
	ch <- prometheus.MustNewConstMetric(b.usedDesc, prometheus.GaugeValue, float64(b.used.Load()))
	ch <- prometheus.MustNewConstMetric(b.waitingDesc, prometheus.GaugeValue, float64(b.waiting.Load()))
	ch <- prometheus.MustNewConstMetric(b.waitsDesc, prometheus.CounterValue, float64(b.waits.Load()))
	ch <- prometheus.MustNewConstMetric(b.refusedDesc, prometheus.CounterValue, float64(b.refused.Load()))
	ch <- prometheus.MustNewConstMetric(b.cutOffDesc, prometheus.CounterValue, float64(b.cutOff.Load()))
}

// answerHold is one probe's share of the budget. A nil budget holds nothing and never waits.
type answerHold struct {
	b    *AnswerBudget
	held int64
}

// reserve holds weight bytes and an answer's share, waiting within ctx while the budget is spent.
func (b *AnswerBudget) reserve(ctx context.Context, weight int64) (*answerHold, error) {
	h := &answerHold{b: b}
	if b == nil {
		return h, nil
	}
	n := b.charge(weight)
	if err := b.acquire(ctx, n); err != nil {
		return nil, err
	}
	h.held = n
	return h, nil
}

// resize makes the hold weight bytes and an answer's share. Growing takes the difference when it
// is free at once; otherwise the hold is given back and taken whole in the queue, so that no probe
// waits while holding a share another waiter needs.
func (h *answerHold) resize(ctx context.Context, weight int64) error {
	if h.b == nil {
		return nil
	}
	n := h.b.charge(weight)
	switch {
	case n <= h.held:
		h.b.give(h.held - n)
		h.held = n
		return nil
	case h.b.sem.TryAcquire(n - h.held):
		h.b.add(n - h.held)
		h.held = n
		return nil
	}
	h.release()
	if err := h.b.acquire(ctx, n); err != nil {
		return err
	}
	h.held = n
	return nil
}

// release gives the hold back.
func (h *answerHold) release() {
	if h.b != nil && h.held > 0 {
		h.b.give(h.held)
		h.held = 0
	}
}

// charge is what an answer of weight bytes takes from the budget: its weight and its share, at
// most the whole budget, so that an answer larger than the budget still goes, alone.
func (b *AnswerBudget) charge(weight int64) int64 {
	return min(max(weight, 0)+answerShare, b.max)
}

func (b *AnswerBudget) acquire(ctx context.Context, n int64) error {
	if !b.sem.TryAcquire(n) {
		b.waits.Add(1)
		b.waiting.Add(1)
		err := b.sem.Acquire(ctx, n)
		b.waiting.Add(-1)
		if err != nil {
			b.refused.Add(1)
			return fmt.Errorf("%w: %d bytes of %d in use, %d needed (--probe.max-answers-bytes): %w",
				errAnswerBudget, b.used.Load(), b.max, n, err)
		}
	}
	b.add(n)
	return nil
}

func (b *AnswerBudget) add(n int64) {
	used := b.used.Add(n)
	for {
		p := b.peak.Load()
		if used <= p || b.peak.CompareAndSwap(p, used) {
			return
		}
	}
}

func (b *AnswerBudget) give(n int64) {
	b.used.Add(-n)
	b.sem.Release(n)
}

// errAnswerBudget is a probe turned away for want of room in the budget.
var errAnswerBudget = errors.New("no room for the answer before the probe's deadline")

// answerEstimate is what the last answer of module's session with target weighed: what its next
// probe reserves before it runs. 0 for a session not seen yet.
func (s *Sessions) answerEstimate(m *config.Module, t Target) int64 {
	key := sessionKey(m, t)
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.byKey[key]; ok {
		return e.Value.(*session).answerWeight.Load()
	}
	return 0
}
