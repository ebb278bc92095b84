package nbu

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

var (
	// ErrUnauthorized is wrapped by errors for HTTP 401 and 403: the API key or
	// the login's password is wrong, expired or lacks the RBAC permission. Never
	// retried as such (a login's expired token is replaced once, see send).
	ErrUnauthorized = errors.New("netbackup: unauthorized")
	// ErrNotAcceptable is wrapped by errors for HTTP 406: the server does not
	// serve the API version sent in Accept.
	ErrNotAcceptable = errors.New("netbackup: api version not accepted")
	// ErrEndpointMissing is wrapped by errors for HTTP 404 and 501. Every
	// endpoint the client reads is a list, never one object by id, so either
	// status means the server's release lacks the endpoint (tape media on a
	// 10.4 primary), which callers report as skipped rather than failed.
	ErrEndpointMissing = errors.New("netbackup: endpoint not served by this release")
	// ErrBodyTooLarge is wrapped when a response body exceeds Options.MaxBodyBytes.
	ErrBodyTooLarge = errors.New("netbackup: response body too large")
)

// APIError is a non-2xx answer from NetBackup, with the parts of the
// NetBackup error body that were present.
type APIError struct {
	Method, Endpoint string // endpoint = path without base and query
	StatusCode       int
	ErrorCode        int64
	ErrorMessage     string
	ErrorDetails     []string
	RetryAfter       time.Duration
	// Version is the API version sent in Accept, so a 406 says which one was refused.
	Version string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %d", e.Method, e.Endpoint, e.StatusCode)
	if e.ErrorCode == 0 && e.ErrorMessage == "" {
		if t := http.StatusText(e.StatusCode); t != "" {
			b.WriteString(" " + t)
		}
	}
	if e.StatusCode == http.StatusNotAcceptable && e.Version != "" {
		fmt.Fprintf(&b, " (Accept version %s)", e.Version)
	}
	if e.ErrorCode != 0 {
		fmt.Fprintf(&b, ": errorCode %d", e.ErrorCode)
	}
	if e.ErrorMessage != "" {
		b.WriteString(": " + e.ErrorMessage)
	}
	if len(e.ErrorDetails) > 0 {
		b.WriteString(" (details: " + strings.Join(e.ErrorDetails, "; ") + ")")
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (Retry-After %s)", e.RetryAfter)
	}
	return b.String()
}

// Unwrap lets callers test the class of failure with errors.Is.
func (e *APIError) Unwrap() error {
	switch e.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		return ErrUnauthorized
	case http.StatusNotAcceptable:
		return ErrNotAcceptable
	case http.StatusNotFound, http.StatusNotImplemented:
		return ErrEndpointMissing
	}
	return nil
}

// bodyTooLargeError carries the limit so the message can state it.
type bodyTooLargeError struct{ limit int64 }

func (e *bodyTooLargeError) Error() string {
	return fmt.Sprintf("response body exceeds %d bytes", e.limit)
}

func (e *bodyTooLargeError) Is(target error) bool { return target == ErrBodyTooLarge }

// callbackError marks an error returned by the caller's fn, so that it is
// passed back as the caller's own error and not described as a decode failure.
type callbackError struct{ err error }

func (e *callbackError) Error() string { return e.err.Error() }
func (e *callbackError) Unwrap() error { return e.err }

// documentedStatus are the HTTP statuses NetBackup's API specifications list for its answers
// (the OpenAPI files of 10.3 to 11.2), and those of the proxies and gateways in front of it
// that the client acts on (206, 502, 504).
var documentedStatus = map[int]bool{
	200: true, 201: true, 202: true, 204: true, 206: true, 207: true, 303: true,
	400: true, 401: true, 403: true, 404: true, 405: true, 406: true, 409: true, 412: true, 413: true,
	415: true, 422: true, 429: true, 500: true, 501: true, 502: true, 503: true, 504: true, 507: true,
}

// StatusCodeLabel names an HTTP status for a metric label with a bounded set of values: a status
// NetBackup documents as itself, any other as its class ("2xx" ... "5xx"), anything outside
// 100-599 as "other", and 0 (no answer) as "0". A primary answering random statuses must not
// mint a permanent label value for each.
func StatusCodeLabel(code int) string {
	switch {
	case code == 0:
		return "0"
	case documentedStatus[code]:
		return strconv.Itoa(code)
	case code >= 100 && code < 600:
		return strconv.Itoa(code/100) + "xx"
	}
	return "other"
}
