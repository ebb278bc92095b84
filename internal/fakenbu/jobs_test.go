package fakenbu

import (
	"cmp"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// expectedOrder sorts jobs the way the spec's sort parameter describes, as
// an independent oracle for the server's index.
func expectedOrder(jobs []Job, sortParam string) []int64 {
	name, desc := strings.CutPrefix(sortParam, "-")
	key := func(j Job) int64 {
		var t time.Time
		switch name {
		case "jobId":
			return j.JobID
		case "endTime":
			t = j.EndTime
		case "lastUpdateTime":
			t = j.LastUpdateTime
		default:
			t = j.StartTime
		}
		if t.IsZero() {
			return math.MinInt64
		}
		return t.UnixNano()
	}
	sorted := slices.Clone(jobs)
	slices.SortFunc(sorted, func(a, b Job) int {
		c := cmp.Or(cmp.Compare(key(a), key(b)), cmp.Compare(a.JobID, b.JobID))
		if desc {
			return -c
		}
		return c
	})
	ids := make([]int64, len(sorted))
	for i, j := range sorted {
		ids[i] = j.JobID
	}
	return ids
}

// walkJobs follows next cursors from the first page and returns the pages;
// between runs after each page that has a successor.
func walkJobs(t *testing.T, do1 func(q url.Values) response, q url.Values, between func(page int)) []wireJobs {
	t.Helper()
	var pages []wireJobs
	for n := 0; ; n++ {
		if n > 10000 {
			t.Fatal("paging does not terminate")
		}
		r := do1(q)
		if r.status != http.StatusOK {
			t.Fatalf("page %d: status %d: %s", n+1, r.status, r.body)
		}
		p := decode[wireJobs](t, r)
		pages = append(pages, p)
		next := p.next()
		if next == "" {
			return pages
		}
		if between != nil {
			between(n + 1)
		}
		q = cloneValues(q)
		q.Set("page[after]", next)
	}
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = slices.Clone(v)
	}
	return out
}

func TestJobsPagingReturnsEveryJobOnceInOrder(t *testing.T) {
	jobs := GenerateJobs(7, 157, 2*time.Hour, testNow)
	s, ts := newTestServer(t, Options{})
	s.SetJobs(jobs)
	get := func(q url.Values) response { return do(t, ts, "/netbackup/admin/jobs", q, nil) }
	for _, sortParam := range []string{"", "jobId", "-jobId", "startTime", "-startTime", "endTime", "-endTime", "lastUpdateTime", "-lastUpdateTime"} {
		for _, limit := range []int{1, 7, 100} {
			if limit == 1 && sortParam != "" && sortParam != "-endTime" {
				continue // one page per job is slow under -race; two orders suffice
			}
			t.Run(sortParam+"/"+strconv.Itoa(limit), func(t *testing.T) {
				q := url.Values{"page[limit]": {strconv.Itoa(limit)}}
				if sortParam != "" {
					q.Set("sort", sortParam)
				}
				pages := walkJobs(t, get, q, nil)
				var got []int64
				for i, p := range pages {
					if len(p.Data) == 0 || len(p.Data) > limit {
						t.Fatalf("page %d has %d records, want 1..%d", i+1, len(p.Data), limit)
					}
					if i < len(pages)-1 && p.Data[len(p.Data)-1].Meta.Page.Cursor != p.next() {
						t.Errorf("page %d: next %q is not the last record's cursor %q", i+1, p.next(), p.Data[len(p.Data)-1].Meta.Page.Cursor)
					}
					if _, ok := p.Meta.Pagination["prev"]; ok != (i > 0) {
						t.Errorf("page %d: prev present = %v", i+1, ok)
					}
					if p.Meta.Pagination["limit"] != float64(limit) {
						t.Errorf("page %d: meta.pagination.limit = %v", i+1, p.Meta.Pagination["limit"])
					}
					got = append(got, p.ids()...)
				}
				want := expectedOrder(jobs, cmp.Or(sortParam, "-startTime"))
				if !slices.Equal(got, want) {
					t.Fatalf("walk returned %d ids, want %d in order;\n got %v\nwant %v", len(got), len(want), head(got), head(want))
				}
				if wantPages := (len(jobs) + limit - 1) / limit; len(pages) != wantPages {
					t.Errorf("took %d pages, want %d (no empty trailing page)", len(pages), wantPages)
				}
			})
		}
	}
}

