package nbu

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-kit/log/level"
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
// the old credentials is dropped, and so is the memory of a refused login.
func (c *Client) SetCredentials(cr Credentials) error {
	if err := cr.validate(); err != nil {
		return err
	}
	c.auth.set(cr)
	return nil
}

// send runs req with the client's credentials. With a login, a 401 to a token that has worked
// before means it expired or was revoked early: the client logs in again, once, and repeats the
// request, once. A 401 to a token that never worked is NetBackup's answer to the account, and
// logging in again would only repeat it.
func (c *Client) send(ctx context.Context, req *request, handle func(io.Reader) error) error {
	tok, err := c.auth.get(ctx, c, req.version)
	if err != nil {
		return err
	}
	req.tok = tok
	err = c.retry(ctx, req, handle)
	if !isStatus(err, http.StatusUnauthorized) || !c.auth.drop(tok) {
		return err
	}
	level.Debug(loggerFrom(ctx)).Log("msg", "NetBackup refused the session token; logging in again", "endpoint", req.endpoint)
	if req.tok, err = c.auth.get(ctx, c, req.version); err != nil {
		return fmt.Errorf("NetBackup refused the session token; logging in again: %w", err)
	}
	err = c.retry(ctx, req, handle)
	if isStatus(err, http.StatusUnauthorized) {
		return fmt.Errorf("%w (with the token of a new login)", err)
	}
	return err
}

func isStatus(err error, code int) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.StatusCode == code
}

// secrets lists what must never appear in an error: the key, the password, and the tokens that
// requests in flight may still carry.
// holdsSecret reports whether s contains one of the secrets, without building their list.
func (a *auth) holdsSecret(s string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, v := range [...]string{a.creds.APIKey, a.creds.Login.Password, a.old.APIKey, a.old.Login.Password, a.prevToken} {
		if v != "" && strings.Contains(s, v) {
			return true
		}
	}
	return a.cur != nil && a.cur.value != "" && strings.Contains(s, a.cur.value)
}

func (c *Client) secrets() []string {
	a := c.auth
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]string, 0, 6)
	for _, s := range []string{a.creds.APIKey, a.creds.Login.Password, a.old.APIKey, a.old.Login.Password, a.prevToken} {
		if s != "" {
			out = append(out, s)
		}
	}
	if a.cur != nil && a.cur.value != "" {
		out = append(out, a.cur.value)
	}
	return out
}
