package nbu

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-kit/log/level"
)

const mediaTypePrefix = "application/vnd.netbackup+json;version="

// errorBodyLimit bounds what is read of an error response: the NetBackup
// error body is tiny, and an HTML error page from a proxy is of no use.
const errorBodyLimit = 64 << 10

// outcome is the verdict on one HTTP attempt.
type outcome struct {
	err   error
	retry bool
	// wait is the server-requested delay (429 Retry-After); waitSet says it
	// was given, otherwise the retry uses exponential backoff.
	wait    time.Duration
	waitSet bool
}

// call runs one logical GET with the client's API version, and handles the
// version going away under a long-lived client (server upgraded or
// downgraded): a 406 forgets the detected version, detects once more and
// retries once with the new one.
func (c *Client) call(ctx context.Context, endpoint string, q url.Values, handle func(io.Reader) error) error {
	return c.callPath(ctx, endpoint, endpoint, q, handle)
}

// callPath is call for a resource below a templated endpoint: path is what is requested
// ("/config/policies/p1"), endpoint the template that names it in errors, logs and the
// OnRequest self-metrics ("/config/policies/{policyName}"), so that per-resource requests do not
// mint one metric label value per resource.
func (c *Client) callPath(ctx context.Context, endpoint, path string, q url.Values, handle func(io.Reader) error) error {
	v, err := c.Version(ctx)
	if err != nil {
		return err
	}
	err = c.doPath(ctx, endpoint, path, q, v, handle)
	if c.pinned != "" || !errors.Is(err, ErrNotAcceptable) {
		return err
	}
	c.forgetVersion(v)
	nv, derr := c.Version(ctx)
	if derr != nil {
		return fmt.Errorf("%w; re-detecting the API version: %w", err, derr)
	}
	if nv == v {
		// Same answer again: this endpoint refuses a version the server
		// otherwise serves; repeating the request would only 406 again.
		return err
	}
	level.Debug(loggerFrom(ctx)).Log("msg", "NetBackup API version changed", "from", v, "to", nv)
	return c.doPath(ctx, endpoint, path, q, nv, handle)
}

// request is one logical HTTP call: what to send, with which API version and credentials.
type request struct {
	method   string
	endpoint string // names the call in errors, logs and self-metrics, e.g. "/config/policies/{policyName}"
	path     string // what is requested below the base URL, e.g. "/config/policies/p1"
	query    url.Values
	body     []byte // sent as the versioned JSON media type; nil = no body
	version  string
	tok      *token // the Authorization to send; nil = none (POST /login)
}

// do performs GET base+endpoint?q with the client's credentials and retries, and passes a 2xx
// body, capped at MaxBodyBytes, to handle. Errors from handle are not retried: part of the body
// may already have reached the caller.
func (c *Client) do(ctx context.Context, endpoint string, q url.Values, version string, handle func(io.Reader) error) error {
	return c.doPath(ctx, endpoint, endpoint, q, version, handle)
}

func (c *Client) doPath(ctx context.Context, endpoint, path string, q url.Values, version string, handle func(io.Reader) error) error {
	req := &request{method: http.MethodGet, endpoint: endpoint, path: path, query: q, version: version}
	return c.redact(c.send(ctx, req, handle))
}

func (c *Client) retry(ctx context.Context, req *request, handle func(io.Reader) error) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.requestTimeout)
		defer cancel()
	}
	u := *c.base
	path := req.path
	if path == "" {
		path = req.endpoint
	}
	u.Path = c.base.Path + path
	u.RawQuery = req.query.Encode()
	target := u.String()
	for attempt := 1; ; attempt++ {
		o := c.attempt(ctx, req, target, u.RawQuery, attempt, handle)
		if !o.retry {
			return o.err
		}
		if attempt >= c.maxTries {
			if attempt == 1 {
				return o.err
			}
			return fmt.Errorf("%w (gave up after %d attempts)", o.err, attempt)
		}
		wait := o.wait
		if !o.waitSet {
			wait = backoff(attempt)
		}
		if dl, ok := ctx.Deadline(); ok && c.now().Add(wait).After(dl) {
			if o.waitSet {
				return fmt.Errorf("%w: server asked to retry in %s, which is past the context deadline", o.err, wait)
			}
			return fmt.Errorf("%w (no retry: waiting %s would pass the context deadline)", o.err, wait.Round(time.Millisecond))
		}
		if err := c.sleep(ctx, wait); err != nil {
			return fmt.Errorf("%s %s: waiting to retry: %w (last error: %v)", req.method, req.endpoint, err, o.err)
		}
	}
}

