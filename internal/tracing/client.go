package tracing

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

const (
	// maxAttempts bounds the tries of one batch; the export timeout bounds their waits.
	maxAttempts = 5
	// firstBackoff is the wait after the first retryable failure without Retry-After, doubled
	// after each further one.
	firstBackoff = time.Second
	// maxErrorBody is what is read of an error answer, for the error text.
	maxErrorBody = 4 << 10
	// maxErrorText is what of that reaches the error: a hint, not a page of HTML.
	maxErrorText = 256
	// maxDrain is what is read past that so the connection can be reused; a longer body costs
	// the connection, not memory.
	maxDrain = 64 << 10
)

var errStopped = errors.New("tracing: OTLP client stopped")

// client is the OTLP/HTTP transport under the SDK's otlptrace exporter, which turns the spans
// into protobuf messages. It is ours, not otlptracehttp, because that one builds the request
// from the collector protos, which link grpc, grpc-gateway and genproto into the binary (about
// 3 MB of it, over 1 MiB resident) for one message with one repeated field.
type client struct {
	url       string // holds no credentials: parseURL refuses user info
	headers   map[string]string
	userAgent string
	gzip      bool
	timeout   time.Duration // of one batch, retries included
	httpc     *http.Client
	// stopped is done once Stop was called: the exports in flight end then, as the SDK wants.
	stopped context.Context
	stop    context.CancelFunc
	// wait is how a retry waits; tests replace it to see the delays without taking them.
	wait func(ctx context.Context, d time.Duration) error
}

var _ otlptrace.Client = (*client)(nil)

func newClient(s settings, userAgent string) *client {
	stopped, stop := context.WithCancel(context.Background())
	return &client{
		url:       s.url.String(),
		headers:   s.headers,
		userAgent: userAgent,
		gzip:      s.gzip,
		timeout:   s.timeout,
		httpc: &http.Client{
			Transport: newTransport(s.tls),
			// A redirect would take the headers file's custom headers to another host.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		stopped: stopped,
		stop:    stop,
		wait:    sleep,
	}
}

// newTransport is the client's own, not http.DefaultTransport, which anything in the process
// could change. The few batches a minute need a connection or two.
func newTransport(tlsConf *tls.Config) *http.Transport {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          2,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
	}
}

// Start has nothing to connect: the first batch dials, so a collector that is down at start-up
// costs failed exports, not a failed start.
func (c *client) Start(ctx context.Context) error { return ctx.Err() }

// Stop ends the exports in flight and closes the idle connections. The SDK calls it after its
// last flush, once.
func (c *client) Stop(ctx context.Context) error {
	c.stop()
	c.httpc.CloseIdleConnections()
	return ctx.Err()
}

// UploadTraces posts one batch, retrying what the OTLP spec calls retryable within the timeout
// and ctx. A failure is returned, not retried further: the batch processor drops the batch and
// the SDK logs the error.
func (c *client) UploadTraces(ctx context.Context, rss []*tracepb.ResourceSpans) error {
	if c.stopped.Err() != nil {
		return errStopped
	}
	body, err := c.encode(rss)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	defer context.AfterFunc(c.stopped, cancel)()
	for attempt := 1; ; attempt++ {
		err := c.post(ctx, body)
		r, ok := err.(*retryable)
		if !ok {
			return err
		}
		delay, ok := nextDelay(ctx, r.after, attempt)
		if !ok || c.wait(ctx, delay) != nil {
			return r.err
		}
	}
}

// encode writes the ExportTraceServiceRequest by hand: its one field, 1 (resource_spans), is a
// repeated message, so the request is each ResourceSpans as a length-delimited field 1.
func (c *client) encode(rss []*tracepb.ResourceSpans) ([]byte, error) {
	var b []byte
	for _, rs := range rss {
		m, err := proto.Marshal(rs)
		if err != nil {
			return nil, fmt.Errorf("tracing: encoding spans for %s: %w", c.url, err)
		}
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendBytes(b, m)
	}
	if !c.gzip {
		return b, nil
	}
	return gzipBytes(b)
}

// gzipWriters keeps a compressor between batches: one costs hundreds of KiB to allocate.
var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(io.Discard) }}

func gzipBytes(b []byte) ([]byte, error) {
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	var buf bytes.Buffer
	zw.Reset(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, fmt.Errorf("tracing: compressing spans: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("tracing: compressing spans: %w", err)
	}
	return buf.Bytes(), nil
}

// retryable is a failure the OTLP spec says to retry: 429, 502, 503 or 504.
type retryable struct {
	err   error
	after time.Duration // the answer's Retry-After; negative when it gave none
}

func (r *retryable) Error() string { return r.err.Error() }
func (r *retryable) Unwrap() error { return r.err }

// post is one attempt. Errors name the endpoint and the status, never the headers.
func (c *client) post(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("tracing: OTLP request to %s: %w", c.url, err)
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	req.Header.Set("User-Agent", c.userAgent)
	if c.gzip {
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := c.httpc.Do(req)
	if err != nil {
		return fmt.Errorf("tracing: OTLP export: %w", err) // a *url.Error: it names the endpoint
	}
	defer drainClose(resp.Body)
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	// The status code, not resp.Status: the reason phrase is whatever the server wrote.
	status := strings.TrimSpace(fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode)))
	err = fmt.Errorf("tracing: OTLP export to %s: %s%s", c.url, status, c.errorText(resp.Body))
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return &retryable{err: err, after: retryAfter(resp.Header.Get("Retry-After"))}
	}
	return err
}

// errorText is the start of an error answer (collectors say why they refused), quoted, with the
// header values blanked in case the server echoes the request.
func (c *client) errorText(body io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(body, maxErrorBody))
	s := strings.TrimSpace(string(b))
	for _, v := range c.headers {
		if v != "" {
			s = strings.ReplaceAll(s, v, "<redacted>")
		}
	}
	if s == "" {
		return ""
	}
	if len(s) > maxErrorText {
		s = s[:maxErrorText] + "..."
	}
	return ": " + strconv.Quote(s)
}

// drainClose reads a bounded rest of body so that the connection can carry the next batch.
func drainClose(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, maxDrain)
	_ = body.Close()
}

// retryAfter reads a Retry-After header, seconds or an HTTP date; negative when absent or
// unreadable, which leaves the wait to the back-off.
func retryAfter(v string) time.Duration {
	if v == "" {
		return -1
	}
	if s, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return -1
}

// nextDelay is the wait before attempt+1: the server's Retry-After, else an exponential
// back-off with jitter so that many exporters do not retry in step. No wait is taken that would
// end past ctx's deadline: the batch would fail anyway, later.
func nextDelay(ctx context.Context, after time.Duration, attempt int) (time.Duration, bool) {
	if attempt >= maxAttempts {
		return 0, false
	}
	d := after
	if d < 0 {
		base := firstBackoff << (attempt - 1)
		d = base/2 + rand.N(base/2)
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= d {
		return 0, false
	}
	return d, true
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
