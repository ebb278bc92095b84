package nbu

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Holding off after NetBackup refuses a login: a wrong password retried at every scrape would
// lock an Active Directory account within minutes. The wait doubles up to the cap and ends at
// once when the credentials change.
const (
	refusedHoldOff    = time.Minute
	refusedHoldOffMax = 30 * time.Minute
)

// auth is a client's credentials and, for a login, its current token. Concurrent requests that
// find no usable token share one login (flight); a channel, so that waiting honours ctx.
type auth struct {
	mu        sync.Mutex
	creds     Credentials
	old       Credentials // the previous credentials: requests in flight may still echo them
	gen       uint64      // bumped by set, so a login started with old credentials is not kept
	static    *token      // the API key's token
	cur       *token      // nil = log in before the next request
	prevToken string      // the token cur replaced, still scrubbed from errors
	flight    *loginCall
	refused   *refusal
	now       func() time.Time
}

type loginCall struct {
	done chan struct{}
	tok  *token
	err  error
}

// refusal remembers a login NetBackup refused (400/401/403), so later requests fail with its
// answer instead of asking again.
type refusal struct {
	err   error
	until time.Time
	wait  time.Duration
}

func newAuth(cr Credentials, now func() time.Time) *auth {
	a := &auth{now: now}
	a.setLocked(cr)
	return a
}

func (a *auth) set(cr Credentials) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if cr == a.creds {
		return
	}
	a.old = a.creds
	a.setLocked(cr)
}

func (a *auth) setLocked(cr Credentials) {
	a.creds, a.gen = cr, a.gen+1
	a.static = &token{header: cr.APIKey, value: cr.APIKey}
	if a.cur != nil {
		a.prevToken = a.cur.value
	}
	a.cur, a.flight, a.refused = nil, nil, nil
}

// get returns the token to send, logging in first when there is none or it is about to expire.
func (a *auth) get(ctx context.Context, c *Client, version string) (*token, error) {
	for {
		a.mu.Lock()
		if a.creds.Login.UserName == "" {
			t := a.static
			a.mu.Unlock()
			return t, nil
		}
		now := a.now()
		if t := a.cur; t != nil && now.Before(t.renewAt) {
			a.mu.Unlock()
			return t, nil
		}
		if r := a.refused; r != nil && now.Before(r.until) {
			a.mu.Unlock()
			return nil, fmt.Errorf("%w (not logging in again before %s: NetBackup refused these credentials)", r.err, r.until.UTC().Format(time.RFC3339))
		}
		call, leader := a.flight, false
		if call == nil {
			call, leader = &loginCall{done: make(chan struct{})}, true
			a.flight = call
		}
		gen, login := a.gen, a.creds.Login
		a.mu.Unlock()

		if leader {
			call.tok, call.err = c.login(ctx, login, version)
			a.finish(call, gen)
		}
		select {
		case <-call.done:
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for a concurrent NetBackup login: %w", ctx.Err())
		}
		if call.err != nil && ctx.Err() == nil && (errors.Is(call.err, context.Canceled) || errors.Is(call.err, context.DeadlineExceeded)) {
			continue // the login ran out of its caller's time, not of ours: try again
		}
		return call.tok, call.err
	}
}

// finish records a login's outcome, unless the credentials changed while it ran.
func (a *auth) finish(call *loginCall, gen uint64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	defer close(call.done)
	if a.flight == call {
		a.flight = nil
	}
	if gen != a.gen {
		return
	}
	if call.err == nil {
		if a.cur != nil {
			a.prevToken = a.cur.value
		}
		a.cur, a.refused = call.tok, nil
		return
	}
	if isStatus(call.err, http.StatusUnauthorized) || isStatus(call.err, http.StatusBadRequest) || isStatus(call.err, http.StatusForbidden) {
		wait := refusedHoldOff
		if a.refused != nil {
			wait = min(2*a.refused.wait, refusedHoldOffMax)
		}
		a.refused = &refusal{err: call.err, until: a.now().Add(wait), wait: wait}
	}
}

// drop forgets tok after NetBackup answered 401 to it, and reports whether logging in again is
// worth it: yes if tok had worked before (it expired or was revoked), or if another request has
// already replaced it; no for an API key or a token that never worked.
func (a *auth) drop(tok *token) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.creds.Login.UserName == "" || tok == a.static {
		return false
	}
	if a.cur != tok {
		return true
	}
	if !tok.worked.Load() {
		return false
	}
	a.prevToken, a.cur = tok.value, nil
	return true
}
