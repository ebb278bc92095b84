package prober

import (
	"errors"
	"fmt"
	"net/http"

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
func forbidden(err error) bool {
	var ae *nbu.APIError
	return errors.As(err, &ae) && ae.StatusCode == http.StatusForbidden
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
