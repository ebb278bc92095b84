package nbu

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/internal/apiversion"
)

const jobsEndpoint = "/admin/jobs"

// Version returns the pinned version, or detects it: GET /admin/jobs?page[limit]=1
// with Accept version 14.0, 13.0, 12.0, 10.0 in turn; 406 = try the next one;
// 401/403 stop at once with an error wrapping ErrUnauthorized; any other error
// stops too. The detected version is remembered until a later call gets a 406.
func (c *Client) Version(ctx context.Context) (string, error) {
	if c.pinned != "" {
		return c.pinned, nil
	}
	if v := c.cachedVersion(); v != "" {
		return v, nil
	}
	select {
	case c.detecting <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("detecting NetBackup API version: %w", ctx.Err())
	}
	defer func() { <-c.detecting }()
	// Another caller may have finished detecting while this one waited.
	if v := c.cachedVersion(); v != "" {
		return v, nil
	}
	v, err := c.detectVersion(ctx)
	if err != nil {
		return "", err
	}
	c.version.Store(&v)
	return v, nil
}

func (c *Client) cachedVersion() string {
	if v := c.version.Load(); v != nil {
		return *v
	}
	return ""
}

// forgetVersion drops the cached version only if it is still the one that failed, so concurrent
// callers that saw the same 406 detect once, not N times.
func (c *Client) forgetVersion(v string) {
	if cur := c.version.Load(); cur != nil && *cur == v {
		c.version.CompareAndSwap(cur, nil)
	}
}

func (c *Client) detectVersion(ctx context.Context) (v string, err error) {
	ctx, span := c.tracing.tracer.Start(ctx, "nbu.detect_version")
	var tried []string
	defer func() {
		if span.IsRecording() {
			span.SetAttributes(attrTried.StringSlice(tried))
			if err != nil {
				recordError(span, err)
			} else {
				span.SetAttributes(attrAPIVersion.String(v))
			}
		}
		span.End()
	}()
	for _, v := range apiversion.Known {
		tried = append(tried, v)
		err := c.send(ctx, &request{method: http.MethodGet, endpoint: jobsEndpoint, query: url.Values{"page[limit]": {"1"}}, version: v}, discard)
		if err == nil {
			level.Debug(loggerFrom(ctx)).Log("msg", "detected NetBackup API version", "version", v)
			return v, nil
		}
		if !errors.Is(err, ErrNotAcceptable) {
			return "", fmt.Errorf("detecting NetBackup API version (trying %s): %w", v, err)
		}
	}
	return "", fmt.Errorf("detecting NetBackup API version: none of %s accepted: %w",
		strings.Join(apiversion.Known, ", "), ErrNotAcceptable)
}

// discard reads a body whose content does not matter: the request's answer is what counts.
func discard(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}

// Check sends one authenticated GET /admin/jobs?page[limit]=1 with the detected (or pinned) API
// version and returns that version. Unlike Version, it always goes to the network: a cached
// version only says that the primary answered once, not that it answers now.
func (c *Client) Check(ctx context.Context) (string, error) {
	if err := c.call(ctx, jobsEndpoint, url.Values{"page[limit]": {"1"}}, discard); err != nil {
		return "", fmt.Errorf("checking that NetBackup answers: %w", err)
	}
	if c.pinned != "" {
		return c.pinned, nil
	}
	return c.cachedVersion(), nil
}
