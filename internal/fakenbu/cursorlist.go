package fakenbu

import (
	"net/http"
	"net/url"
	"strconv"
)

// The simple cursor-paged lists (tape media, tape volume pools) page by the
// key of a record: page[after]=K answers the records after the one with key
// K, in the served order, and meta.pagination.next is the key of the page's
// last record when more follow. Jobs have their own cursors (jobindex.go),
// which also encode a sort position.

type cursorResponse[R any] struct {
	Data []R `json:"data"`
	Meta struct {
		Pagination cursorPagination `json:"pagination"`
	} `json:"meta"`
	Links struct {
		Pagination pageLinks `json:"pagination"`
	} `json:"links"`
}

// cursorList answers one page of items keyed by key, or writes a 400 and
// returns false. The spec's page[limit] is 0..100, default 10.
func cursorList[T, R any](s *Server, w http.ResponseWriter, rc *reqCtx, q url.Values, self string,
	items []T, key func(*T) string, render func(*T) R) (cursorResponse[R], bool) {
	var resp cursorResponse[R]
	limit, ok := intParam(q, "page[limit]", defaultJobsLimit)
	if !ok || limit < 0 || limit > maxJobsLimit {
		s.writeError(w, rc, http.StatusBadRequest, "Invalid page[limit].",
			"page[limit] must be an integer from 0 to 100, got "+strconv.Quote(q.Get("page[limit]")))
		return resp, false
	}
	if limit == 0 {
		limit = defaultJobsLimit
	}
	if q.Get("filter") != "" || q.Get("sort") != "" {
		s.writeError(w, rc, http.StatusBadRequest, "Invalid filter or sort.", "the fake neither filters nor sorts "+rc.endpoint)
		return resp, false
	}
	start, end := 0, len(items)
	for _, c := range []struct {
		param string
		dst   *int
		shift int
	}{{"page[after]", &start, 1}, {"page[before]", &end, 0}} {
		v := q.Get(c.param)
		if v == "" {
			continue
		}
		i := indexOfKey(items, key, v)
		if i < 0 {
			s.writeError(w, rc, http.StatusBadRequest, "Invalid "+c.param+".", "no record with key "+strconv.Quote(v))
			return resp, false
		}
		*c.dst = i + c.shift
	}
	if q.Get("page[before]") != "" && q.Get("page[after]") == "" {
		start = max(end-limit, 0) // a page ending just before the cursor
	}
	stop := min(end, start+limit)
	resp.Data = make([]R, 0, max(stop-start, 0))
	for i := start; i < stop; i++ {
		resp.Data = append(resp.Data, render(&items[i]))
	}
	p := cursorPagination{Limit: limit, RangeTruncated: q.Get("page[before]") != "" && q.Get("page[after]") != "" && stop < end}
	if stop < len(items) && stop > start {
		p.Next = key(&items[stop-1])
	}
	if start > 0 && stop > start {
		p.Prev = key(&items[start])
	}
	resp.Meta.Pagination = p
	resp.Links.Pagination = cursorLinks(self, limit, p)
	return resp, true
}

func indexOfKey[T any](items []T, key func(*T) string, k string) int {
	for i := range items {
		if key(&items[i]) == k {
			return i
		}
	}
	return -1
}

func cursorLinks(self string, limit int, p cursorPagination) pageLinks {
	link := func(param, val string) *href {
		v := url.Values{"page[limit]": {strconv.Itoa(limit)}}
		if val != "" {
			v.Set(param, val)
		}
		return &href{self + "?" + v.Encode()}
	}
	l := pageLinks{Self: link("", ""), First: link("", "")}
	if p.Next != "" {
		l.Next = link("page[after]", p.Next)
	}
	if p.Prev != "" {
		l.Prev = link("page[before]", p.Prev)
	}
	return l
}