func head(ids []int64) []int64 { return ids[:min(len(ids), 20)] }

func TestJobsPagingWithChangesBetweenPages(t *testing.T) {
	jobs := GenerateJobs(3, 60, time.Hour, testNow)
	s, ts := newTestServer(t, Options{})
	s.SetJobs(jobs)
	get := func(q url.Values) response { return do(t, ts, "/netbackup/admin/jobs", q, nil) }
	oldest := slices.MinFunc(jobs, func(a, b Job) int { return a.StartTime.Compare(b.StartTime) }).StartTime

	// Default order is newest first: a job newer than everything lands before
	// the cursor and is not seen; one older than everything lands ahead and
	// is seen exactly once; an update in place changes nothing.
	newer := Job{JobID: 1001, JobType: "BACKUP", State: "ACTIVE", StartTime: testNow.Add(time.Minute)}
	older := Job{JobID: 1002, JobType: "BACKUP", State: "DONE", StartTime: oldest.Add(-time.Minute), EndTime: oldest}
	updated := jobs[0]
	updated.PolicyName = "changed"
	pages := walkJobs(t, get, url.Values{"page[limit]": {"10"}}, func(page int) {
		if page == 2 {
			s.UpsertJob(newer)
			s.UpsertJob(older)
			s.UpsertJob(updated)
		}
	})
	seen := map[int64]int{}
	var got []int64
	for _, p := range pages {
		for _, id := range p.ids() {
			seen[id]++
			got = append(got, id)
		}
	}
	for _, j := range jobs {
		if seen[j.JobID] != 1 {
			t.Errorf("job %d seen %d times, want 1", j.JobID, seen[j.JobID])
		}
	}
	if seen[older.JobID] != 1 || seen[newer.JobID] != 0 {
		t.Errorf("inserted jobs seen: older %d (want 1), newer %d (want 0)", seen[older.JobID], seen[newer.JobID])
	}
	if want := expectedOrder(append(slices.Clone(jobs), older), "-startTime"); !slices.Equal(got, want) {
		t.Errorf("order after insert:\n got %v\nwant %v", got, want)
	}
}

func TestJobsCursorStability(t *testing.T) {
	jobs := GenerateJobs(11, 40, time.Hour, testNow)
	s, ts := newTestServer(t, Options{})
	s.SetJobs(jobs)
	q := url.Values{"page[limit]": {"5"}, "sort": {"jobId"}}
	first := decode[wireJobs](t, do(t, ts, "/netbackup/admin/jobs", q, nil))
	again := decode[wireJobs](t, do(t, ts, "/netbackup/admin/jobs", q, nil))
	if first.next() == "" || first.next() != again.next() {
		t.Fatalf("next cursor unstable: %q vs %q", first.next(), again.next())
	}

	// Replacing the data wholesale (dropping job 3, before the cursor) must
	// not move the resumption point: the page after the cursor is 6..10.
	s.SetJobs(slices.DeleteFunc(slices.Clone(jobs), func(j Job) bool { return j.JobID == 3 }))
	q.Set("page[after]", first.next())
	p2 := decode[wireJobs](t, do(t, ts, "/netbackup/admin/jobs", q, nil))
	if got, want := p2.ids(), []int64{6, 7, 8, 9, 10}; !slices.Equal(got, want) {
		t.Errorf("page after cursor = %v, want %v", got, want)
	}

	// page[before] the second page's first record gives the first page back.
	q.Del("page[after]")
	q.Set("page[before]", p2.Data[0].Meta.Page.Cursor)
	back := decode[wireJobs](t, do(t, ts, "/netbackup/admin/jobs", q, nil))
	if got, want := back.ids(), []int64{1, 2, 4, 5}; !slices.Equal(got, want) {
		t.Errorf("page before = %v, want %v", got, want)
	}

	bad := []struct{ name, sort, cursor string }{
		{"cursor from another sort", "-jobId", first.next()},
		{"not base64", "jobId", "%%%"},
		{"not a cursor", "jobId", "MTIz"},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			r := do(t, ts, "/netbackup/admin/jobs", url.Values{"sort": {b.sort}, "page[after]": {b.cursor}}, nil)
			checkError(t, r, http.StatusBadRequest)
		})
	}
}

