package nbu

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

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
