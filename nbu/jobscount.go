package nbu

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

const jobsCountEndpoint = "/admin/jobs-count-requests"

// CountJobs returns how many jobs match filter (OData, unencoded; the endpoint filters on fewer
// fields than GET /admin/jobs: jobId, state, status, startTime, endTime, jobType, policyName...),
// from POST /admin/jobs-count-requests: one small request whatever their number, where reading
// them costs a page a hundred. A count outside 0..2^53 is an error: no primary holds that many.
func (c *Client) CountJobs(ctx context.Context, filter string) (int64, error) {
	type attributes struct {
		Filter string `json:"filter"`
	}
	type data struct {
		Type       string     `json:"type"`
		Attributes attributes `json:"attributes"`
	}
	body, err := json.Marshal(struct {
		Data data `json:"data"`
	}{data{Type: "jobCount", Attributes: attributes{Filter: filter}}})
	if err != nil {
		return 0, fmt.Errorf("POST %s: %w", jobsCountEndpoint, err)
	}
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