func TestJobsRangeTruncated(t *testing.T) {
	s, ts := newTestServer(t, Options{})
	s.SetJobs(GenerateJobs(1, 30, time.Hour, testNow))
	first := decode[wireJobs](t, do(t, ts, "/netbackup/admin/jobs", url.Values{"sort": {"jobId"}, "page[limit]": {"20"}}, nil))
	q := url.Values{"sort": {"jobId"}, "page[limit]": {"3"},
		"page[after]": {first.Data[0].Meta.Page.Cursor}, "page[before]": {first.Data[10].Meta.Page.Cursor}}
	p := decode[wireJobs](t, do(t, ts, "/netbackup/admin/jobs", q, nil))
	if got := p.ids(); !slices.Equal(got, []int64{2, 3, 4}) || p.Meta.Pagination["rangeTruncated"] != true {
		t.Errorf("range page = %v, pagination %v; want [2 3 4] truncated", got, p.Meta.Pagination)
	}
}

func TestJobsPageLimit(t *testing.T) {
	s, ts := newTestServer(t, Options{})
	s.SetJobs(GenerateJobs(5, 150, time.Hour, testNow))
	tests := []struct {
		limit   string
		status  int
		records int
	}{
		{"", 200, 10},
		{"0", 200, 0},
		{"1", 200, 1},
		{"100", 200, 100},
		{"101", 400, 0},
		{"-1", 400, 0},
		{"ten", 400, 0},
	}
	for _, tt := range tests {
		t.Run("limit="+tt.limit, func(t *testing.T) {
			q := url.Values{}
			if tt.limit != "" {
				q.Set("page[limit]", tt.limit)
			}
			r := do(t, ts, "/netbackup/admin/jobs", q, nil)
			if tt.status != 200 {
				e := checkError(t, r, tt.status)
				if !strings.Contains(strings.Join(e.ErrorDetails, " "), "page[limit]") {
					t.Errorf("error details do not name page[limit]: %v", e.ErrorDetails)
				}
				return
			}
			p := decode[wireJobs](t, r)
			if len(p.Data) != tt.records {
				t.Errorf("got %d records, want %d", len(p.Data), tt.records)
			}
			if tt.records == 0 && p.next() != "" {
				t.Errorf("empty page announces a next page")
			}
		})
	}
}

// filterJobs is a small hand-made set with exact boundaries.
func filterJobs() []Job {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return []Job{
		{JobID: 1, JobType: "BACKUP", PolicyType: "STANDARD", ClientName: "a", State: "DONE", Status: 0,
			StartTime: base, EndTime: base.Add(time.Hour), LastUpdateTime: base.Add(time.Hour)},
		{JobID: 2, ParentJobID: 1, JobType: "BACKUP", PolicyType: "VMWARE", ClientName: "b", State: "DONE", Status: 1,
			StartTime: base.Add(time.Minute), EndTime: base.Add(2 * time.Hour), LastUpdateTime: base.Add(2 * time.Hour)},
		{JobID: 3, JobType: "DUPLICATE", PolicyType: "STANDARD", ClientName: "o'brien", State: "DONE", Status: 196,
			StartTime: base.Add(2 * time.Minute), EndTime: base.Add(2*time.Hour + 500*time.Millisecond), LastUpdateTime: base.Add(3 * time.Hour)},
		{JobID: 4, JobType: "BACKUP", PolicyType: "ORACLE", ClientName: "a", State: "ACTIVE", Status: 0,
			StartTime: base.Add(3 * time.Minute), LastUpdateTime: base.Add(4 * time.Hour)},
		{JobID: 5, JobType: "RESTORE", PolicyType: "WINDOWS_NT", ClientName: "c", State: "QUEUED", JobQueueReason: 2,
			StartTime: base.Add(4 * time.Minute), LastUpdateTime: base.Add(4 * time.Minute)},
	}
}

