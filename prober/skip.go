package prober

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

var descCollectorEndpointSkipped = newDesc("nbu_collector_endpoint_skipped",
	"1 for an endpoint a collector did not read because the primary's NetBackup release lacks it (its API version is older than the spec that has it, or it answered 404/501) or, for the collectors a role may lack the permission of, it answered 403; the collector's other endpoints were read.", "collector", "endpoint")

// missing reports an error saying the primary's release lacks the endpoint (404/501).
func missing(err error) bool { return errors.Is(err, nbu.ErrEndpointMissing) }

// skippedOr returns err as a skip when it says the endpoint is missing, so a release without the
// collector's endpoint reports the collector skipped rather than failed.
func skippedOr(what string, err error) error {
	if missing(err) {
		return fmt.Errorf("%s: %w: %w", what, ErrSkipped, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// forbidden reports a 403: the role of the module's API key or user lacks the permission the
// endpoint needs.
func forbidden(err error) bool { return apiStatus(err) == http.StatusForbidden }

// apiStatus is the HTTP status of the NetBackup answer err carries, 0 when it carries none.
func apiStatus(err error) int {
	if ae, ok := errors.AsType[*nbu.APIError](err); ok {
		return ae.StatusCode
	}
	return 0
}

// optionalOr is skippedOr for the collectors a module may enable with a role that lacks their
// permission (licensing, certificates, services, security...): a 403 is a skip too, its reason in
// the debug output, never a failed probe.
func optionalOr(what string, err error) error {
	if forbidden(err) {
		return fmt.Errorf("%s: the role of the module's credentials lacks the permission: %w: %w", what, ErrSkipped, err)
	}
	return skippedOr(what, err)
}

// endpointPart is one endpoint's share of a collector whose endpoints are skipped one by one
// (licensing, security).
type endpointPart struct {
	endpoint   string
	minVersion string // "" = every release
	collect    func(ctx context.Context, r *Run, out *metricSet) error
}

// collectParts runs the parts of collector. An endpoint the release lacks or the role may not
// read is skipped (nbu_collector_endpoint_skipped) and the others reported; the collector is
// skipped when every endpoint is.
func collectParts(ctx context.Context, r *Run, out *metricSet, collector string, parts []endpointPart) error {
	var errs, skips []error
	for _, p := range parts {
		var err error
		if p.minVersion != "" && !versionAtLeast(r.Version, p.minVersion) {
			err = fmt.Errorf("%s needs API version %s, the primary serves %s: %w", p.endpoint, p.minVersion, r.Version, ErrSkipped)
		} else if err = p.collect(ctx, r, out); err != nil {
			err = optionalOr(collector+": "+p.endpoint, err)
		}
		switch {
		case errors.Is(err, ErrSkipped):
			level.Info(r.Logger).Log("msg", collector+" endpoint skipped", "endpoint", p.endpoint, "reason", err)
			out.gauge(descCollectorEndpointSkipped, 1, collector, p.endpoint)
			skips = append(skips, err)
		case err != nil:
			errs = append(errs, err)
		}
	}
	if len(skips) == len(parts) {
		return fmt.Errorf("%s: no endpoint served: %w", collector, errors.Join(skips...))
	}
	if len(errs) == 0 {
		out.gauge(descLastScrape, float64(r.Now().UnixNano())/1e9, collector)
	}
	return errors.Join(errs...)
}

// skipMemory is how long a session remembers that the primary does not serve a collector or one
// of its endpoints (a 404 or 501; a 403 for the optional collectors) before asking again: a
// release does not grow an endpoint between probes, and a role's permissions change rarely. A
// change of the API version the primary speaks (an upgrade) asks again at once.
const skipMemory = time.Hour

// rememberedSkip is a collector's last run when it was a skip: the probes of the session serve it
// for skipMemory (or the collector's TTL when longer) instead of asking again. Guarded by its
// collectorSlot's lock.
type rememberedSkip struct {
	res     *runResult // nil: none remembered
	version string
}

// recall returns the remembered skip while it holds for a probe speaking version at now.
func (r *rememberedSkip) recall(version string, now time.Time, ttl time.Duration) (*runResult, bool) {
	if r.res == nil || r.version != version || now.Sub(r.res.at) >= max(skipMemory, ttl) {
		return nil, false
	}
	return r.res, true
}

// note remembers res when it is a skip, and forgets the skip remembered when res succeeded.
func (r *rememberedSkip) note(res *runResult, version string) {
	switch {
	case res.out != nil && errors.Is(res.err, ErrSkipped):
		*r = rememberedSkip{res: res, version: version}
	case res.err == nil:
		*r = rememberedSkip{}
	}
}

// endpointSkips is rememberedSkip for the endpoints of a collector that reports what its other
// endpoints serve (tape, catalog): per endpoint, the primary answered that it does not serve it,
// at a time and in an API version. It holds one entry per endpoint the collector reads.
type endpointSkips struct {
	mu sync.Mutex
	m  map[string]endpointSkip
}

type endpointSkip struct {
	at      time.Time
	version string
	err     error
}

// skipped returns why endpoint is not asked in a run speaking version at now: the error the
// primary answered when it was last asked, or nil when it is asked.
func (e *endpointSkips) skipped(endpoint, version string, now time.Time) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	sk, ok := e.m[endpoint]
	if !ok || sk.version != version || now.Sub(sk.at) >= skipMemory {
		return nil
	}
	return sk.err
}

// note remembers err when it says the primary does not serve endpoint, and forgets what was
// remembered of it when the endpoint answered.
func (e *endpointSkips) note(endpoint, version string, now time.Time, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case missing(err):
		if e.m == nil {
			e.m = map[string]endpointSkip{}
		}
		e.m[endpoint] = endpointSkip{at: now, version: version, err: err}
	case err == nil:
		delete(e.m, endpoint)
	}
}