func (c *Client) attempt(ctx context.Context, req *request, target, rawQuery string, attempt int, handle func(io.Reader) error) outcome {
	endpoint, what := req.endpoint, req.method+" "+req.endpoint
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return outcome{err: fmt.Errorf("%s: waiting for a request slot: %w", what, ctx.Err())}
	}
	defer func() { <-c.sem }()

	hreq, err := c.newHTTPRequest(ctx, req, target)
	if err != nil {
		return outcome{err: fmt.Errorf("%s: building request: %w", what, err)}
	}
	start := time.Now()
	resp, err := c.httpc.Do(hreq)
	d := time.Since(start)
	code := 0
	var tlsState *tls.ConnectionState
	if resp != nil {
		code, tlsState = resp.StatusCode, resp.TLS
	}
	if c.onRequest != nil {
		c.onRequest(endpoint, code, d)
	}
	if req.tok != nil {
		observeTrace(ctx, code, tlsState)
	} else {
		// A login's 201 proves the password, not that the API answers an authenticated request,
		// which is what Answered stands for: count the request, not the answer.
		observeTrace(ctx, 0, tlsState)
	}
	level.Debug(loggerFrom(ctx)).Log("msg", "NetBackup request", "method", req.method, "endpoint", endpoint,
		"query", rawQuery, "version", req.version, "attempt", attempt, "status", code, "duration", d)

	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return outcome{err: fmt.Errorf("%s: %w", what, cerr)}
		}
		// url.Error repeats the full URL; the endpoint is enough, the caller knows the host.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return outcome{err: fmt.Errorf("%s: %w", what, err), retry: !permanent(err)}
	}
	defer func() {
		// Drain a little so the connection can be reused; never a whole large body.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		resp.Body.Close()
	}()

	switch {
	case code >= 200 && code < 300:
		if req.tok != nil {
			req.tok.worked.Store(true)
		}
		return outcome{err: c.handleBody(ctx, what, resp, handle)}
	case code >= 300 && code < 400:
		host := "(no Location)"
		if loc, lerr := resp.Location(); lerr == nil {
			host = loc.Host
		}
		return outcome{err: fmt.Errorf("%s: HTTP %d redirect to host %q not followed (check BaseURL)", what, code, c.scrub(host))}
	}

	apiErr := c.readAPIError(resp, req)
	switch code {
	case http.StatusTooManyRequests:
		wait, ok := parseRetryAfter(resp.Header.Get("Retry-After"), c.now())
		apiErr.RetryAfter = wait
		return outcome{err: apiErr, retry: true, wait: wait, waitSet: ok}
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return outcome{err: apiErr, retry: true}
	}
	return outcome{err: apiErr}
}

// newHTTPRequest builds one attempt's request; the body is read afresh for every attempt.
func (c *Client) newHTTPRequest(ctx context.Context, req *request, target string) (*http.Request, error) {
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hreq, err := http.NewRequestWithContext(ctx, req.method, target, body)
	if err != nil {
		return nil, err
	}
	if req.tok != nil {
		hreq.Header.Set("Authorization", req.tok.header)
	}
	if req.body != nil {
		hreq.Header.Set("Content-Type", mediaTypePrefix+req.version)
	}
	hreq.Header.Set("Accept", mediaTypePrefix+req.version)
	hreq.Header.Set("User-Agent", c.userAgent)
	hreq.Header.Set("X-Client-ID", clientID)
	return hreq, nil
}

