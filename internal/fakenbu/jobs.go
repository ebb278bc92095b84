package fakenbu

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

const (
	defaultJobsLimit = 10
	maxJobsLimit     = 100
)

type href struct {
	Href string `json:"href"`
}

type pageLinks struct {
	Self  *href `json:"self,omitempty"`
	First *href `json:"first,omitempty"`
	Last  *href `json:"last,omitempty"`
	Next  *href `json:"next,omitempty"`
	Prev  *href `json:"prev,omitempty"`
}

type jobLinks struct {
	Self      href `json:"self"`
	FileLists href `json:"file-lists"`
	TryLogs   href `json:"try-logs"`
}

type jobMeta struct {
	Page struct {
		Cursor string `json:"cursor"`
	} `json:"page"`
}

type jobResource struct {
	Links      jobLinks       `json:"links"`
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Meta       *jobMeta       `json:"meta,omitempty"`
	Attributes *jobAttributes `json:"attributes"`
}

type cursorPagination struct {
	Limit          int    `json:"limit"`
	Next           string `json:"next,omitempty"`
	Prev           string `json:"prev,omitempty"`
	RangeTruncated bool   `json:"rangeTruncated,omitempty"`
}

type jobsResponse struct {
	Links pageLinks     `json:"links"`
	Data  []jobResource `json:"data"`
	Meta  struct {
		Pagination cursorPagination `json:"pagination"`
	} `json:"meta"`
}

// baseURL is what the server's hrefs are built on, as the client reached it.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + basePath
}

// intParam reads an integer query parameter; def when absent.
func intParam(q url.Values, name string, def int) (int, bool) {
	v := q.Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

// wait applies the configured page latency; false when the request was
// abandoned meanwhile.
func (s *Server) wait(ctx context.Context) bool {
	if s.pageLatency <= 0 {
		return true
	}
	t := time.NewTimer(s.pageLatency)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (s *Server) handleJobs(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	limit, ok := intParam(q, "page[limit]", defaultJobsLimit)
	if !ok || limit < 0 || limit > maxJobsLimit {
		s.writeError(w, rc, http.StatusBadRequest, "Invalid page[limit].",
			"page[limit] must be an integer from 0 to 100, got "+strconv.Quote(q.Get("page[limit]")))
		return
	}
	sp, err := parseSort(q.Get("sort"))
	if err != nil {
		s.writeError(w, rc, http.StatusBadRequest, "Invalid sort.", err.Error())
		return
	}
	f, err := parseFilter(q.Get("filter"), jobFields)
	if err != nil {
		s.writeError(w, rc, http.StatusBadRequest, "Invalid filter.", err.Error())
		return
	}
	var after, before *position
	for _, c := range []struct {
		param string
		dst   **position
	}{{"page[after]", &after}, {"page[before]", &before}} {
		if v := q.Get(c.param); v != "" {
			p, err := decodeCursor(sp, v)
			if err != nil {
				s.writeError(w, rc, http.StatusBadRequest, "Invalid "+c.param+".", err.Error())
				return
			}
			*c.dst = &p
		}
	}
	if !s.wait(r.Context()) {
		return
	}

	page := s.selectJobs(sp, f, limit, after, before)
	base := baseURL(r)
	now := s.now()
	resp := jobsResponse{Data: make([]jobResource, len(page.jobs))}
	attrs := make([]jobAttributes, len(page.jobs))
	metas := make([]jobMeta, len(page.jobs))
	for i := range page.jobs {
		j := &page.jobs[i]
		id := strconv.FormatInt(j.JobID, 10)
		self := base + "/admin/jobs/" + id
		attrs[i] = s.jobAttributes(j, page.children[i], now)
		metas[i].Page.Cursor = page.cursors[i]
		resp.Data[i] = jobResource{
			Links:      jobLinks{Self: href{self}, FileLists: href{self + "/file-lists"}, TryLogs: href{self + "/try-logs"}},
			Type:       "job",
			ID:         id,
			Meta:       &metas[i],
			Attributes: &attrs[i],
		}
	}
	resp.Meta.Pagination = cursorPagination{Limit: limit, Next: page.next, Prev: page.prev, RangeTruncated: page.truncated}
	link := func(set, drop, val string) *href {
		v := url.Values{}
		for k, vs := range q {
			if k != set && k != drop {
				v[k] = vs
			}
		}
		if val != "" {
			v.Set(set, val)
		}
		return &href{base + "/admin/jobs?" + v.Encode()}
	}
	resp.Links.Self = &href{base + "/admin/jobs?" + r.URL.RawQuery}
	resp.Links.First = link("page[after]", "page[before]", "")
	if page.next != "" {
		resp.Links.Next = link("page[after]", "page[before]", page.next)
	}
	if page.prev != "" {
		resp.Links.Prev = link("page[before]", "page[after]", page.prev)
	}
	if s.realShapes != nil {
		s.writeJSON(w, rc, http.StatusOK, realJobs(&resp))
		return
	}
	s.writeJSON(w, rc, http.StatusOK, &resp)
}

// handleJob serves GET /admin/jobs/{jobId}.
func (s *Server) handleJob(w http.ResponseWriter, r *http.Request, rc *reqCtx, id int64) {
	s.mu.RLock()
	i, ok := s.byID[id]
	var j Job
	var kids int64
	if ok {
		j = s.jobs[i]
		kids = s.childCounts()[id]
	}
	s.mu.RUnlock()
	if !ok {
		s.writeError(w, rc, http.StatusNotFound, "The requested job was not found.",
			"no job with jobId "+strconv.FormatInt(id, 10))
		return
	}
	self := baseURL(r) + "/admin/jobs/" + strconv.FormatInt(id, 10)
	attrs := s.jobAttributes(&j, kids, s.now())
	s.writeJSON(w, rc, http.StatusOK, struct {
		Data jobResource `json:"data"`
	}{jobResource{
		Links:      jobLinks{Self: href{self}, FileLists: href{self + "/file-lists"}, TryLogs: href{self + "/try-logs"}},
		Type:       "job",
		ID:         strconv.FormatInt(id, 10),
		Attributes: &attrs,
	}})
}
