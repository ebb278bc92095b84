package prober

import (
	"bytes"
	"fmt"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// goroutineSnapshot is the set of goroutines alive at one moment, by id, with their stacks.
type goroutineSnapshot map[string]string

func takeGoroutines() goroutineSnapshot {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	out := goroutineSnapshot{}
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		header, _, _ := bytes.Cut(g, []byte("\n"))
		// "goroutine 42 [chan receive]:"
		fields := strings.Fields(string(header))
		if len(fields) < 2 || fields[0] != "goroutine" {
			continue
		}
		out[fields[1]] = string(g)
	}
	return out
}

// benign are goroutines that belong to the test framework or the runtime, not to what a test
// started: they come and go on their own.
func benign(stack string) bool {
	for _, s := range []string{
		"testing.tRunner(", "testing.(*T).Run(", "testing.(*T).Parallel(", "testing.runTests(",
		"testing.(*M).", "testing.(*F).", "os/signal.", "runtime.ensureSigM", "runtime/pprof.",
	} {
		if strings.Contains(stack, s) {
			return true
		}
	}
	return false
}

// checkNoLeaks waits, for a bounded time, until every goroutine not in before (and not benign)
// has ended, and fails the test listing those that remain.
func checkNoLeaks(t *testing.T, before goroutineSnapshot) {
	t.Helper()
	checkNoLeaksWithin(t, before, 10*time.Second)
}

func checkNoLeaksWithin(t interface {
	Helper()
	Errorf(string, ...any)
}, before goroutineSnapshot, wait time.Duration) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		var extra []string
		for id, stack := range takeGoroutines() {
			if _, ok := before[id]; !ok && !benign(stack) {
				extra = append(extra, stack)
			}
		}
		if len(extra) == 0 {
			return
		}
		if time.Now().After(deadline) {
			slices.Sort(extra)
			t.Errorf("%d goroutine(s) left behind:\n\n%s", len(extra), strings.Join(extra, "\n\n"))
			return
		}
		// Polling, bounded: goroutines that were told to stop (connection closed, handler
		// returned) need a moment to be scheduled and unwind, and offer nothing to wait on.
		time.Sleep(10 * time.Millisecond)
	}
}

// trackingListener counts the connections it accepts and those still open on the server side.
// waitFor lets a test wait on those counts without sleeping: every change wakes the waiters.
type trackingListener struct {
	net.Listener
	mu       sync.Mutex
	accepted []string // remote addresses, in accept order
	open     int
	changed  chan struct{}
}

func trackListener(l net.Listener) *trackingListener {
	return &trackingListener{Listener: l, changed: make(chan struct{})}
}

func newTrackingListener(t *testing.T) *trackingListener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return trackListener(l)
}

func (l *trackingListener) notifyLocked() {
	close(l.changed)
	l.changed = make(chan struct{})
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.accepted = append(l.accepted, c.RemoteAddr().String())
	l.open++
	l.notifyLocked()
	l.mu.Unlock()
	return &trackedConn{Conn: c, l: l}, nil
}

type trackedConn struct {
	net.Conn
	l    *trackingListener
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		c.l.open--
		c.l.notifyLocked()
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

// waitFor waits until cond (called with the lock held) is true, or fails the test after timeout.
func (l *trackingListener) waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		l.mu.Lock()
		ok, ch := cond(), l.changed
		accepted, open := len(l.accepted), l.open
		l.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-timer.C:
			t.Fatalf("%s: not reached after %v (accepted %d, open %d)", what, timeout, accepted, open)
		}
	}
}

// acceptedBefore dials the listener itself and returns how many connections were accepted before
// that one. The kernel hands connections to Accept in arrival order, so once the sentinel is
// accepted, every connection made before it has been counted: a deterministic "nothing connected".
// The server behind the listener must keep accepting.
func (l *trackingListener) acceptedBefore(t *testing.T) int {
	t.Helper()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatalf("sentinel connection: %v", err)
	}
	defer c.Close()
	me := c.LocalAddr().String()
	n := -1
	l.waitFor(t, "sentinel connection accepted", 10*time.Second, func() bool {
		if i := slices.Index(l.accepted, me); i >= 0 {
			n = i
			return true
		}
		return false
	})
	return n
}

// waitClosed waits until the server side has seen every accepted connection close.
func (l *trackingListener) waitClosed(t *testing.T, timeout time.Duration) {
	t.Helper()
	l.waitFor(t, fmt.Sprintf("all connections to %s closed", l.Addr()), timeout, func() bool { return l.open == 0 })
}

func TestLeakCheckerSeesALeak(t *testing.T) {
	before := takeGoroutines()
	stop := make(chan struct{})
	go func() { <-stop }()
	ft := &fakeT{}
	checkNoLeaksWithin(ft, before, 50*time.Millisecond)
	close(stop)
	if !ft.failed || !strings.Contains(ft.msg, "TestLeakCheckerSeesALeak") {
		t.Errorf("the leak checker did not report a goroutine it should have: failed=%v %q", ft.failed, ft.msg)
	}
	checkNoLeaks(t, before)
}

// fakeT records a failure instead of failing, to test the checker itself.
type fakeT struct {
	failed bool
	msg    string
}

func (f *fakeT) Helper() {}
func (f *fakeT) Errorf(format string, args ...any) {
	f.failed = true
	f.msg = fmt.Sprintf(format, args...)
}
