package fakenbu

import (
	"encoding/json"
	"io"
	"net/http"
)

// jobCountRequest is the body of POST /admin/jobs-count-requests (admin.yaml: jobCountRequest).
type jobCountRequest struct {
	Data struct {
		Type       string `json:"type"`
		Attributes struct {
			Filter string `json:"filter"`
		} `json:"attributes"`
	} `json:"data"`
}

// handleJobsCount serves POST /admin/jobs-count-requests: the number of jobs the filter selects,
// without paging.
func (s *Server) handleJobsCount(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.jsonBody(w, r, rc) {
		return
	}
	var req jobCountRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req); err != nil || req.Data.Type != "jobCount" {
		s.writeError(w, rc, http.StatusBadRequest, "Bad request.", `the body must be {"data":{"type":"jobCount","attributes":{"filter":...}}}`)
		return
	}
	n, err := s.countJobsBy(req.Data.Attributes.Filter, countFields)
	if err != nil {
		s.writeError(w, rc, http.StatusBadRequest, "Invalid filter.", err.Error())
		return
	}
	var resp struct {
		Data struct {
			Type       string `json:"type"`
			Attributes struct {
				Count int64 `json:"count"`
			} `json:"attributes"`
		} `json:"data"`
	}
	resp.Data.Type = "jobCount"
	resp.Data.Attributes.Count = int64(n)
	s.writeJSON(w, rc, http.StatusOK, resp)
}

// countFields are the attributes admin.yaml lets a count filter on: fewer than the list's
// (no lastUpdateTime), among those the fake filters on.
var countFields = func() map[string]field[Job] {
	out := map[string]field[Job]{}
	for _, name := range []string{"jobId", "parentJobId", "clientName", "endTime", "startTime", "state", "status", "jobType", "policyName", "policyType"} {
		if f, ok := jobFields[name]; ok {
			out[name] = f
		}
	}
	return out
}()
