package nbu

// This file is the whole way of one request to NetBackup, top to bottom: the API version and its
// re-detection on a 406 (call), the credentials and the one re-login on a 401 (send), the retries
// and their waits (retry), one HTTP round trip with its span, its log line and the self-metrics
// (attempt), the answer (handleBody, readAPIError, capReader) and the redaction of what comes
// back (redact, Scrub). A reader following a request stays here until the page's records are
// decoded (paging.go).

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
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

// call runs one logical GET of endpoint; see callPath.
func (c *Client) call(ctx context.Context, endpoint string, q url.Values, handle func(io.Reader) error) error {
	return c.callPath(ctx, endpoint, endpoint, q, handle)
}

// callPath runs one logical GET of path with the client's API version, and handles the version
// going away under a long-lived client (server upgraded or downgraded): a 406 forgets the detected
// version, detects once more and retries once with the new one. endpoint is the template that
// names path in errors, logs and the OnRequest self-metrics ("/config/policies/{policyName}" for
// "/config/policies/p1"), so that per-resource requests do not mint a metric label value each.
func (c *Client) callPath(ctx context.Context, endpoint, path string, q url.Values, handle func(io.Reader) error) error {
	v, err := c.Version(ctx)
	if err != nil {
		return err
	}
	req := &request{method: http.MethodGet, endpoint: endpoint, path: path, query: q, version: v}
	err = c.send(ctx, req, handle)
	if c.pinned != "" || !errors.Is(err, ErrNotAcceptable) {
		return err
	}
	c.forgetVersion(v)
	nv, derr := c.Version(ctx)
	if derr != nil {
		return fmt.Errorf("%w; re-detecting the API version: %w", err, derr)
	}
	if nv == v {
		// Same answer again: this endpoint refuses a version the server otherwise serves;
		// repeating the request would only 406 again.
		return err
	}
	level.Debug(loggerFrom(ctx)).Log("msg", "NetBackup API version changed", "from", v, "to", nv)
	req.version = nv
	return c.send(ctx, req, handle)
}

// request is one logical HTTP call: what to send, with which API version and credentials.
type request struct {
	method   string
	endpoint string // names the call in errors, logs and self-metrics, e.g. "/config/policies/{policyName}"
	path     string // what is requested below the base URL, e.g. "/config/policies/p1"; "" = endpoint
	query    url.Values
	body     []byte // sent as the versioned JSON media type; nil = no body
	version  string
	tok      *token // the Authorization to send; nil = none (POST /login)
}

// send runs req with the client's credentials, and redacts what it returns. With a login, a 401
// to a token that has worked before means it expired or was revoked early: the client logs in
// again, once, and repeats the request, once. A 401 to a token that never worked is NetBackup's
// answer to the account, and logging in again would only repeat it.
func (c *Client) send(ctx context.Context, req *request, handle func(io.Reader) error) (err error) {
	defer func() { err = c.redact(err) }()
	if req.tok, err = c.auth.get(ctx, c, req.version); err != nil {
		return err
	}
	tok := req.tok
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

// retry runs the attempts of req: a 429 waits what the server asks, a 502, 503, 504 or a network
// error backs off exponentially, within MaxTries and the context's deadline.
func (c *Client) retry(ctx context.Context, req *request, handle func(io.Reader) error) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.requestTimeout)
		defer cancel()
	}
	u := *c.base
	u.Path = c.base.Path + cmp.Or(req.path, req.endpoint)
	u.RawQuery = req.query.Encode()
	target := u.String()
	var waited time.Duration
	for attempt := 1; ; attempt++ {
		actx, span := c.startAttempt(ctx, req.method, u.Path, attempt, waited)
		o := c.attempt(actx, req, target, u.RawQuery, attempt, handle)
		c.endAttempt(span, o)
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
		waited = wait
	}
}

const (
	backoffBase = 100 * time.Millisecond
	backoffCap  = 2 * time.Second
)

// backoff returns the wait before attempt n+1: 100ms * 2^(n-1) capped at 2s,
// with jitter in the upper half so that probes hitting a busy server together
// do not retry in lockstep.
func backoff(n int) time.Duration {
	d := backoffCap
	if n < 6 {
		d = min(backoffBase<<(n-1), backoffCap)
	}
	half := d / 2
	return half + rand.N(half+1)
}

// maxRetryAfter caps what a server may ask for. A longer wait can never fit a
// probe's deadline anyway; the cap keeps the arithmetic away from overflow.
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads Retry-After as delay-seconds or an HTTP-date, capped at
// maxRetryAfter. ok is false when the header is absent or unusable.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		// Cap before multiplying: a silly value must not overflow into a negative wait.
		if secs > int64(maxRetryAfter/time.Second) {
			secs = int64(maxRetryAfter / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfter), true
	}
	return 0, false
}

// attempt is one HTTP round trip of req within one of the client's request slots: it reports the
// attempt to the self-metrics, the caller's traces, its span and one debug log line, and judges
// the answer (retry or not).
func (c *Client) attempt(ctx context.Context, req *request, target, rawQuery string, attempt int, handle func(io.Reader) error) outcome {
	endpoint, what := req.endpoint, req.method+" "+req.endpoint
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return outcome{err: fmt.Errorf("%s: waiting for a request slot: %w", what, ctx.Err())}
	}
	defer func() { <-c.sem }()
	// After the body is closed, when the connection may be idle again (deferred calls run last first).
	defer c.conns.used(c)

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
	noteResponse(ctx, resp)
	level.Debug(loggerFrom(ctx)).Log("msg", "NetBackup request", "method", req.method, "endpoint", endpoint,
		"query", rawQuery, "version", req.version, "attempt", attempt, "status", code, "duration", d)

	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return outcome{err: fmt.Errorf("%s: %w", what, cerr)}
		}
		// url.Error repeats the full URL; the endpoint is enough, the caller knows the host.
		if ue, ok := errors.AsType[*url.Error](err); ok {
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
		return outcome{err: fmt.Errorf("%s: HTTP %d redirect to host %q not followed (check BaseURL)", what, code, c.Scrub(host))}
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
	c.tracing.propagator.Inject(ctx, propagation.HeaderCarrier(hreq.Header))
	return hreq, nil
}

// Attribute keys of the client's spans for what NetBackup alone has; the others are OpenTelemetry
// semantic conventions (semconv).
const (
	attrAttempt    = attribute.Key("nbu.attempt")
	attrRetryWait  = attribute.Key("nbu.retry.waited_seconds")
	attrRetryable  = attribute.Key("nbu.retryable")
	attrPage       = attribute.Key("nbu.page")
	attrAPIVersion = attribute.Key("nbu.api_version")
	attrTried      = attribute.Key("nbu.api_versions_tried")
)

// clientKind is the option of every attempt span, built once: options built per call would cost
// an untraced probe an allocation per request.
var clientKind = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)}

// startAttempt starts the span of one HTTP attempt. waited is the back-off slept before it (0 for
// the first): the gap between two attempt spans is that wait.
func (c *Client) startAttempt(ctx context.Context, method, path string, attempt int, waited time.Duration) (context.Context, trace.Span) {
	// The method alone is the conventions' name when no route is known; the path is added once
	// the span records, so an untraced attempt builds no string.
	ctx, span := c.tracing.tracer.Start(ctx, method, clientKind...)
	if !span.IsRecording() {
		return ctx, span
	}
	span.SetName(method + " " + path)
	span.SetAttributes(c.tracing.server...)
	span.SetAttributes(semconv.HTTPRequestMethodKey.String(method), semconv.URLPathKey.String(path), attrAttempt.Int(attempt))
	if attempt > 1 {
		span.SetAttributes(semconv.HTTPRequestResendCountKey.Int(attempt-1), attrRetryWait.Float64(waited.Seconds()))
	}
	if p, ok := ctx.Value(pageKey{}).(int); ok {
		span.SetAttributes(attrPage.Int(p))
	}
	return ctx, span
}

// endAttempt records the attempt's verdict and ends its span. The error is redacted as the
// caller's will be: the attempt's error has not been through Client.redact yet.
func (c *Client) endAttempt(span trace.Span, o outcome) {
	if o.err != nil && span.IsRecording() {
		span.SetAttributes(attrRetryable.Bool(o.retry))
		recordError(span, c.redact(o.err))
	}
	span.End()
}

// recordError puts err on span as the debug output shows it: the same text, as event and status.
func recordError(span trace.Span, err error) {
	span.RecordError(err)
	span.SetStatus(codes.Error, err.Error())
}