// handleBody passes a 2xx body to handle; what is "METHOD endpoint" for the error messages.
func (c *Client) handleBody(ctx context.Context, what string, resp *http.Response, handle func(io.Reader) error) error {
	ct := resp.Header.Get("Content-Type")
	if ct != "" {
		mt, _, perr := mime.ParseMediaType(ct)
		if perr != nil || strings.Contains(mt, "html") {
			// Typically a login or error page of a proxy in front of NetBackup.
			return fmt.Errorf("%s: HTTP %d with content type %q, want JSON (a proxy or login page in front of NetBackup?)",
				what, resp.StatusCode, c.scrub(ct))
		}
	}
	if resp.ContentLength > c.maxBody {
		return fmt.Errorf("%s: %w", what, &bodyTooLargeError{limit: c.maxBody})
	}
	err := handle(&capReader{r: resp.Body, left: c.maxBody, limit: c.maxBody})
	if err == nil {
		return nil
	}
	var ce *callbackError
	switch {
	case errors.As(err, &ce):
		return err
	case errors.Is(err, ErrBodyTooLarge):
		return fmt.Errorf("%s: %w", what, err)
	case ctx.Err() != nil:
		return fmt.Errorf("%s: reading response: %w", what, ctx.Err())
	}
	return fmt.Errorf("%s: decoding response: %w", what, err)
}

// readAPIError builds the error for a non-2xx answer, taking errorCode,
// errorMessage and errorDetails from the body when it is a NetBackup error body.
func (c *Client) readAPIError(resp *http.Response, req *request) *APIError {
	e := &APIError{Method: req.method, Endpoint: req.endpoint, StatusCode: resp.StatusCode, Version: req.version}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, min(errorBodyLimit, c.maxBody)))
	var eb errorBody
	if decodeErrorBody(body, &eb) {
		e.ErrorCode = int64(eb.ErrorCode)
		// Scrub before truncating: a cut could leave a prefix of the key that scrub no longer sees.
		e.ErrorMessage = truncate(c.scrub(string(eb.ErrorMessage)), 512)
		for i, d := range eb.ErrorDetails {
			if i == 8 {
				e.ErrorDetails = append(e.ErrorDetails, fmt.Sprintf("... %d more", len(eb.ErrorDetails)-i))
				break
			}
			e.ErrorDetails = append(e.ErrorDetails, truncate(c.scrub(d), 256))
		}
	}
	return e
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// permanent reports transport errors that a retry cannot fix: a certificate
// that does not verify, or a server that does not speak TLS.
func permanent(err error) bool {
	var cve *tls.CertificateVerificationError
	var rhe tls.RecordHeaderError
	return errors.As(err, &cve) || errors.As(err, &rhe)
}

// maxBlankRun is the longest run of JSON whitespace a body may hold. No NetBackup page has one
// anywhere near it, and encoding/json's Decoder rescans pending whitespace from its start on every
// buffer refill: a server streaming blanks would otherwise cost CPU quadratic in their length,
// for as long as the deadline allows.
const maxBlankRun = 64 << 10

// capReader fails, rather than silently truncating, once more than limit
// bytes arrive: a truncated body would surface as a misleading JSON error.
// It also fails on a run of more than maxBlankRun whitespace bytes.
type capReader struct {
	r           io.Reader
	left, limit int64
	blanks      int // whitespace bytes at the end of what was read so far
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n > 0 {
			return 0, &bodyTooLargeError{limit: c.limit}
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	// Only runs that span reads cost the decoder more than one scan, so only the ends of each
	// read are looked at: in ordinary JSON the first and last bytes are not blank, and the loops
	// stop at once.
	lead := 0
	for lead < n && isBlank(p[lead]) {
		lead++
	}
	run := c.blanks + lead
	if lead < n {
		trail := 0
		for trail < n && isBlank(p[n-1-trail]) {
			trail++
		}
		c.blanks = trail
	} else {
		c.blanks = run
	}
	if run > maxBlankRun || c.blanks > maxBlankRun {
		return n, fmt.Errorf("more than %d consecutive whitespace bytes: not a NetBackup response", maxBlankRun)
	}
	return n, err
}

func isBlank(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }
