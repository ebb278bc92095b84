// Package nbu is a small client for the parts of the Veritas NetBackup REST
// API that the exporter reads: jobs, tape media, tape volume pools and SLP
// images (cursor paged); storage units, disk pools, tape drives, media servers,
// policies, catalog image counts, alerts and malware scan results (offset
// paged); the robots' device hosts (one unpaged list) and a policy's detail. It
// imports nothing from Prometheus or the config package; callers pass plain
// Options.
package nbu

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/netbackup-exporter/netbackup_exporter/internal/tracing/nop"
)

const (
	defaultMaxConcurrent  = 4
	defaultMaxTries       = 3
	defaultMaxBodyBytes   = 32 << 20
	defaultRequestTimeout = 60 * time.Second
	defaultUserAgent      = "netbackup_exporter"
	clientID              = "netbackup_exporter"
)

// Options configures a Client. Zero values select the documented defaults.
type Options struct {
	BaseURL string // "https://host:1556/netbackup" (scheme://host:port/path)
	APIKey  string // sent as `Authorization: <key>`; never logged or put in errors
	// Login, instead of APIKey: the client logs in on first use and sends the token it gets.
	Login      Login
	APIVersion string      // "" or "auto" = detect per client (ladder); else pinned, e.g. "13.0"
	TLSConfig  *tls.Config // nil = system roots
	// MaxConcurrentRequests caps concurrent HTTP requests through this client (default 4).
	MaxConcurrentRequests int
	// MaxTries is the number of attempts per request including the first (default 3).
	MaxTries int
	// MaxBodyBytes caps one response body (default 32 MiB); larger is an error, not a hang.
	MaxBodyBytes int64
	// RequestTimeout bounds one request (with its retries) when ctx has no deadline (default 60s).
	RequestTimeout time.Duration
	UserAgent      string
	// OnRequest observes every HTTP attempt (for exporter self-metrics): endpoint is the path
	// without base and query (e.g. "/admin/jobs"), code 0 when no HTTP response was received.
	OnRequest func(endpoint string, code int, d time.Duration)
	// Transport overrides the HTTP transport (tests). When nil the client builds its own
	// *http.Transport from TLSConfig with dial/TLS-handshake timeouts and keep-alives.
	Transport http.RoundTripper
	// TracerProvider receives a span per HTTP attempt and per version detection (nil = none).
	// It is handed in, never taken from OpenTelemetry's global, so that tests and callers decide.
	TracerProvider trace.TracerProvider
	// Propagator injects the caller's trace context into each request (nil = nothing is sent:
	// NetBackup has no use for it unless a proxy in front of it traces).
	Propagator propagation.TextMapPropagator
	// LoginHoldoffs is where refused logins are remembered, shared by the clients of a process so
	// that a new client does not try credentials NetBackup just refused (nil = the client's own).
	LoginHoldoffs *LoginHoldoffs
	// Conns bounds the connections the clients sharing it keep open (nil = no bound). It applies
	// to the client's own transport, not to Transport.
	Conns *ConnBudget
}

// String keeps the API key out of any %v/%+v rendering of the options.
func (o Options) String() string {
	return fmt.Sprintf("nbu.Options{BaseURL: %q, APIKey: <redacted>, Login: %v, APIVersion: %q}", o.BaseURL, o.Login, o.APIVersion)
}

// GoString covers %#v as well.
func (o Options) GoString() string { return o.String() }

// Client talks to one NetBackup primary server. It is safe for concurrent use
// and meant to be long-lived (one per target and module), so that the detected
// API version and idle connections are reused between probes.
type Client struct {
	base           *url.URL
	auth           *auth // behind a pointer so that printing a Client value shows no secret
	pinned         string
	userAgent      string
	maxTries       int
	maxBody        int64
	requestTimeout time.Duration
	onRequest      func(string, int, time.Duration)
	tracing        tracing
	httpc          *http.Client
	conns          *ConnBudget
	open           atomic.Int64 // connections open through dial, counted under a budget
	dialer         *net.Dialer  // of the client's own transport
	dialAddr       string       // host:port as the transport dials it, to tell NetBackup from a proxy
	sem            chan struct{}
	pageLimits     pageLimits

	// detecting serialises version detection so that concurrent probes on a
	// fresh client send one ladder, not one each; a channel so waiting honours ctx.
	detecting chan struct{}
	version   atomic.Pointer[string] // the detected version; nil = unknown

	// sleep waits between attempts; tests replace it to observe the waits
	// without sleeping.
	sleep func(ctx context.Context, d time.Duration) error
	now   func() time.Time
}

var versionRE = regexp.MustCompile(`^[0-9]{1,3}\.[0-9]{1,3}$`)

// NewClient validates opts and builds a client. It does no network I/O.
func NewClient(opts Options) (*Client, error) {
	base, err := parseBaseURL(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	pinned := strings.TrimSpace(opts.APIVersion)
	if strings.EqualFold(pinned, "auto") {
		pinned = ""
	}
	if pinned != "" && !versionRE.MatchString(pinned) {
		return nil, fmt.Errorf("nbu: invalid API version %q: want \"auto\" or MAJOR.MINOR such as \"13.0\"", opts.APIVersion)
	}
	creds := Credentials{APIKey: opts.APIKey, Login: opts.Login}
	if err := creds.validate(); err != nil {
		return nil, err
	}
	port := cmp.Or(base.Port(), defaultPort(base.Scheme))
	holdoffs := opts.LoginHoldoffs
	if holdoffs == nil {
		holdoffs = NewLoginHoldoffs(4)
	}
	conc := positiveOr(opts.MaxConcurrentRequests, defaultMaxConcurrent)
	c := &Client{
		base:           base,
		pinned:         pinned,
		userAgent:      cmp.Or(opts.UserAgent, defaultUserAgent),
		maxTries:       positiveOr(opts.MaxTries, defaultMaxTries),
		maxBody:        positiveOr(opts.MaxBodyBytes, defaultMaxBodyBytes),
		requestTimeout: positiveOr(opts.RequestTimeout, defaultRequestTimeout),
		onRequest:      opts.OnRequest,
		tracing:        newTracing(opts, base.Hostname(), port),
		conns:          opts.Conns,
		dialAddr:       net.JoinHostPort(base.Hostname(), port),
		sem:            make(chan struct{}, conc),
		detecting:      make(chan struct{}, 1),
		pageLimits:     defaultPageLimits,
		sleep:          sleepCtx,
		now:            time.Now,
	}
	c.auth = newAuth(creds, holdoffs, hostKey(base.Hostname(), port), func() time.Time { return c.now() })
	rt := opts.Transport
	if rt == nil {
		rt = c.newTransport(opts.TLSConfig, conc)
	}
	c.httpc = &http.Client{
		Transport: rt,
		// A redirect would replay the Authorization header to wherever the
		// server points, so the 3xx is handed back and reported instead.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c, nil
}

func parseBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("nbu: BaseURL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the input, which cannot hold the key: it is a separate option.
		return nil, fmt.Errorf("nbu: invalid BaseURL: %w", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, fmt.Errorf("nbu: invalid BaseURL %q: scheme must be https or http", u.Redacted())
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("nbu: invalid BaseURL %q: no host", u.Redacted())
	}
	if u.User != nil {
		return nil, fmt.Errorf("nbu: invalid BaseURL %q: user info is not allowed (use APIKey)", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("nbu: invalid BaseURL %q: query and fragment are not allowed", u.Redacted())
	}
	// The path is sent as given: an escape would be decoded here and again by whatever is in
	// front of NetBackup, so a checked "%252e%252e" could reach it as "..".
	if strings.Contains(u.EscapedPath(), "%") || slices.Contains(strings.Split(u.Path, "/"), "..") || slices.Contains(strings.Split(u.Path, "/"), ".") {
		return nil, fmt.Errorf("nbu: invalid BaseURL %q: the path must not hold escapes or dot segments", u.Redacted())
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// Close releases idle connections. The client stays usable; a later call
// simply dials again.
func (c *Client) Close() {
	c.conns.forget(c)
	c.httpc.CloseIdleConnections()
}

// String identifies the client without its key (a *Client printed with %v
// would otherwise dump every field).
func (c *Client) String() string { return "nbu.Client(" + c.base.Redacted() + ")" }

// GoString covers %#v, which would otherwise print the key field.
func (c *Client) GoString() string { return c.String() }

// BaseURL returns the normalised base URL the client was built with.
func (c *Client) BaseURL() string { return c.base.String() }

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// tracerName is the instrumentation scope of the client's spans.
const tracerName = "github.com/netbackup-exporter/netbackup_exporter/nbu"

// tracing is the client's share of the caller's tracing: where spans go and what is injected into
// requests. newTracing is the one place a missing provider or propagator becomes a no-op, so no
// other function asks whether tracing is on.
type tracing struct {
	tracer     trace.Tracer
	propagator propagation.TextMapPropagator
	server     []attribute.KeyValue // server.address and server.port, the same for every request
}

func newTracing(opts Options, host, port string) tracing {
	tp := opts.TracerProvider
	if tp == nil {
		tp = nop.Provider{}
	}
	prop := opts.Propagator
	if prop == nil {
		// An empty composite injects nothing: NetBackup sees no trace headers by default.
		prop = propagation.NewCompositeTextMapPropagator()
	}
	server := []attribute.KeyValue{semconv.ServerAddressKey.String(host)}
	if n, err := strconv.Atoi(port); err == nil {
		server = append(server, semconv.ServerPortKey.Int(n))
	}
	return tracing{tracer: tp.Tracer(tracerName), propagator: prop, server: server}
}

// positiveOr is v when it is set (above zero), else def.
func positiveOr[T int | int64 | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// defaultPort is the port of a base URL that names none.
func defaultPort(scheme string) string {
	if scheme == "http" {
		return "80"
	}
	return "443"
}
