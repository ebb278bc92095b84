package nbu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/internal/redact"
)

const loginEndpoint = "/login"

// maxTokenValidity caps what a login answer may claim, so the arithmetic stays sane; a real
// session lasts hours.
const maxTokenValidity = 30 * 24 * time.Hour

type loginBody struct {
	DomainType string `json:"domainType,omitempty"`
	DomainName string `json:"domainName,omitempty"`
	UserName   string `json:"userName"`
	Password   string `json:"password"`
}

type loginAnswer struct {
	Token    lString `json:"token"`
	Validity lInt    `json:"validity"` // seconds
}

// login sends POST /login with the API version the request that needs the token is about to use,
// so that a version ladder walks the login too and a 406 means the same as anywhere else.
func (c *Client) login(ctx context.Context, l Login, version string) (*token, error) {
	body, err := json.Marshal(loginBody{DomainType: l.DomainType, DomainName: l.DomainName, UserName: l.UserName, Password: l.Password})
	if err != nil {
		return nil, fmt.Errorf("logging in to NetBackup as %q: encoding the request: %w", l.UserName, err)
	}
	var ans loginAnswer
	req := &request{method: http.MethodPost, endpoint: loginEndpoint, body: body, version: version}
	err = c.retry(ctx, req, func(r io.Reader) error { return json.NewDecoder(r).Decode(&ans) })
	if held := (*holdoffError)(nil); errors.As(err, &held) {
		return nil, held // the connection reached an address where these credentials are held off
	}
	if err == nil {
		err = checkToken(string(ans.Token))
	}
	if err != nil {
		return nil, fmt.Errorf("logging in to NetBackup as %q: %w", l.UserName, c.redact(err))
	}
	validity, from := time.Duration(ans.Validity)*time.Second, "login answer"
	if ans.Validity <= 0 || ans.Validity > lInt(maxTokenValidity/time.Second) {
		validity, from = l.TokenTTL, "token_ttl"
		if validity <= 0 {
			validity = DefaultTokenTTL
		}
	}
	level.Debug(loggerFrom(ctx)).Log("msg", "logged in to NetBackup", "user", l.UserName, "valid_for", validity, "validity_from", from)
	t := &token{header: string(ans.Token), value: string(ans.Token)}
	t.renewAt = c.now().Add(validity - renewMargin(validity))
	return t, nil
}

// renewMargin is how long before its expiry a token is replaced, so that a request sent just
// before the end of its validity does not arrive just after it.
func renewMargin(validity time.Duration) time.Duration {
	return min(time.Minute, validity/10)
}

// checkToken refuses a token that cannot be sent as a header value verbatim, or that is too short
// to be scrubbed from text without scrubbing ordinary words with it. The token itself is never
// quoted.
func checkToken(t string) error {
	switch {
	case t == "":
		return errors.New("the login answer has no token")
	case len(t) < redact.MinRun:
		return fmt.Errorf("the token in the login answer is %d bytes long, under the %d a secret needs to be told apart from ordinary text: refused", len(t), redact.MinRun)
	case strings.ContainsFunc(t, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return errors.New("the token in the login answer contains whitespace or control characters")
	}
	return nil
}