func TestJobsFilter(t *testing.T) {
	s, ts := newTestServer(t, Options{})
	s.SetJobs(filterJobs())
	tests := []struct {
		filter string
		want   []int64
	}{
		{"", []int64{1, 2, 3, 4, 5}},
		{"jobId eq 3", []int64{3}},
		{"jobId ne 3", []int64{1, 2, 4, 5}},
		{"jobId lt 3", []int64{1, 2}},
		{"jobId le 3", []int64{1, 2, 3}},
		{"jobId gt 3", []int64{4, 5}},
		{"jobId ge 3", []int64{3, 4, 5}},
		{"parentJobId eq 1", []int64{2}},
		{"status gt 0", []int64{2, 3}},
		{"status eq 0", []int64{1, 4, 5}},
		// endTime on the boundary 02:00:00Z: job 2 ends exactly there, job 3
		// half a second later; jobs 4 and 5 have no endTime and never match.
		{"endTime eq 2026-01-01T02:00:00Z", []int64{2}},
		{"endTime ge 2026-01-01T02:00:00Z", []int64{2, 3}},
		{"endTime gt 2026-01-01T02:00:00Z", []int64{3}},
		{"endTime le 2026-01-01T02:00:00Z", []int64{1, 2}},
		{"endTime lt 2026-01-01T02:00:00Z", []int64{1}},
		{"endTime ne 2026-01-01T02:00:00Z", []int64{1, 3}},
		{"endTime gt 2026-01-01T02:00:00.499Z", []int64{3}},
		{"endTime eq 2026-01-01T02:00:00.500Z", []int64{3}},
		{"endTime ge 2026-01-01T03:00:00+02:00", []int64{1, 2, 3}},
		{"endTime gt 2026-01-01T03:00:00+02:00", []int64{2, 3}},
		{"startTime ge 2026-01-01T00:03:00Z", []int64{4, 5}},
		{"lastUpdateTime gt 2026-01-01T02:30:00Z", []int64{3, 4}},
		{"state eq 'DONE'", []int64{1, 2, 3}},
		{"state ne 'DONE'", []int64{4, 5}},
		{"jobType eq 'BACKUP'", []int64{1, 2, 4}},
		{"policyType ne 'STANDARD'", []int64{2, 4, 5}},
		{"clientName eq 'o''brien'", []int64{3}},
		{"clientName eq 'a' and state eq 'DONE'", []int64{1}},
		{"endTime gt 2026-01-01T00:00:00Z  and  jobType eq 'BACKUP' and status le 1", []int64{1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			q := url.Values{"sort": {"jobId"}, "page[limit]": {"100"}}
			if tt.filter != "" {
				q.Set("filter", tt.filter)
			}
			pages := walkJobs(t, func(q url.Values) response { return do(t, ts, "/netbackup/admin/jobs", q, nil) }, q, nil)
			var got []int64
			for _, p := range pages {
				got = append(got, p.ids()...)
			}
			if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("served %v, want %v", got, tt.want)
			}
			n, err := s.CountJobs(tt.filter)
			if err != nil || n != len(tt.want) {
				t.Errorf("CountJobs = %d, %v; want %d", n, err, len(tt.want))
			}
		})
	}
}