// noteResponse puts the status code on the attempt's span and counts the body bytes read, which
// the span gets when the body is closed (the attempt closes it before its span ends).
func noteResponse(ctx context.Context, resp *http.Response) {
	span := trace.SpanFromContext(ctx)
	if resp == nil || !span.IsRecording() {
		return
	}
	span.SetAttributes(semconv.HTTPResponseStatusCodeKey.Int(resp.StatusCode))
	resp.Body = &countingBody{ReadCloser: resp.Body, span: span}
}

// countingBody counts what is read of a response body for the attempt's span.
type countingBody struct {
	io.ReadCloser
	span trace.Span
	n    int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	return n, err
}

func (b *countingBody) Close() error {
	b.span.SetAttributes(semconv.HTTPResponseBodySizeKey.Int64(b.n))
	return b.ReadCloser.Close()
}

// handleBody passes a 2xx body to handle; what is "METHOD endpoint" for the error messages.
func (c *Client) handleBody(ctx context.Context, what string, resp *http.Response, handle func(io.Reader) error) error {
	ct := resp.Header.Get("Content-Type")
	if ct != "" {
		mt, _, perr := mime.ParseMediaType(ct)
		if perr != nil || strings.Contains(mt, "html") {
			// Typically a login or error page of a proxy in front of NetBackup.
			return fmt.Errorf("%s: HTTP %d with content type %q, want JSON (a proxy or login page in front of NetBackup?)",
				what, resp.StatusCode, c.Scrub(ct))
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
		e.ErrorMessage = truncate(c.Scrub(string(eb.ErrorMessage)), 512)
		for i, d := range eb.ErrorDetails {
			if i == 8 {
				e.ErrorDetails = append(e.ErrorDetails, fmt.Sprintf("... %d more", len(eb.ErrorDetails)-i))
				break
			}
			e.ErrorDetails = append(e.ErrorDetails, truncate(c.Scrub(d), 256))
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

// permanent reports transport errors that a retry cannot fix: a certificate that does not verify,
// a server that does not speak TLS, or a login held off at the address the connection reached.
func permanent(err error) bool {
	var cve *tls.CertificateVerificationError
	var rhe tls.RecordHeaderError
	var held *holdoffError
	return errors.As(err, &cve) || errors.As(err, &rhe) || errors.As(err, &held)
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

// redact is the last line of defence for error text the targeted scrub calls do not cover:
// net/http quotes a malformed status line or Location header verbatim, and a server that echoes
// request headers there would otherwise put the key or the token into the probe's log. When a
// run of a secret appears anywhere in err's text, the error is replaced by its scrubbed text; the
// chain is dropped then, since an unwrapped inner error would still hold the secret.
func (c *Client) redact(err error) error {
	if err == nil {
		return err
	}
	secrets, msg := c.auth.secrets(), err.Error()
	if secrets.Contains(msg) {
		return errors.New(secrets.String(msg))
	}
	return err
}

// Scrub replaces every run of 8 or more bytes of the client's secrets (the key, the password and
// the session tokens, old and new) in text that came from the server, for callers that put such
// text in logs or errors. Text without a secret costs no allocation.
func (c *Client) Scrub(s string) string { return c.auth.secrets().String(s) }

// ScrubLabel is Scrub for a label value, cut to at most maxBytes bytes without splitting a UTF-8
// character: it reads at most maxBytes plus the longest secret of v, so a 15 MB value costs what a
// short one does, and a secret across the cut is still recognised.
func (c *Client) ScrubLabel(v string, maxBytes int) string {
	return c.auth.secrets().Label(v, maxBytes)
}

type loggerKey struct{}

// ContextWithLogger attaches a logger to ctx. The client is long-lived and
// shared between probes, so the logger travels with each call rather than
// living in the client: log lines then belong to the probe that caused them.
func ContextWithLogger(ctx context.Context, l log.Logger) context.Context {
	if l == nil {
		return ctx
	}
	return context.WithValue(ctx, loggerKey{}, l)
}

func loggerFrom(ctx context.Context) log.Logger {
	if l, ok := ctx.Value(loggerKey{}).(log.Logger); ok {
		return l
	}
	return log.NewNopLogger()
}
