package nbu

import (
	"container/list"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// idleConnTimeout is how long an idle connection to NetBackup is kept: past Prometheus's default
// scrape interval of a minute, so that a steady probe reuses its connection.
const idleConnTimeout = 75 * time.Second

// newTransport is the client's own transport: every connection goes through dial.
func (c *Client) newTransport(tlsConf *tls.Config, conc int) *http.Transport {
	var tc *tls.Config
	if tlsConf != nil {
		tc = tlsConf.Clone()
	}
	c.dialer = &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           c.dial,
		TLSClientConfig:       tc,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          conc,
		MaxIdleConnsPerHost:   conc,
		IdleConnTimeout:       idleConnTimeout,
	}
}

// dial opens one connection to NetBackup (or to the proxy in front of it): within the budget of
// open connections, and, for a login, never to an address where NetBackup refused the same
// credentials during their hold-off (the connection is closed before anything is sent on it).
func (c *Client) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	release, err := c.conns.acquire(ctx)
	if err != nil {
		return nil, err
	}
	conn, err := c.dialer.DialContext(ctx, network, addr)
	if err != nil {
		release()
		return nil, err
	}
	if ld, ok := ctx.Value(loginDialKey{}).(*loginDial); ok && strings.EqualFold(addr, c.dialAddr) {
		if err := ld.check(conn.RemoteAddr().String(), c.now()); err != nil {
			conn.Close()
			release()
			return nil, err
		}
	}
	if c.conns == nil {
		return conn, nil
	}
	c.open.Add(1)
	// The connection may end up idle without a request of c finishing on it (it was dialed for
	// a request that another connection served): c must be among those whose idle ones are trimmed.
	c.conns.used(c)
	return &budgetConn{Conn: conn, release: func() {
		release()
		if c.open.Add(-1) == 0 {
			c.conns.forget(c)
		}
	}}, nil
}

type loginDialKey struct{}

// loginDial goes with a login's request to its dial: whose credentials, and which address the
// connection reached (the second key of a refusal).
type loginDial struct {
	holdoffs *LoginHoldoffs
	digest   holdoffKey
	remote   atomic.Pointer[string]
}

func (d *loginDial) check(remote string, now time.Time) error {
	d.remote.Store(&remote)
	if held, ok := d.holdoffs.active(d.holdoffs.at(d.digest, remote), now); ok {
		return held
	}
	return nil
}

// reached is the address the login's connection reached; "" when it reused one, or went through
// a proxy.
func (d *loginDial) reached() string {
	if r := d.remote.Load(); r != nil {
		return *r
	}
	return ""
}

// ConnBudget bounds the connections to NetBackup that the clients sharing it hold open, in use or
// idle: each costs a file descriptor and two goroutines, and a process has a fixed number of
// descriptors. Past the bound, a new connection first closes the idle connections of the least
// recently used clients; when none is idle it waits, within its request's deadline, for one to
// close, rather than fail with "too many open files". A client keeps a connection per request it
// runs at once, so a steady probe reuses one.
type ConnBudget struct {
	slots chan struct{}

	mu       sync.Mutex
	lru      *list.List // of *Client that may hold idle connections; front: the most recently used
	byClient map[*Client]*list.Element
	change   chan struct{} // closed at the next used, for dials waiting for a slot; nil = none waits
}

// NewConnBudget returns a budget of maxOpen connections (at least 1).
func NewConnBudget(maxOpen int) *ConnBudget {
	return &ConnBudget{slots: make(chan struct{}, max(maxOpen, 1)), lru: list.New(), byClient: map[*Client]*list.Element{}}
}

// acquire takes a slot for a new connection; release gives it back. A nil budget has no bound.
func (b *ConnBudget) acquire(ctx context.Context) (release func(), err error) {
	if b == nil {
		return func() {}, nil
	}
	for {
		select {
		case b.slots <- struct{}{}:
			return b.releaser(), nil
		default:
		}
		if b.trimOne() {
			continue
		}
		// Every slot is in use: wait for one to close, or for a client to finish a request
		// (its connection may be idle now, and trimmed).
		select {
		case b.slots <- struct{}{}:
			return b.releaser(), nil
		case <-b.changed():
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for one of the %d connections to NetBackup this process may open: %w", cap(b.slots), ctx.Err())
		}
	}
}

// changed is closed at the next used.
func (b *ConnBudget) changed() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.change == nil {
		b.change = make(chan struct{})
	}
	return b.change
}

func (b *ConnBudget) releaser() func() {
	var once sync.Once
	return func() { once.Do(func() { <-b.slots }) }
}

// trimOne closes the idle connections of the least recently used client; false when no client
// is left that may hold one.
func (b *ConnBudget) trimOne() bool {
	b.mu.Lock()
	e := b.lru.Back()
	if e == nil {
		b.mu.Unlock()
		return false
	}
	c := b.lru.Remove(e).(*Client)
	delete(b.byClient, c)
	b.mu.Unlock()
	// Outside b.mu: a connection that closes gives its slot back and may forget its client.
	c.httpc.CloseIdleConnections()
	return true
}

// used records that c has just finished a request: its connection may be idle now. Only clients
// with a connection open are kept, so the list is never longer than the budget.
func (b *ConnBudget) used(c *Client) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.change != nil {
		close(b.change)
		b.change = nil
	}
	if c.open.Load() == 0 {
		return
	}
	if e, ok := b.byClient[c]; ok {
		b.lru.MoveToFront(e)
		return
	}
	b.byClient[c] = b.lru.PushFront(c)
}

// forget drops c, whose idle connections are closed or which has none open.
func (b *ConnBudget) forget(c *Client) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if e, ok := b.byClient[c]; ok {
		b.lru.Remove(e)
		delete(b.byClient, c)
	}
}

// budgetConn gives its slot back when it closes (once: the transport may close a connection twice).
type budgetConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *budgetConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