// A selective filter over many jobs still pages correctly: pages fill up
// across long runs of non-matching records and the last page has no next.
func TestJobsFilterAcrossPages(t *testing.T) {
	jobs := GenerateJobs(9, 2000, 6*time.Hour, testNow)
	s, ts := newTestServer(t, Options{})
	s.SetJobs(jobs)
	filter := "status ne 0 and jobType eq 'BACKUP'"
	var want []Job
	for _, j := range jobs {
		if j.Status != 0 && j.JobType == "BACKUP" {
			want = append(want, j)
		}
	}
	if len(want) < 30 {
		t.Fatalf("generated data has only %d matching jobs; test needs more", len(want))
	}
	pages := walkJobs(t, func(q url.Values) response { return do(t, ts, "/netbackup/admin/jobs", q, nil) },
		url.Values{"filter": {filter}, "page[limit]": {"10"}, "sort": {"-endTime"}}, nil)
	var got []int64
	for i, p := range pages {
		if i < len(pages)-1 && len(p.Data) != 10 {
			t.Errorf("page %d has %d records, want a full page", i+1, len(p.Data))
		}
		got = append(got, p.ids()...)
	}
	if exp := expectedOrder(want, "-endTime"); !slices.Equal(got, exp) {
		t.Errorf("got %d ids, want %d", len(got), len(exp))
	}
}

func TestJobsBadRequests(t *testing.T) {
	_, ts := newTestServer(t, Options{})
	tests := []struct{ param, value, mention string }{
		{"filter", "nosuch eq 1", "nosuch"},
		{"filter", "jobId like 1", "like"},
		{"filter", "jobId eq '1'", "jobId"},
		{"filter", "jobId eq x", "jobId"},
		{"filter", "state eq DONE", "state"},
		{"filter", "state gt 'DONE'", "gt"},
		{"filter", "endTime gt '2026-01-01T00:00:00Z'", "endTime"},
		{"filter", "endTime gt 2026-01-01", "endTime"},
		{"filter", "state eq 'DONE", "unterminated"},
		{"filter", "jobId eq 1 or jobId eq 2", "'and'"},
		{"filter", "jobId eq 1 and", "incomplete"},
		{"filter", "jobId eq", "incomplete"},
		{"sort", "policyName", "policyName"},
		{"sort", "--jobId", "--jobId"},
	}
	for _, tt := range tests {
		t.Run(tt.param+"="+tt.value, func(t *testing.T) {
			e := checkError(t, do(t, ts, "/netbackup/admin/jobs", url.Values{tt.param: {tt.value}}, nil), http.StatusBadRequest)
			if d := strings.Join(e.ErrorDetails, " "); !strings.Contains(d, tt.mention) {
				t.Errorf("error details %q do not mention %q", d, tt.mention)
			}
		})
	}
}

