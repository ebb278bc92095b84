package nbu

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
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
