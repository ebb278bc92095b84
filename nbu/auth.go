package nbu

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/redact"
)

// Credentials say how the client authenticates: with an API key, sent as it is, or by logging in
// as a NetBackup user and sending the token the login returns. Exactly one is set.
type Credentials struct {
	APIKey string
	Login  Login
}

// Login is a NetBackup user account (POST /login in gateway.yaml). The zero value is no login.
type Login struct {
	UserName   string
	Password   string
	DomainType string // NT, vx, unixpwd or ldap; "" = the server's default
	DomainName string
	// TokenTTL is how long a token is used when the login answer does not say (default 10m).
	TokenTTL time.Duration
}

// DefaultTokenTTL is the token lifetime assumed when neither the login answer nor Login.TokenTTL
// gives one.
const DefaultTokenTTL = 10 * time.Minute

// String keeps the password out of any %v rendering.
func (l Login) String() string {
	return fmt.Sprintf("nbu.Login{UserName: %q, Password: <redacted>, DomainType: %q, DomainName: %q}", l.UserName, l.DomainType, l.DomainName)
}

// GoString covers %#v as well.
func (l Login) GoString() string { return l.String() }

// String keeps the key and the password out of any %v rendering.
func (c Credentials) String() string {
	if c.Login.UserName != "" {
		return "nbu.Credentials{Login: " + c.Login.String() + "}"
	}
	return "nbu.Credentials{APIKey: <redacted>}"
}

// GoString covers %#v as well.
func (c Credentials) GoString() string { return c.String() }

func (c Credentials) validate() error {
	switch {
	case c.APIKey != "" && c.Login != (Login{}):
		return errors.New("nbu: both an API key and a login are set; use one")
	case c.Login != (Login{}) && c.Login.UserName == "":
		return errors.New("nbu: a login needs a user name")
	case strings.ContainsAny(c.APIKey, "\r\n\x00"):
		// The value itself is deliberately not quoted.
		return errors.New("nbu: API key contains control characters")
	}
	return nil
}

// token is one Authorization value. worked is set once NetBackup has accepted it, which tells an
// expired token (log in again) from an account NetBackup refuses (do not).
type token struct {
	header  string // the whole Authorization value
	value   string // the secret part, scrubbed from errors
	renewAt time.Time
	worked  atomic.Bool
}

// SetCredentials replaces the credentials of a live client, keeping its connections and detected
// version: rotating a key or a password must not cost a target its state. A token obtained with
// the old credentials is dropped. A refused login is held off per credentials, so new ones are
// tried at once, and the old ones stay held off if they come back.
func (c *Client) SetCredentials(cr Credentials) error {
	if err := cr.validate(); err != nil {
		return err
	}
	c.auth.set(cr)
	return nil
}

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
	now       func() time.Time

	// holdoffs remembers refused logins beyond this client; digest keys creds.Login in it, and
	// host is the primary as configured.
	holdoffs *LoginHoldoffs
	digest   holdoffKey
	host     string

	// scrubbing is every secret above, rebuilt whenever one changes: Scrub reads it without a lock.
	scrubbing atomic.Pointer[redact.Set]
}

type loginCall struct {
	done chan struct{}
	tok  *token
	err  error
}

func newAuth(cr Credentials, holdoffs *LoginHoldoffs, host string, now func() time.Time) *auth {
	a := &auth{now: now, holdoffs: holdoffs, host: host}
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
	a.digest = a.holdoffs.digest(cr.Login)
	if a.cur != nil {
		a.prevToken = a.cur.value
	}
	a.cur, a.flight = nil, nil
	a.refreshSecretsLocked()
}

// secrets is what must never appear in an error, a log line or a label: the key, the password,
// the previous ones (requests in flight may still echo them) and the tokens.
func (a *auth) secrets() *redact.Set { return a.scrubbing.Load() }

func (a *auth) refreshSecretsLocked() {
	curToken := ""
	if a.cur != nil {
		curToken = a.cur.value
	}
	a.scrubbing.Store(redact.New(a.creds.APIKey, a.creds.Login.Password, a.old.APIKey, a.old.Login.Password, a.prevToken, curToken))
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
		if held, ok := a.holdoffs.active(a.holdoffs.at(a.digest, a.host), now); ok {
			a.mu.Unlock()
			return nil, held
		}
		call, leader := a.flight, false
		if call == nil {
			call, leader = &loginCall{done: make(chan struct{})}, true
			a.flight = call
		}
		gen, login, dial := a.gen, a.creds.Login, &loginDial{holdoffs: a.holdoffs, digest: a.digest}
		a.mu.Unlock()

		if leader {
			call.tok, call.err = c.login(context.WithValue(ctx, loginDialKey{}, dial), login, version)
			a.finish(call, gen, dial)
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

// finish records a login's outcome, unless the credentials changed while it ran: the token, or
// the refusal under the configured host and the address the login's connection reached.
func (a *auth) finish(call *loginCall, gen uint64, dial *loginDial) {
	a.mu.Lock()
	defer a.mu.Unlock()
	defer close(call.done)
	if a.flight == call {
		a.flight = nil
	}
	if gen != a.gen {
		return
	}
	keys := []holdoffKey{a.holdoffs.at(a.digest, a.host)}
	if remote := dial.reached(); remote != "" {
		keys = append(keys, a.holdoffs.at(a.digest, remote))
	}
	var held *holdoffError
	switch {
	case call.err == nil:
		if a.cur != nil {
			a.prevToken = a.cur.value
		}
		a.cur = call.tok
		a.refreshSecretsLocked()
		a.holdoffs.forget(keys...)
	case errors.As(call.err, &held):
		a.holdoffs.hold(keys[0], held)
	case isStatus(call.err, http.StatusUnauthorized) || isStatus(call.err, http.StatusBadRequest) || isStatus(call.err, http.StatusForbidden):
		a.holdoffs.refuse(keys, call.err, a.now())
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
	a.refreshSecretsLocked()
	return true
}
