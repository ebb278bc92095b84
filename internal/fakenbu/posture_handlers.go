package fakenbu

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// offsetParams reads page[offset] and page[limit] with an endpoint's own default and maximum
// (0 = no maximum, as /manage/alerts documents none), answering 400 when they are out of range.
func (s *Server) offsetParams(w http.ResponseWriter, rc *reqCtx, q url.Values, def, maxLimit int) (offsetRequest, bool) {
	var or offsetRequest
	var ok bool
	if or.limit, ok = intParam(q, "page[limit]", def); !ok || or.limit < 1 || (maxLimit > 0 && or.limit > maxLimit) {
		s.writeError(w, rc, http.StatusBadRequest, "Invalid page[limit].",
			fmt.Sprintf("page[limit] must be an integer from 1 to %d, got %q", maxLimit, q.Get("page[limit]")))
		return or, false
	}
	if or.offset, ok = intParam(q, "page[offset]", 0); !ok || or.offset < 0 {
		s.writeError(w, rc, http.StatusBadRequest, "Invalid page[offset].",
			"page[offset] must be a non-negative integer, got "+strconv.Quote(q.Get("page[offset]")))
		return or, false
	}
	return or, true
}

// match returns the items f accepts, in order.
func match[T any](items []T, f filter[T]) []T {
	out := make([]T, 0, len(items))
	for i := range items {
		if f.match(&items[i]) {
			out = append(out, items[i])
		}
	}
	return out
}

