package fakenbu

import (
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

type sortField int

const (
	sortJobID sortField = iota
	sortStartTime
	sortEndTime
	sortLastUpdateTime
)

var sortFieldNames = map[string]sortField{
	"jobId":          sortJobID,
	"startTime":      sortStartTime,
	"endTime":        sortEndTime,
	"lastUpdateTime": sortLastUpdateTime,
}

// sortSpec is one /admin/jobs order; ties are broken by jobId in the same
// direction, which makes every order total and cursors unambiguous.
type sortSpec struct {
	field sortField
	desc  bool
}

// defaultSort is the spec's documented order without a sort parameter.
var defaultSort = sortSpec{field: sortStartTime, desc: true}

func parseSort(s string) (sortSpec, error) {
	if s == "" {
		return defaultSort, nil
	}
	name, desc := strings.CutPrefix(s, "-")
	f, ok := sortFieldNames[name]
	if !ok {
		return sortSpec{}, fmt.Errorf("sort %q: unsupported attribute (the fake sorts on jobId, startTime, endTime, lastUpdateTime, optionally prefixed with '-')", s)
	}
	return sortSpec{field: f, desc: desc}, nil
}

func (sp sortSpec) String() string {
	var name string
	switch sp.field {
	case sortJobID:
		name = "jobId"
	case sortStartTime:
		name = "startTime"
	case sortEndTime:
		name = "endTime"
	default:
		name = "lastUpdateTime"
	}
	if sp.desc {
		return "-" + name
	}
	return name
}

// key maps a job to an integer sort key. A missing time sorts as the
// smallest value: first ascending, last descending.
func (sp sortSpec) key(j *Job) int64 {
	var t time.Time
	switch sp.field {
	case sortJobID:
		return j.JobID
	case sortStartTime:
		t = j.StartTime
	case sortEndTime:
		t = j.EndTime
	default:
		t = j.LastUpdateTime
	}
	if t.IsZero() {
		return math.MinInt64
	}
	return t.UnixMilli()
}

// position is a point in a sort order: a record's key and jobId.
type position struct{ key, id int64 }

// indexEntry is one job of a sorted index; pos indexes Server.jobs.
type indexEntry struct {
	position
	pos int
}

// cmp orders two positions in the direction of sp.
func (sp sortSpec) cmp(a, b position) int {
	c := cmpInt(a.key, b.key)
	if c == 0 {
		c = cmpInt(a.id, b.id)
	}
	if sp.desc {
		return -c
	}
	return c
}

// sortedIndex returns the jobs in sp order, building it on first use after a
// write. The caller holds s.mu.RLock; the returned slice is never modified.
func (s *Server) sortedIndex(sp sortSpec) []indexEntry {
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	if idx, ok := s.sorted[sp]; ok {
		return idx
	}
	idx := make([]indexEntry, len(s.jobs))
	for i := range s.jobs {
		j := &s.jobs[i]
		idx[i] = indexEntry{position: position{key: sp.key(j), id: j.JobID}, pos: i}
	}
	slices.SortFunc(idx, func(a, b indexEntry) int { return sp.cmp(a.position, b.position) })
	if s.sorted == nil {
		s.sorted = map[sortSpec][]indexEntry{}
	}
	s.sorted[sp] = idx
	return idx
}

// childCounts returns the number of direct children per parent jobId,
// computed on first use after a write. The caller holds s.mu.RLock.
func (s *Server) childCounts() map[int64]int64 {
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	if s.children == nil {
		s.children = map[int64]int64{}
		for i := range s.jobs {
			if p := s.jobs[i].ParentJobID; p != 0 && p != s.jobs[i].JobID {
				s.children[p]++
			}
		}
	}
	return s.children
}

// Cursors are opaque to clients; inside they name the sort order they were
// issued for, so a cursor reused with another order is refused instead of
// silently resuming at a meaningless place.
func encodeCursor(sp sortSpec, p position) string {
	raw := sp.String() + "|" + strconv.FormatInt(p.key, 10) + "|" + strconv.FormatInt(p.id, 10)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeCursor(sp sortSpec, c string) (position, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return position{}, fmt.Errorf("cursor %q is not one this server issued", c)
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 3 {
		return position{}, fmt.Errorf("cursor %q is not one this server issued", c)
	}
	if parts[0] != sp.String() {
		return position{}, fmt.Errorf("cursor %q was issued for sort %s, not %s", c, parts[0], sp)
	}
	key, err1 := strconv.ParseInt(parts[1], 10, 64)
	id, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil {
		return position{}, fmt.Errorf("cursor %q is not one this server issued", c)
	}
	return position{key: key, id: id}, nil
}

// jobPage is one selected page, copied out of the locked data.
type jobPage struct {
	jobs       []Job
	cursors    []string
	children   []int64
	next, prev string
	truncated  bool
}

// selectJobs picks up to limit jobs matching f in sp order, strictly after
// *after and strictly before *before when given. Without after but with
// before it pages backwards (the last limit matches before the cursor).
// next/prev are set only when a matching record exists beyond the page, so
// no empty trailing page is ever announced.
func (s *Server) selectJobs(sp sortSpec, f filter[Job], limit int, after, before *position) jobPage {
	s.mu.RLock()
	defer s.mu.RUnlock()
	idx := s.sortedIndex(sp)
	lo, hi := 0, len(idx)
	if after != nil {
		lo = sort.Search(len(idx), func(i int) bool { return sp.cmp(idx[i].position, *after) > 0 })
	}
	if before != nil {
		hi = sort.Search(len(idx), func(i int) bool { return sp.cmp(idx[i].position, *before) >= 0 })
	}
	match := func(i int) bool { return f.match(&s.jobs[idx[i].pos]) }
	firstMatch := func(from, to, step int) int {
		for i := from; i != to; i += step {
			if match(i) {
				return i
			}
		}
		return -1
	}

	picked := make([]int, 0, min(limit, 100))
	var page jobPage
	if before != nil && after == nil {
		for i := hi - 1; i >= lo && len(picked) < limit; i-- {
			if match(i) {
				picked = append(picked, i)
			}
		}
		slices.Reverse(picked)
	} else {
		for i := lo; i < hi && len(picked) < limit; i++ {
			if match(i) {
				picked = append(picked, i)
			}
		}
		if before != nil && len(picked) == limit {
			page.truncated = firstMatch(picked[len(picked)-1]+1, hi, 1) >= 0
		}
	}
	if len(picked) == 0 {
		page.jobs, page.cursors, page.children = []Job{}, []string{}, []int64{}
		return page
	}
	if firstMatch(picked[len(picked)-1]+1, len(idx), 1) >= 0 {
		page.next = encodeCursor(sp, idx[picked[len(picked)-1]].position)
	}
	if firstMatch(picked[0]-1, -1, -1) >= 0 {
		page.prev = encodeCursor(sp, idx[picked[0]].position)
	}
	kids := s.childCounts()
	page.jobs = make([]Job, len(picked))
	page.cursors = make([]string, len(picked))
	page.children = make([]int64, len(picked))
	for n, i := range picked {
		j := s.jobs[idx[i].pos]
		page.jobs[n] = j
		page.cursors[n] = encodeCursor(sp, idx[i].position)
		page.children[n] = kids[j.JobID]
	}
	return page
}