func TestJobsResponseShape(t *testing.T) {
	s, ts := newTestServer(t, Options{ServerName: "primary.test"})
	s.SetJobs(filterJobs())
	r := do(t, ts, "/netbackup/admin/jobs", url.Values{"sort": {"jobId"}, "page[limit]": {"4"}, "filter": {"jobId le 4"}}, nil)
	if ct := r.header.Get("Content-Type"); ct != testAccept {
		t.Errorf("Content-Type = %q, want %q", ct, testAccept)
	}
	p := decode[wireJobs](t, r)
	if len(p.Data) != 4 {
		t.Fatalf("got %d records", len(p.Data))
	}
	if p.Links["self"].Href == "" || p.Links["first"].Href == "" || p.Links["prev"].Href != "" {
		t.Errorf("links = %+v, want self and first, no prev", p.Links)
	}
	for _, d := range p.Data {
		a := d.Attributes
		id := strconv.FormatInt(int64(a["jobId"].(float64)), 10)
		if d.Type != "job" || d.ID != id {
			t.Errorf("type/id = %q/%q, want job/%s", d.Type, d.ID, id)
		}
		if want := ts.URL + "/netbackup/admin/jobs/" + id; d.Links["self"].Href != want || d.Links["try-logs"].Href != want+"/try-logs" {
			t.Errorf("links = %+v, want self %s", d.Links, want)
		}
		if d.Meta.Page.Cursor == "" {
			t.Errorf("job %s has no meta.page.cursor", id)
		}
		if len(a) < 60 {
			t.Errorf("job %s has %d attributes, want a realistic set (>= 60)", id, len(a))
		}
		for _, k := range []string{"startTime", "lastUpdateTime", "activeTryStartTime"} {
			v, _ := a[k].(string)
			if _, err := time.Parse("2006-01-02T15:04:05.000Z", v); err != nil {
				t.Errorf("job %s %s = %q, want UTC with milliseconds and Z", id, k, v)
			}
		}
		_, hasEnd := a["endTime"]
		if wantEnd := a["state"] == "DONE"; hasEnd != wantEnd {
			t.Errorf("job %s (state %v): endTime present = %v", id, a["state"], hasEnd)
		}
		if a["controlHost"] != "primary.test" {
			t.Errorf("controlHost = %v", a["controlHost"])
		}
	}
	first := p.Data[0].Attributes
	if first["endTime"] != "2026-01-01T01:00:00.000Z" || first["elapsedTime"] != "PT1H" || first["childCount"] != float64(1) {
		t.Errorf("job 1: endTime %v elapsedTime %v childCount %v", first["endTime"], first["elapsedTime"], first["childCount"])
	}
	if p.Data[1].Attributes["jobPath"] != "1.2" {
		t.Errorf("job 2 jobPath = %v, want 1.2", p.Data[1].Attributes["jobPath"])
	}
	if next := p.Links["next"].Href; next != "" {
		t.Errorf("single page has links.next %q", next)
	}
}

func TestJobByID(t *testing.T) {
	s, ts := newTestServer(t, Options{})
	s.SetJobs(filterJobs())
	r := do(t, ts, "/netbackup/admin/jobs/3", nil, nil)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	one := decode[struct {
		Data struct {
			ID         string         `json:"id"`
			Attributes map[string]any `json:"attributes"`
		} `json:"data"`
	}](t, r)
	if one.Data.ID != "3" || one.Data.Attributes["clientName"] != "o'brien" {
		t.Errorf("job 3 = %+v", one.Data)
	}
	checkError(t, do(t, ts, "/netbackup/admin/jobs/99", nil, nil), http.StatusNotFound)
	checkError(t, do(t, ts, "/netbackup/admin/jobs/3", nil, map[string]string{"Authorization": "x"}), http.StatusUnauthorized)
}

func TestJobsStoredAtMillisecondPrecision(t *testing.T) {
	s := New(Options{})
	start := time.Date(2026, 1, 1, 0, 0, 0, 123456789, time.UTC)
	s.UpsertJob(Job{JobID: 1, StartTime: start, EndTime: start.Add(time.Second)})
	got := s.Jobs()[0]
	if !got.StartTime.Equal(start.Truncate(time.Millisecond)) {
		t.Errorf("StartTime = %v, want truncated to ms", got.StartTime)
	}
	n, err := s.CountJobs("endTime eq 2026-01-01T00:00:01.123Z")
	if err != nil || n != 1 {
		t.Errorf("CountJobs on the served endTime = %d, %v; want 1", n, err)
	}
}

func TestJobsWithPageLatency(t *testing.T) {
	s, ts := newTestServer(t, Options{PageLatency: time.Millisecond})
	s.SetJobs(filterJobs())
	p := decode[wireJobs](t, do(t, ts, "/netbackup/admin/jobs", nil, nil))
	if len(p.Data) != 5 {
		t.Errorf("got %d records after latency, want 5", len(p.Data))
	}
}

func TestSortSpecRoundTrip(t *testing.T) {
	for name := range sortFieldNames {
		for _, s := range []string{name, "-" + name} {
			sp, err := parseSort(s)
			if err != nil || sp.String() != s {
				t.Errorf("parseSort(%q) = %v, %v; String() = %q", s, sp, err, sp.String())
			}
		}
	}
	if sp, _ := parseSort(""); sp != defaultSort || sp.String() != "-startTime" {
		t.Errorf("default sort = %v", sp)
	}
}
