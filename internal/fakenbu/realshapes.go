package fakenbu

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
)

// Real primaries send shapes the spec does not promise: fields left out, enum values in other
// spellings, ids as numbers, records without ids, "data" as one object, pages without meta. With
// Options.RealShapes the fake sends them too:
//
//   - a GET of an endpoint whose document RealShapes holds is answered with that document as is,
//     whatever the query (no filter, no paging): RealShapes is a folder of real primaries'
//     answers (nbu/testdata/realprimaries), named after the endpoint below /netbackup with its
//     slashes turned into underscores ("/storage/disk-pools/dp1" is storage_disk-pools_dp1.json);
//   - the jobs are rendered as real primaries render them (realJobsPage).
//
// Every other endpoint answers as usual.

// ShapeFile is the name of the RealShapes document that answers a GET of endpoint (the path below
// /netbackup, e.g. "/storage/disk-pools").
func ShapeFile(endpoint string) string {
	return strings.ReplaceAll(strings.Trim(endpoint, "/"), "/", "_") + ".json"
}

// serveShape answers a GET of endpoint with its RealShapes document, if there is one.
func (s *Server) serveShape(w http.ResponseWriter, r *http.Request, rc *reqCtx, endpoint string) bool {
	if s.realShapes == nil || r.Method != http.MethodGet {
		return false
	}
	name := ShapeFile(endpoint)
	if !fs.ValidPath(name) {
		return false
	}
	body, err := fs.ReadFile(s.realShapes, name)
	if err != nil {
		return false
	}
	if !s.wait(r.Context()) {
		return true
	}
	h := w.Header()
	h.Set("Content-Type", s.contentType(mediaJSON, rc))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return true
}

// realSpellings are the policy types as the policy configuration API names them: a real primary's
// jobs carry them too.
var realSpellings = map[string]string{"VMWARE": "VMware", "STANDARD": "Standard", "WINDOWS_NT": "MS-Windows",
	"NBU_CATALOG": "NBU-Catalog"}

// realJobAttributes is a job's attributes as real primaries send them: status as a string,
// acceleratorOptimization as a float with a fraction, the policy type of every other job in its
// configuration API spelling.
type realJobAttributes struct {
	jobAttributes
	PolicyType              string      `json:"policyType"`
	Status                  string      `json:"status"`
	AcceleratorOptimization json.Number `json:"acceleratorOptimization"`
}

// realJobResource is a job record with its id as a number.
type realJobResource struct {
	Links      jobLinks           `json:"links"`
	Type       string             `json:"type"`
	ID         int64              `json:"id"`
	Meta       *jobMeta           `json:"meta,omitempty"`
	Attributes *realJobAttributes `json:"attributes"`
}

// realJobsPage is a jobs page without the top-level meta: the cursor of the next page is only
// the last record's meta.page.cursor, as in Veritas's own examples.
type realJobsPage struct {
	Links pageLinks         `json:"links"`
	Data  []realJobResource `json:"data"`
}

func realJobs(resp *jobsResponse) *realJobsPage {
	page := &realJobsPage{Links: resp.Links, Data: make([]realJobResource, len(resp.Data))}
	for i, d := range resp.Data {
		a := &realJobAttributes{jobAttributes: *d.Attributes, PolicyType: d.Attributes.PolicyType,
			Status: strconv.FormatInt(d.Attributes.Status, 10), AcceleratorOptimization: "0.0"}
		if v, ok := realSpellings[a.PolicyType]; ok && d.Attributes.JobID%2 == 1 {
			a.PolicyType = v
		}
		page.Data[i] = realJobResource{Links: d.Links, Type: d.Type, ID: d.Attributes.JobID, Meta: d.Meta, Attributes: a}
	}
	return page
}
