package prober

import (
	"bytes"
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/go-kit/log"

	"github.com/netbackup-exporter/netbackup_exporter/internal/redact"
)

// Bounds on one probe's log, which debug=true returns and the history keeps: a primary that sends
// a new 1 MB cursor on every page must not make it grow without end.
const (
	maxProbeLogBytes  = 1 << 20
	maxProbeLineBytes = 8 << 10
)

// newProbeLogger returns a logger that sends each line both to the exporter's logger (filtered at
// --log.level) and, whatever that level, into the probe's buffer at debug level: debug=true and
// the probe history show what happened during one probe without turning up logging for the whole
// process. The module's secrets are scrubbed from both.
func newProbeLogger(main log.Logger, module, target string, secrets *redact.Set) (log.Logger, *lockedBuffer) {
	buf := &lockedBuffer{limit: maxProbeLogBytes}
	tee := teeLogger{main: main, buf: log.NewLogfmtLogger(buf)}
	return log.With(scrubLogger{next: tee, scrub: secrets.String}, "module", module, "target", target), buf
}

type teeLogger struct{ main, buf log.Logger }

func (t teeLogger) Log(kv ...any) error {
	_ = t.buf.Log(kv...)
	return t.main.Log(kv...)
}

// scrubLogger replaces secrets in the values of a log line (text a server sent back can hold them).
type scrubLogger struct {
	next  log.Logger
	scrub func(string) string
}

func (s scrubLogger) Log(kv ...any) error {
	out := make([]any, len(kv))
	for i, v := range kv {
		switch x := v.(type) {
		case string:
			v = s.scrub(x)
		case error:
			if t := x.Error(); s.scrub(t) != t {
				v = s.scrub(t)
			}
		case fmt.Stringer:
			if t := x.String(); s.scrub(t) != t {
				v = s.scrub(t)
			}
		}
		out[i] = v
	}
	return s.next.Log(out...)
}

// lockedBuffer is written by the probe's collectors concurrently. Past limit it keeps only the
// count of what it dropped; a line longer than maxProbeLineBytes is cut.
type lockedBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	limit   int
	dropped int
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) > maxProbeLineBytes {
		p = append(p[:maxProbeLineBytes:maxProbeLineBytes], fmt.Sprintf("... (line cut: %d bytes)\n", n)...)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.limit > 0 && l.b.Len()+len(p) > l.limit {
		l.dropped += len(p)
		return n, nil
	}
	l.b.Write(p)
	return n, nil
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stringLocked()
}

func (l *lockedBuffer) stringLocked() string {
	if l.dropped == 0 {
		return l.b.String()
	}
	return l.b.String() + fmt.Sprintf("... log truncated: %d more bytes of log lines were not kept (the limit is %d bytes)\n", l.dropped, l.limit)
}

// head is the first limit bytes of the log (what the history keeps), saying so when it cut:
// copying a first probe's whole log (a line a page) to keep its head would double it for nothing.
func (l *lockedBuffer) head(limit int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.b.Bytes()
	if len(b) <= limit {
		return l.stringLocked()
	}
	more := len(b) - limit + l.dropped
	return redact.CutUTF8(string(b[:min(len(b), limit+utf8.UTFMax)]), limit) + fmt.Sprintf("\n... log truncated for the history: %d more bytes\n", more)
}
