package prober

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"gopkg.in/yaml.v3"

	"github.com/netbackup-exporter/netbackup_exporter/config"
)

// ProbeResult is one probe as the landing page lists it.
type ProbeResult struct {
	ID      int64
	Module  string
	Target  string
	Success bool
	Time    time.Time
	// DebugOutput is filled by Get. List leaves it empty: rendering it is the costly part, as
	// costly as the probe's whole answer, and most probes' debug output is never looked at.
	DebugOutput string
	// What Get renders it from: the module, the head of the log (counted against
	// maxHistoryBytes) and the probe's metrics, which only the newest keptRenders of each list
	// keep.
	module *config.Module
	logs   string
	reg    prometheus.Gatherer
}

// Bounds on what the history keeps: the log of each probe up to maxHistoryLogBytes, and the
// metrics (as large as the probe's answer) of the newest keptRenders probes of each list only,
// and of none whose answer was over maxRenderedAnswerBytes.
const (
	maxHistoryLogBytes     = 64 << 10
	keptRenders            = 8
	maxRenderedAnswerBytes = 4 << 20
	// maxHistoryBytes bounds the logs the history keeps, whatever --history.limit says: the
	// oldest probes go first (successes before failures).
	maxHistoryBytes = 32 << 20
)

// History keeps the most recent probes for the landing page, bounded by Limit. Failures are what an
// operator comes looking for, so a failure pushed out of the recent list is kept in a second list
// of the same bound, and survives a flood of successes.
type History struct {
	mu       sync.Mutex
	limit    int
	nextID   int64
	recent   []*ProbeResult
	failures []*ProbeResult
}

// NewHistory returns a history of at most limit recent probes (and as many older failures).
func NewHistory(limit int) *History { return &History{limit: limit} }

// Add records a probe and returns its id.
func (h *History) Add(r ProbeResult) int64 {
	if h == nil || h.limit <= 0 {
		return 0
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	r.ID = h.nextID
	h.nextID++
	h.recent = append(h.recent, &r)
	if len(h.recent) > h.limit {
		old := h.recent[0]
		h.recent = append(h.recent[:0:0], h.recent[1:]...)
		if !old.Success {
			h.failures = append(h.failures, old)
			if len(h.failures) > h.limit {
				h.failures = append(h.failures[:0:0], h.failures[1:]...)
			}
		}
	}
	forgetMetrics(h.recent)
	forgetMetrics(h.failures)
	h.shrink()
	return r.ID
}

// shrink drops the oldest probes, successes before failures, until the logs fit maxHistoryBytes.
func (h *History) shrink() {
	total := 0
	for _, list := range [][]*ProbeResult{h.recent, h.failures} {
		for _, r := range list {
			total += len(r.logs)
		}
	}
	for total > maxHistoryBytes && len(h.failures) > 0 {
		total -= len(h.failures[0].logs)
		h.failures = h.failures[1:]
	}
	for total > maxHistoryBytes && len(h.recent) > 1 {
		total -= len(h.recent[0].logs)
		h.recent = h.recent[1:]
	}
}

// forgetMetrics drops the metrics of all but the newest keptRenders probes of list.
func forgetMetrics(list []*ProbeResult) {
	for i := 0; i < len(list)-keptRenders; i++ {
		list[i].reg = nil
	}
}

// List returns the kept probes, newest first: recent ones, then older failures.
func (h *History) List() []ProbeResult {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]ProbeResult, 0, len(h.recent)+len(h.failures))
	for i := len(h.recent) - 1; i >= 0; i-- {
		out = append(out, *h.recent[i])
	}
	for i := len(h.failures) - 1; i >= 0; i-- {
		out = append(out, *h.failures[i])
	}
	return out
}

// Get returns the probe with the given id, its debug output rendered.
func (h *History) Get(id int64) (ProbeResult, bool) {
	if h == nil {
		return ProbeResult{}, false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, list := range [][]*ProbeResult{h.recent, h.failures} {
		for _, r := range list {
			if r.ID == id {
				return r.rendered(), true
			}
		}
	}
	return ProbeResult{}, false
}

// rendered is a copy of r with its debug output.
func (r *ProbeResult) rendered() ProbeResult {
	res := *r
	if res.module != nil {
		res.DebugOutput = debugOutput(res.module, res.logs, res.reg)
	}
	return res
}

// debugOutput is the text debug=true returns: the probe's log lines at debug level, the metrics it
// would have returned, and the module as loaded (secrets print as <secret>). The metrics section
// is valid text exposition whatever the gather says: its errors go in comment lines.
func debugOutput(m *config.Module, logs string, reg prometheus.Gatherer) string {
	var buf bytes.Buffer
	buf.WriteString("Logs for the probe:\n")
	buf.WriteString(logs)
	buf.WriteString("\n\nMetrics that would have been returned:\n")
	if reg == nil {
		buf.WriteString("# (no longer kept: the history keeps the metrics of its newest probes only)\n")
	} else {
		writeGathered(&buf, reg)
	}
	buf.WriteString("\n\nModule configuration:\n")
	if m != nil {
		c, err := yaml.Marshal(m)
		if err != nil {
			fmt.Fprintf(&buf, "# error marshalling module: %v\n", err)
		}
		buf.Write(c)
	}
	return buf.String()
}

// writeGathered writes what reg gathers in the text format, its errors as comments.
func writeGathered(buf *bytes.Buffer, reg prometheus.Gatherer) {
	mfs, err := reg.Gather()
	if err != nil {
		writeComment(buf, "error gathering metrics: "+err.Error())
	}
	var fam bytes.Buffer // a family is written whole or not at all
	for _, mf := range mfs {
		fam.Reset()
		if _, err := expfmt.MetricFamilyToText(&fam, mf); err != nil {
			writeComment(buf, fmt.Sprintf("error formatting metric family %s: %v", mf.GetName(), err))
			continue
		}
		buf.Write(fam.Bytes())
	}
}

// writeComment writes text as comment lines, one per line of it. Each starts with "# ! ", so
// that none reads as a HELP or TYPE line.
func writeComment(buf *bytes.Buffer, text string) {
	for _, line := range strings.Split(text, "\n") {
		buf.WriteString("# ! ")
		buf.WriteString(strings.ToValidUTF8(line, "\uFFFD"))
		buf.WriteByte('\n')
	}
}