// filteredList reads an offset-paged list request: its paging and filter (answering 400, with
// title, when either is wrong), waits the fake's latency, and returns the items of list (read
// under the lock) the filter accepts. ok is false when the request is answered already.
func filteredList[T any](s *Server, w http.ResponseWriter, r *http.Request, rc *reqCtx, def, maxLimit int,
	fields map[string]field[T], title string, list func() []T) (offsetRequest, []T, bool) {
	q := r.URL.Query()
	or, ok := s.offsetParams(w, rc, q, def, maxLimit)
	if !ok {
		return or, nil, false
	}
	f, err := parseFilter(q.Get("filter"), fields)
	if err != nil {
		s.writeError(w, rc, http.StatusBadRequest, title, err.Error())
		return or, nil, false
	}
	if !s.wait(r.Context()) {
		return or, nil, false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return or, match(list(), f), true
}

func (s *Server) handlePolicies(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	or, ok := s.offsetParams(w, rc, q, 10, 500)
	if !ok || !s.wait(r.Context()) {
		return
	}
	s.mu.RLock()
	items := slices.Clone(s.posture.policies)
	s.mu.RUnlock()
	base := baseURL(r)
	resp := offsetPage(or, items, base+"/config/policies/", q, func(p *Policy) policyListResource {
		return renderPolicyListItem(base, p)
	})
	s.writeJSON(w, rc, http.StatusOK, &resp)
}

func (s *Server) handlePolicy(w http.ResponseWriter, r *http.Request, rc *reqCtx, name string) {
	s.mu.RLock()
	i := slices.IndexFunc(s.posture.policies, func(p Policy) bool { return p.Name == name })
	var p Policy
	if i >= 0 {
		p = s.posture.policies[i]
	}
	s.mu.RUnlock()
	if i < 0 {
		s.writeError(w, rc, http.StatusNotFound, "The requested policy was not found.", "no policy named "+name)
		return
	}
	s.writeJSON(w, rc, http.StatusOK, renderPolicyDetail(baseURL(r), &p))
}

// handleImages serves /catalog/images: offset paging (page[limit] 1..100, default 10) with the
// spec's default backupTime window of the last 24 hours unless the filter names backupTime.
func (s *Server) handleImages(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	or, ok := s.offsetParams(w, rc, q, 10, 100)
	if !ok {
		return
	}
	expr := q.Get("filter")
	if !strings.Contains(expr, "backupTime") {
		now := s.now().UTC()
		window := "backupTime ge " + now.Add(-24*time.Hour).Format(time.RFC3339Nano) + " and backupTime le " + now.Format(time.RFC3339Nano)
		if expr == "" {
			expr = window
		} else {
			expr = window + " and " + expr
		}
	}
	f, err := parseFilter(expr, imageFields(rc.version))
	if err != nil {
		s.writeError(w, rc, http.StatusBadRequest, "Invalid filter criteria or invalid fieldset value.", err.Error())
		return
	}
	if !s.wait(r.Context()) {
		return
	}
	s.mu.RLock()
	items := match(s.posture.images, f)
	s.mu.RUnlock()
	base := baseURL(r)
	resp := offsetPage(or, items, base+"/catalog/images", q, func(i *Image) imageResource {
		return renderImage(base, i, rc.version)
	})
	s.writeJSON(w, rc, http.StatusOK, &resp)
}

func (s *Server) handleAlerts(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	or, ok := s.offsetParams(w, rc, q, 10, 0)
	if !ok {
		return
	}
	f, err := parseFilter(q.Get("filter"), alertFields)
	if err != nil {
		s.writeError(w, rc, http.StatusBadRequest, "Bad request.", err.Error())
		return
	}
	desc := true // the spec's default: newest first
	switch q.Get("sort") {
	case "", "-createdDateTime":
	case "createdDateTime":
		desc = false
	default:
		s.writeError(w, rc, http.StatusBadRequest, "Bad request.", "the fake sorts alerts on createdDateTime or -createdDateTime only")
		return
	}
	if !s.wait(r.Context()) {
		return
	}
	s.mu.RLock()
	items := match(s.posture.alerts, f)
	s.mu.RUnlock()
	slices.SortStableFunc(items, func(a, b Alert) int {
		c := a.Created.Compare(b.Created)
		if c == 0 {
			c = cmpInt(a.ID, b.ID)
		}
		if desc {
			return -c
		}
		return c
	})
	base := baseURL(r)
	resp := offsetPage(or, items, base+"/manage/alerts", q, func(a *Alert) alertResource { return renderAlert(base, a) })
	s.writeJSON(w, rc, http.StatusOK, &resp)
}

func (s *Server) handleScanResults(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	or, items, ok := filteredList(s, w, r, rc, 10, 100, scanResultFields, "Bad request.", func() []ScanResult { return s.posture.scans })
	if !ok {
		return
	}
	// The spec's default sort is -dateOfScan.
	slices.SortStableFunc(items, func(a, b ScanResult) int { return b.DateOfScan.Compare(a.DateOfScan) })
	base := baseURL(r)
	resp := offsetPage(or, items, base+"/malware/latest-scan-results", q, func(sr *ScanResult) scanResultResource {
		return renderScanResult(base, sr, rc.version)
	})
	s.writeJSON(w, rc, http.StatusOK, &resp)
}

// handleSLPImages serves /catalog/slp-images with cursor paging in ascending backup time and
// client name order (the spec's order), page[limit] 0..1000 (0 and absent = 100).
func (s *Server) handleSLPImages(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	limit, ok := intParam(q, "page[limit]", 100)
	if !ok || limit < 0 || limit > 1000 {
		s.writeError(w, rc, http.StatusBadRequest, "Invalid filter criteria.", "page[limit] must be an integer from 0 to 1000")
		return
	}
	if limit == 0 {
		limit = 100
	}
	f, err := parseFilter(q.Get("filter"), slpImageFields)
	if err != nil {
		s.writeError(w, rc, http.StatusBadRequest, "Invalid filter criteria.", err.Error())
		return
	}
	if !s.wait(r.Context()) {
		return
	}
	s.mu.RLock()
	items := match(s.posture.slp, f)
	s.mu.RUnlock()
	slices.SortStableFunc(items, func(a, b SLPImage) int { return strings.Compare(slpKey(&a), slpKey(&b)) })
	start := 0
	if after := q.Get("page[after]"); after != "" {
		raw, err := base64.StdEncoding.DecodeString(after)
		if err != nil {
			s.writeError(w, rc, http.StatusBadRequest, "Invalid filter criteria.", "page[after] is not a cursor this server issued")
			return
		}
		key := string(raw)
		start, _ = slices.BinarySearchFunc(items, key, func(i SLPImage, k string) int { return strings.Compare(slpKey(&i), k) })
		if start < len(items) && slpKey(&items[start]) == key {
			start++
		}
	}
	end := min(start+limit, len(items))
	var resp slpImagesResponse
	resp.Data = make([]slpImageResource, 0, end-start)
	for i := start; i < end; i++ {
		resp.Data = append(resp.Data, renderSLPImage(&items[i]))
	}
	resp.Meta.Pagination.Limit = limit
	base := baseURL(r) + "/catalog/slp-images"
	resp.Links.Self = &href{base + "?" + r.URL.RawQuery}
	if end < len(items) {
		next := base64.StdEncoding.EncodeToString([]byte(slpKey(&items[end-1])))
		resp.Meta.Pagination.Next = next
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("page[after]", next)
		resp.Links.Next = &href{base + "?" + v.Encode()}
	}
	s.writeJSON(w, rc, http.StatusOK, &resp)
}

// slpKey orders SLP images as the spec does (backup time, then client name; the cursor is
// "backupTime:clientName" in base64), with the backup id to make the order total.
func slpKey(i *SLPImage) string {
	return fmt.Sprintf("%020d:%s:%s", i.BackupTime.UnixMilli(), i.ClientName, i.BackupID)
}
