package fakenbu

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
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
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || !strings.EqualFold(mt, mediaJSON) {
		s.writeError(w, rc, http.StatusUnsupportedMediaType, "Unsupported media type.",
			"the request body must be "+mediaJSON+";version=<v>")
		return
	}
	var req jobCountRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req); err != nil || req.Data.Type != "jobCount" {
		s.writeError(w, rc, http.StatusBadRequest, "Bad request.", `the body must be {"data":{"type":"jobCount","attributes":{"filter":...}}}`)
		return
	}
	n, err := s.CountJobs(req.Data.Attributes.Filter)
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
