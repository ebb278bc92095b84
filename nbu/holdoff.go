package nbu

import (
	"container/list"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
)

// Holding off after NetBackup refuses a login: a wrong password retried at every scrape would
// lock an Active Directory account within minutes. The wait doubles up to the cap.
const (
	refusedHoldOff    = time.Minute
	refusedHoldOffMax = 30 * time.Minute
)

// LoginHoldoffs remembers the logins NetBackup refused, per credentials and primary host, so that
// the same credentials are not tried again at that host before the hold-off ends. It is meant to
// be shared by every client of a process and to outlive them: a session evicted and made again, a
// reload that keeps the credentials, or a second module with the same account, all find the
// hold-off. Other credentials are other keys, so a corrected password logs in at once.
//
// The primary host is the host and port of the client's base URL as configured, case-folded,
// and, once a login's connection has been made, the address that connection reached: nothing is
// resolved for the key, and two spellings of one primary (localhost and 127.0.0.1) meet at the
// address their connections reach (a login dials before it sends the password, and a connection
// that reaches a held-off address is closed unused). Behind a proxy only the configured host
// counts. The credentials are keyed by a salted SHA-256, never kept in clear. The store keeps at
// most its capacity of hold-offs, the least recently refused going first.
type LoginHoldoffs struct {
	salt [32]byte

	mu    sync.Mutex
	max   int
	lru   *list.List // of *holdoff; front: the most recently recorded
	byKey map[holdoffKey]*list.Element
}

// NewLoginHoldoffs returns an empty store that keeps at most capacity hold-offs (at least 1).
func NewLoginHoldoffs(capacity int) *LoginHoldoffs {
	h := &LoginHoldoffs{max: max(capacity, 1), lru: list.New(), byKey: map[holdoffKey]*list.Element{}}
	_, _ = rand.Read(h.salt[:]) // crypto/rand.Read does not fail
	return h
}

type holdoffKey [sha256.Size]byte

type holdoff struct {
	key  holdoffKey
	held *holdoffError
}

// holdoffError is a login not sent because NetBackup refused the same credentials at the same
// host not long ago: it wraps that refusal, so errors.Is(err, ErrUnauthorized) holds.
type holdoffError struct {
	err   error // the refusal (already redacted)
	until time.Time
	wait  time.Duration
}

func (e *holdoffError) Error() string {
	return fmt.Sprintf("%v (not logging in again before %s: NetBackup refused these credentials)", e.err, e.until.UTC().Format(time.RFC3339))
}

func (e *holdoffError) Unwrap() error { return e.err }

// digest keys a login's credentials (the token lifetime is not part of them).
func (h *LoginHoldoffs) digest(l Login) holdoffKey {
	m := sha256.New()
	m.Write(h.salt[:])
	for _, f := range []string{l.UserName, l.Password, l.DomainType, l.DomainName} {
		m.Write(binary.BigEndian.AppendUint64(nil, uint64(len(f))))
		m.Write([]byte(f))
	}
	return holdoffKey(m.Sum(nil))
}

// at keys the credentials of digest at one host.
func (h *LoginHoldoffs) at(digest holdoffKey, host string) holdoffKey {
	m := sha256.New()
	m.Write(digest[:])
	m.Write([]byte(host))
	return holdoffKey(m.Sum(nil))
}

// hostKey is how a configured host and port are spelled in a key: case-folded, without the
// trailing dot of a fully qualified name.
func hostKey(host, port string) string {
	return net.JoinHostPort(strings.TrimSuffix(strings.ToLower(host), "."), port)
}

// active returns the hold-off under key when it lasts past now.
func (h *LoginHoldoffs) active(key holdoffKey, now time.Time) (*holdoffError, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.byKey[key]
	if !ok {
		return nil, false
	}
	held := e.Value.(*holdoff).held
	return held, now.Before(held.until)
}

// refuse records a refused login under every key: the wait doubles from the longest those keys
// held, up to the cap.
func (h *LoginHoldoffs) refuse(keys []holdoffKey, err error, now time.Time) *holdoffError {
	h.mu.Lock()
	defer h.mu.Unlock()
	wait := time.Duration(0)
	for _, k := range keys {
		if e, ok := h.byKey[k]; ok {
			wait = max(wait, min(2*e.Value.(*holdoff).held.wait, refusedHoldOffMax))
		}
	}
	if wait == 0 {
		wait = refusedHoldOff
	}
	held := &holdoffError{err: err, until: now.Add(wait), wait: wait}
	for _, k := range keys {
		h.putLocked(k, held)
	}
	return held
}

// hold records under key a hold-off found under another (the address a new spelling reached).
func (h *LoginHoldoffs) hold(key holdoffKey, held *holdoffError) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.putLocked(key, held)
}

func (h *LoginHoldoffs) putLocked(key holdoffKey, held *holdoffError) {
	if e, ok := h.byKey[key]; ok {
		e.Value.(*holdoff).held = held
		h.lru.MoveToFront(e)
		return
	}
	h.byKey[key] = h.lru.PushFront(&holdoff{key: key, held: held})
	h.trimLocked()
}

func (h *LoginHoldoffs) trimLocked() {
	for h.lru.Len() > h.max {
		delete(h.byKey, h.lru.Remove(h.lru.Back()).(*holdoff).key)
	}
}

// Capacity is how many hold-offs the store keeps.
func (h *LoginHoldoffs) Capacity() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.max
}

// SetCapacity changes how many hold-offs the store keeps (at least 1), forgetting the least
// recently refused past it.
func (h *LoginHoldoffs) SetCapacity(n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.max = max(n, 1)
	h.trimLocked()
}

// forget drops the hold-offs under keys (the credentials logged in there).
func (h *LoginHoldoffs) forget(keys ...holdoffKey) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, k := range keys {
		if e, ok := h.byKey[k]; ok {
			h.lru.Remove(e)
			delete(h.byKey, k)
		}
	}
}
