package prober

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

func TestOptionalOrSkipsMissingAndForbidden(t *testing.T) {
	for _, tc := range []struct {
		status int
		skip   bool
	}{
		{http.StatusForbidden, true},
		{http.StatusNotFound, true},
		{http.StatusNotImplemented, true},
		{http.StatusUnauthorized, false},
		{http.StatusInternalServerError, false},
	} {
		err := optionalOr("licensing", fmt.Errorf("read: %w", &nbu.APIError{Method: "GET", Endpoint: "/licensing/capacity", StatusCode: tc.status}))
		if got := errors.Is(err, ErrSkipped); got != tc.skip {
			t.Errorf("HTTP %d: skipped = %v, want %v (%v)", tc.status, got, tc.skip, err)
		}
		if skippedOr("x", &nbu.APIError{StatusCode: http.StatusForbidden}) != nil && errors.Is(skippedOr("x", &nbu.APIError{StatusCode: http.StatusForbidden}), ErrSkipped) {
			t.Errorf("skippedOr takes a 403 for a skip: only the optional collectors may")
		}
	}
}
