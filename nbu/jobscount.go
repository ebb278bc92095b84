package nbu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

const jobsCountEndpoint = "/admin/jobs-count-requests"

// CountJobs returns how many jobs match filter (OData, unencoded; the endpoint filters on fewer
// fields than GET /admin/jobs: jobId, state, status, startTime, endTime, jobType, policyName...),
// from POST /admin/jobs-count-requests: one small request whatever their number, where reading
// them costs a page a hundred. A count outside 0..2^53 is an error: no primary holds that many.
func (c *Client) CountJobs(ctx context.Context, filter string) (int64, error) {
	// A map of strings marshals without fail.
	body, _ := json.Marshal(map[string]any{"data": map[string]any{"type": "jobCount", "attributes": map[string]string{"filter": filter}}})
	v, err := c.Version(ctx)
	if err != nil {
		return 0, err
	}
	if v == "10.0" {
		// NetBackup 10.0-10.4 serve the endpoint at its own older version only (admin.yaml of
		// 10.3); from 10.5 on it follows the API's.
		v = "6.0"
	}
	var answer struct {
		Data struct {
			Attributes struct {
				Count optInt `json:"count"`
			} `json:"attributes"`
		} `json:"data"`
	}
	req := &request{method: http.MethodPost, endpoint: jobsCountEndpoint, body: body, version: v}
	if err := c.send(ctx, req, func(r io.Reader) error { return json.NewDecoder(r).Decode(&answer) }); err != nil {
		return 0, err
	}
	n := answer.Data.Attributes.Count
	switch {
	case !n.set:
		return 0, fmt.Errorf("POST %s: the answer has no data.attributes.count", jobsCountEndpoint)
	case n.v < 0 || n.v > maxExactCount:
		return 0, fmt.Errorf("POST %s: impossible job count %d", jobsCountEndpoint, n.v)
	}
	return n.v, nil
}

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
