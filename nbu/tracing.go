package nbu

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/netbackup-exporter/netbackup_exporter/internal/tracing/nop"
)

// tracerName is the instrumentation scope of the client's spans.
const tracerName = "github.com/netbackup-exporter/netbackup_exporter/nbu"

// Attribute keys of the client's spans: OpenTelemetry semantic conventions where one exists,
// nbu.* for what NetBackup alone has.
const (
	attrMethod      = attribute.Key("http.request.method")
	attrURLPath     = attribute.Key("url.path")
	attrStatusCode  = attribute.Key("http.response.status_code")
	attrServerAddr  = attribute.Key("server.address")
	attrServerPort  = attribute.Key("server.port")
	attrResendCount = attribute.Key("http.request.resend_count")
	attrBodySize    = attribute.Key("http.response.body.size")
	attrAttempt     = attribute.Key("nbu.attempt")
	attrRetryWait   = attribute.Key("nbu.retry.waited_seconds")
	attrRetryable   = attribute.Key("nbu.retryable")
	attrPage        = attribute.Key("nbu.page")
	attrAPIVersion  = attribute.Key("nbu.api_version")
	attrTried       = attribute.Key("nbu.api_versions_tried")
)

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
	server := []attribute.KeyValue{attrServerAddr.String(host)}
	if n, err := strconv.Atoi(port); err == nil {
		server = append(server, attrServerPort.Int(n))
	}
	return tracing{tracer: tp.Tracer(tracerName), propagator: prop, server: server}
}

// defaultPort is the port of a base URL that names none.
func defaultPort(scheme string) string {
	if scheme == "http" {
		return "80"
	}
	return "443"
}

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
	span.SetAttributes(attrMethod.String(method), attrURLPath.String(path), attrAttempt.Int(attempt))
	if attempt > 1 {
		span.SetAttributes(attrResendCount.Int(attempt-1), attrRetryWait.Float64(waited.Seconds()))
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

// injectTrace adds the configured propagator's headers (none unless the operator asked) to req.
func (c *Client) injectTrace(ctx context.Context, req *http.Request) {
	c.tracing.propagator.Inject(ctx, propagation.HeaderCarrier(req.Header))
}

// noteResponse puts the status code on the attempt's span and counts the body bytes read, which
// the span gets when the body is closed (the attempt closes it before its span ends).
func noteResponse(ctx context.Context, resp *http.Response) {
	span := trace.SpanFromContext(ctx)
	if resp == nil || !span.IsRecording() {
		return
	}
	span.SetAttributes(attrStatusCode.Int(resp.StatusCode))
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
	b.span.SetAttributes(attrBodySize.Int64(b.n))
	return b.ReadCloser.Close()
}

type pageKey struct{}

// withPage tells the attempt spans under ctx which page of a walk they fetch (1 = first). Only a
// traced walk pays for the context.
func withPage(ctx context.Context, page int) context.Context {
	if !trace.SpanFromContext(ctx).IsRecording() {
		return ctx
	}
	return context.WithValue(ctx, pageKey{}, page)
}

// startDetect starts the span of the version detection ladder.
func (c *Client) startDetect(ctx context.Context) (context.Context, trace.Span) {
	return c.tracing.tracer.Start(ctx, "nbu.detect_version")
}

// endDetect records the version found (or the error) and which versions were tried.
func endDetect(span trace.Span, version string, tried []string, err error) {
	if span.IsRecording() {
		span.SetAttributes(attrTried.StringSlice(tried))
		if err != nil {
			recordError(span, err)
		} else {
			span.SetAttributes(attrAPIVersion.String(version))
		}
	}
	span.End()
}
