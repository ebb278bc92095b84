package tracing

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"

	"github.com/netbackup-exporter/netbackup_exporter/internal/redact"
)

const (
	// defaultTimeout bounds one batch export, retries included (the OTLP specification's default).
	defaultTimeout = 10 * time.Second
	// maxQueueSpans is what the batch processor keeps waiting for export; past it new spans are
	// dropped. At a kilobyte or two a span, the queue holds a few MiB at most.
	maxQueueSpans = 2048
	// maxBatchSpans is what one export request carries.
	maxBatchSpans = 512
	// maxResponse bounds what the exporter reads of a collector's answer.
	maxResponse = 64 << 10
	// maxErrorBody is what is read of an error answer, for the error text.
	maxErrorBody = 4 << 10
	// maxErrorText is what of that reaches the error: a hint, not a page of HTML.
	maxErrorText = 256
	// maxDrain is what is read past that so the connection can be reused.
	maxDrain = 64 << 10
)

// newExporter builds the SDK's OTLP/HTTP exporter. The options given here win over what the SDK
// reads from the OTEL_EXPORTER_OTLP_* variables. The caller closes httpc's idle connections once
// the exporter is shut down.
func newExporter(ctx context.Context, s exporterSettings) (exp *otlptrace.Exporter, httpc *http.Client, err error) {
	httpc = newHTTPClient(s.tls)
	opts := append([]otlptracehttp.Option{
		otlptracehttp.WithHTTPClient(httpc),
		otlptracehttp.WithMaxResponseSize(maxResponse),
		// Within the batch's timeout, which the batch processor puts on each export.
		otlptracehttp.WithRetry(otlptracehttp.RetryConfig{
			Enabled:         true,
			InitialInterval: time.Second,
			MaxInterval:     5 * time.Second,
			MaxElapsedTime:  s.timeout,
		}),
	}, s.endpoint.opts...)
	if s.headers != nil {
		// The file replaces the variables' headers as a whole, as a flag replaces a variable.
		opts = append(opts, otlptracehttp.WithHeaders(s.headers))
	}
	exp, err = otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("tracing: starting the OTLP exporter for %s: %w", s.endpoint.url.Redacted(), err)
	}
	return exp, httpc, nil
}

// newHTTPClient is the exporter's own client, not the SDK's, so that redirects are refused: one
// would take the headers file's headers to another host. Its transport is its own too, not
// http.DefaultTransport, which anything in the process could change; the few batches a minute
// need a connection or two. The batch's timeout bounds each request through its context.
func newHTTPClient(tlsConf *tls.Config) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{
		Transport: scrubbing{next: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           d.DialContext,
			TLSClientConfig:       tlsConf,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          2,
			MaxIdleConnsPerHost:   2,
			IdleConnTimeout:       90 * time.Second,
		}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// scrubbing rewrites a failed answer before the SDK turns it into an error, which the SDK logs:
// the body, which a collector may use to echo the request, is cut to a short hint with every
// header value sent blanked (the headers file's and those the SDK took from the environment),
// and the reason phrase, which is whatever the server wrote, becomes the standard one.
type scrubbing struct{ next http.RoundTripper }

// retryable are the statuses the SDK retries (the OTLP specification's list).
var retryable = map[int]bool{
	http.StatusTooManyRequests: true, http.StatusBadGateway: true, http.StatusServiceUnavailable: true, http.StatusGatewayTimeout: true,
}

// sdkHeaders are the request headers the SDK sets itself: what they hold is no secret.
var sdkHeaders = map[string]bool{"Content-Type": true, "Content-Encoding": true, "User-Agent": true}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the transport.
func (s scrubbing) CloseIdleConnections() {
	if c, ok := s.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

func (s scrubbing) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.next.RoundTrip(req)
	if err != nil || resp.StatusCode/100 == 2 {
		return resp, err
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	_, _ = io.CopyN(io.Discard, resp.Body, maxDrain)
	_ = resp.Body.Close()
	text := scrub(string(b), req.Header)
	if retryable[resp.StatusCode] {
		// The SDK's error for these gives the body alone: the body says the rest.
		text = strings.TrimSuffix(fmt.Sprintf("HTTP %d %s from %s: %s", resp.StatusCode, http.StatusText(resp.StatusCode), req.URL.Redacted(), text), ": ")
	}
	resp.Body = io.NopCloser(strings.NewReader(text))
	resp.ContentLength = int64(len(text))
	resp.Header.Del("Content-Encoding")
	resp.Status = strings.TrimSpace(fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode)))
	return resp, nil
}

// scrub blanks the values of the headers sent in text and bounds it to maxErrorText, quoted.
func scrub(text string, sent http.Header) string {
	var secrets []string
	for name, values := range sent {
		if !sdkHeaders[name] {
			secrets = append(secrets, values...)
		}
	}
	text = redact.New(secrets...).String(strings.TrimSpace(text))
	if text == "" {
		return ""
	}
	if len(text) > maxErrorText {
		text = text[:maxErrorText] + "..."
	}
	return strconv.Quote(text)
}
