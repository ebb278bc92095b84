package prober

import (
	"bytes"
	"sync"

	"github.com/go-kit/log"
)

// probeLogger sends each line both to the exporter's logger (filtered at --log.level) and, whatever
// that level, into a per-probe buffer at debug level: debug=true and the probe history show what
// happened during one probe without turning up logging for the whole process.
type probeLogger struct {
	main log.Logger
	buf  *lockedBuffer
	tee  log.Logger
}

func newProbeLogger(main log.Logger, module, target string) *probeLogger {
	buf := &lockedBuffer{}
	p := &probeLogger{main: main, buf: buf}
	p.tee = log.With(teeLogger{main: main, buf: log.NewLogfmtLogger(buf)}, "module", module, "target", target)
	return p
}

func (p *probeLogger) Logger() log.Logger { return p.tee }
func (p *probeLogger) String() string     { return p.buf.String() }

type teeLogger struct{ main, buf log.Logger }

func (t teeLogger) Log(kv ...any) error {
	_ = t.buf.Log(kv...)
	return t.main.Log(kv...)
}

// lockedBuffer is written by the probe's collectors concurrently.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
