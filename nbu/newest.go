package nbu

import (
	"context"
	"errors"
	"strings"
)

// errFound stops a walk once the one record wanted has been read.
var errFound = errors.New("found")

// NewestJob returns the job matching filter with the latest endTime, with one request:
// GET /admin/jobs?filter=...&sort=-endTime&page[limit]=1, never a second page. ok is false when
// no job matches. This is how the exporter finds "the newest successful backup of client X" or
// "the newest NBU_CATALOG job" without reading the jobs in between.
func (c *Client) NewestJob(ctx context.Context, filter string) (job Job, ok bool, err error) {
	_, err = c.Jobs(ctx, JobsQuery{Filter: filter, Sort: "-endTime", PageSize: 1}, func(j *Job) error {
		job, ok = *j, true
		return errFound
	})
	if errors.Is(err, errFound) {
		err = nil
	}
	return job, ok, err
}

// ODataQuote renders s as an OData string literal for a filter: single quotes, with a quote
// inside doubled, so a client or policy name cannot end the literal early.
func ODataQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
