package prober

import (
	"errors"
	"fmt"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

var descCollectorEndpointSkipped = newDesc("nbu_collector_endpoint_skipped",
	"1 for an endpoint a collector did not read because the primary's NetBackup release lacks it (its API version is older than the spec that has it, or it answered 404/501); the collector's other endpoints were read.", "collector", "endpoint")

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
