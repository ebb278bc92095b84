package nbu

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-kit/log"
)

// cursorServer serves pages[i] for the i-th request and records page[after].
type cursorServer struct {
	mu     sync.Mutex
	pages  []string
	afters []string
	limits []string
}

func (s *cursorServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	i := len(s.afters)
	q := r.URL.Query()
	s.afters = append(s.afters, q.Get("page[after]"))
	s.limits = append(s.limits, q.Get("page[limit]"))
	s.mu.Unlock()
	if i >= len(s.pages) {
		writeJSON(w, 500, errorJSON(1, "no such page"))
		return
	}
	writeJSON(w, 200, s.pages[i])
}

func TestJobsCursorPaging(t *testing.T) {
	s := &cursorServer{pages: []string{
		cursorPage("c1", jobJSON(1), jobJSON(2), jobJSON(3)),
		cursorPage("c2", jobJSON(4), jobJSON(5)),
		cursorPage("", jobJSON(6)),
	}}
	c, _, _ := newTestClient(t, s, nil)
	jobs, st, err := collectJobs(t, c, JobsQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, j := range jobs {
		ids = append(ids, j.JobID)
		if j.ID != fmt.Sprint(j.JobID) || j.JobType != "BACKUP" || j.State != "DONE" {
			t.Errorf("job %+v", j)
		}
	}
	if !slices.Equal(ids, []int64{1, 2, 3, 4, 5, 6}) {
		t.Errorf("job ids = %v, want each of 1..6 once", ids)
	}
	if !slices.Equal(s.afters, []string{"", "c1", "c2"}) {
		t.Errorf("page[after] = %q, want each previous next", s.afters)
	}
	if !slices.Equal(s.limits, []string{"100", "100", "100"}) {
		t.Errorf("page[limit] = %q, want default 100", s.limits)
	}
	want := PageStats{Pages: 3, Records: 6}
	if st != want {
		t.Errorf("stats = %+v, want %+v", st, want)
	}
}

func TestJobsPageSizeAndResume(t *testing.T) {
	tests := []struct {
		size      int
		wantLimit string
	}{{0, "100"}, {1, "1"}, {25, "25"}, {100, "100"}, {500, "100"}, {-3, "100"}}
	for _, tt := range tests {
		s := &cursorServer{pages: []string{cursorPage("", jobJSON(1))}}
		c, _, _ := newTestClient(t, s, nil)
		if _, _, err := collectJobs(t, c, JobsQuery{PageSize: tt.size, After: "resume-here"}); err != nil {
			t.Fatal(err)
		}
		if s.limits[0] != tt.wantLimit || s.afters[0] != "resume-here" {
			t.Errorf("PageSize %d: limit %q after %q; want %q, resume-here", tt.size, s.limits[0], s.afters[0], tt.wantLimit)
		}
	}
}

func TestJobsCursorLoopGuard(t *testing.T) {
	tests := []struct {
		name      string
		after     string
		pages     []string
		wantPages int
		wantReqs  int
	}{
		{name: "next repeats the cursor just used", pages: []string{
			cursorPage("c1", jobJSON(1)), cursorPage("c1", jobJSON(2)), cursorPage("", jobJSON(3))},
			wantPages: 2, wantReqs: 2},
		{name: "cycle of two", pages: []string{
			cursorPage("a", jobJSON(1)), cursorPage("b", jobJSON(2)), cursorPage("a", jobJSON(3)), cursorPage("", jobJSON(4))},
			wantPages: 3, wantReqs: 3},
		{name: "resume cursor returned as next", after: "x", pages: []string{cursorPage("x", jobJSON(1))},
			wantPages: 1, wantReqs: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &cursorServer{pages: tt.pages}
			c, _, _ := newTestClient(t, s, nil)
			_, st, err := collectJobs(t, c, JobsQuery{After: tt.after})
			if err == nil || !strings.Contains(err.Error(), "already used") {
				t.Fatalf("err = %v, want a loop error", err)
			}
			if st.Pages != tt.wantPages || len(s.afters) != tt.wantReqs {
				t.Errorf("pages = %d, requests = %d; want %d, %d", st.Pages, len(s.afters), tt.wantPages, tt.wantReqs)
			}
		})
	}
}

func TestJobsCallbackErrorStopsWalk(t *testing.T) {
	s := &cursorServer{pages: []string{cursorPage("c1", jobJSON(1), jobJSON(2), jobJSON(3)), cursorPage("", jobJSON(4))}}
	c, _, _ := newTestClient(t, s, nil)
	stop := errors.New("enough")
	var seen int
	st, err := c.Jobs(testCtx(t), JobsQuery{}, func(j *Job) error {
		seen++
		if j.JobID == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("err = %v, want the callback's error wrapped", err)
	}
	if strings.Contains(err.Error(), "decoding") {
		t.Errorf("callback error described as a decode failure: %q", err)
	}
	if seen != 2 || st.Records != 2 || len(s.afters) != 1 {
		t.Errorf("seen %d, records %d, requests %d; want 2, 2, 1", seen, st.Records, len(s.afters))
	}
}

func TestJobsNilCallback(t *testing.T) {
	c, _, _ := newTestClient(t, http.NotFoundHandler(), nil)
	if _, err := c.Jobs(testCtx(t), JobsQuery{}, nil); err == nil {
		t.Fatal("want an error for a nil callback")
	}
}

func TestJobsLenientDecoding(t *testing.T) {
	page := `{
	  "links": {"self": {"href": "/admin/jobs"}},
	  "data": [
	    {"type":"job","id":42,"attributes":{"jobId":42,"parentJobId":"41","jobType":"NEW_KIND_OF_JOB","state":"PAUSED_BY_ALIENS",
	      "status":"150","kilobytesTransferred":1048576.9,"numberOfFiles":"12.0","dedupRatio":"3.5","jobQueueReason":null,
	      "policyName":null,"clientName":7,"policyType":["x"],"scheduleType":{"a":1},
	      "startTime":"2026-03-01T10:00:00Z","endTime":null,"lastUpdateTime":"not a date","extra":{"deep":[1,2,{"x":null}]}}},
	    "just a string",
	    17,
	    null,
	    ["an","array"],
	    {"id":"7","attributes":"n/a"},
	    {"attributes":{"jobId":9,"status":1e0,"dedupRatio":2,"startTime":"2026-03-01T10:00:00.123456789+02:00","endTime":"2026-03-01 11:00:00"}},
	    {"id":"big","attributes":{"jobId":1e30,"status":-1,"kilobytesTransferred":"  99  ","dedupRatio":"NaN","numberOfFiles":true}}
	  ],
	  "meta": {"pagination": {"next": null}}
	}`
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, page) }), nil)
	var logBuf bytes.Buffer
	ctx := ContextWithLogger(testCtx(t), log.NewLogfmtLogger(log.NewSyncWriter(&logBuf)))
	var jobs []Job
	st, err := c.Jobs(ctx, JobsQuery{}, func(j *Job) error { jobs = append(jobs, *j); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 4 || st.Skipped != 4 || st.Pages != 1 || st.LastCursor != "" {
		t.Errorf("stats = %+v, want 4 records, 4 skipped, 1 page", st)
	}
	if len(jobs) != 4 {
		t.Fatalf("got %d jobs", len(jobs))
	}
	j := jobs[0]
	want := Job{ID: "42", JobID: 42, ParentJobID: 41, JobType: "NEW_KIND_OF_JOB", State: "PAUSED_BY_ALIENS", Status: 150,
		KilobytesTransferred: 1048576, NumberOfFiles: 12, DedupRatio: 3.5, ClientName: "7",
		StartTime: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	if j != want {
		t.Errorf("job 0 =\n %+v\nwant\n %+v", j, want)
	}
	if want := (Job{ID: "7", JobID: 7, StatusAbsent: true}); jobs[1] != want { // the job id falls back to data[].id
		t.Errorf("job with non-object attributes = %+v, want %+v", jobs[1], want)
	}
	j = jobs[2]
	if j.ID != "9" || j.Status != 1 || j.DedupRatio != 2 ||
		!j.StartTime.Equal(time.Date(2026, 3, 1, 8, 0, 0, 123456789, time.UTC)) ||
		!j.EndTime.Equal(time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC)) {
		t.Errorf("job 2 = %+v", j)
	}
	if want := (Job{ID: "big", Status: -1, KilobytesTransferred: 99}); jobs[3] != want {
		t.Errorf("job 3 = %+v, want %+v", jobs[3], want)
	}
	logs := logBuf.String()
	for _, w := range []string{"skipping undecodable record", "index=1 kind=string", `index=3 kind="null"`, "index=4 kind=array", "endpoint=/admin/jobs", "msg=\"NetBackup request\"", "status=200"} {
		if !strings.Contains(logs, w) {
			t.Errorf("debug log lacks %q:\n%s", w, logs)
		}
	}
	if strings.Contains(logs, testKey) {
		t.Error("log contains the API key")
	}
}

func TestJobsJSONAPIShapes(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		records int
		skipped int
	}{
		{"empty body", ``, 0, 0},
		{"blank body", " \n", 0, 0},
		{"empty object", `{}`, 0, 0},
		{"data null", `{"data":null}`, 0, 0},
		{"data absent", `{"meta":{}}`, 0, 0},
		{"data empty", `{"data":[]}`, 0, 0},
		{"data a lone object", `{"data":` + jobJSON(5) + `}`, 1, 0},
		{"data a string", `{"data":"x"}`, 0, 1},
		{"meta before data", `{"meta":{"pagination":{}},"data":[` + jobJSON(1) + `]}`, 1, 0},
		{"meta not an object", `{"data":[` + jobJSON(1) + `],"meta":"x"}`, 1, 0},
		{"pagination not an object", `{"data":[` + jobJSON(1) + `],"meta":{"pagination":[1]}}`, 1, 0},
		{"unknown members", `{"included":[{"a":1}],"data":[` + jobJSON(1) + `],"jsonapi":{"version":"1.0"}}`, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, tt.body) }), nil)
			_, st, err := collectJobs(t, c, JobsQuery{})
			if err != nil {
				t.Fatal(err)
			}
			if st.Records != tt.records || st.Skipped != tt.skipped {
				t.Errorf("stats = %+v, want %d records, %d skipped", st, tt.records, tt.skipped)
			}
		})
	}
}

func TestJobsNumericNextCursor(t *testing.T) {
	s := &cursorServer{pages: []string{
		`{"data":[` + jobJSON(1) + `],"meta":{"pagination":{"next":12345}}}`,
		cursorPage("", jobJSON(2)),
	}}
	c, _, _ := newTestClient(t, s, nil)
	if _, _, err := collectJobs(t, c, JobsQuery{}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.afters, []string{"", "12345"}) {
		t.Errorf("page[after] = %q", s.afters)
	}
}

// noMetaPage is an /admin/jobs page shaped like Veritas's examples: no top-level meta, only a
// cursor per record (data[].meta.page.cursor); a record given as -id has none.
func noMetaPage(ids ...int) string {
	var recs []string
	for _, id := range ids {
		meta := fmt.Sprintf(`,"meta":{"page":{"cursor":"k%d"}}`, id)
		if id < 0 {
			id, meta = -id, ""
		}
		recs = append(recs, fmt.Sprintf(`{"type":"job","id":%d%s,"attributes":{"jobId":%d}}`, id, meta, id))
	}
	return `{"links":{"self":{"href":"x"}},"data":[` + strings.Join(recs, ",") + `]}`
}

// TestJobsPagesWithoutMeta: without a top-level meta, a full page goes on after its last record's
// cursor, and a page of fewer records than asked for is the last.
func TestJobsPagesWithoutMeta(t *testing.T) {
	tests := []struct {
		name       string
		pages      []string
		wantAfters []string
		wantJobs   int
	}{
		{"full pages, then a short one", []string{noMetaPage(1, 2, 3), noMetaPage(4, 5, 6), noMetaPage(7)},
			[]string{"", "k3", "k6"}, 7},
		{"full pages, then an empty one", []string{noMetaPage(1, 2, 3), `{"data":[]}`},
			[]string{"", "k3"}, 3},
		{"the last record has no cursor", []string{noMetaPage(1, 2, -3)}, []string{""}, 3},
		{"the cursor of a record before the last is not used", []string{noMetaPage(1, 2, -3), noMetaPage(4)},
			[]string{""}, 3},
		{"a numeric cursor", []string{`{"data":[{"id":1,"meta":{"page":{"cursor":77}}},{"id":2,"meta":{"page":{"cursor":78}}},{"id":3,"meta":{"page":{"cursor":79}}}]}`, noMetaPage()},
			[]string{"", "79"}, 3},
		{"a top-level meta without next ends the walk", []string{strings.Replace(noMetaPage(1, 2, 3), `{"links"`, `{"meta":{"pagination":{}},"links"`, 1)},
			[]string{""}, 3},
		{"a lone record", []string{`{"data":{"id":1,"meta":{"page":{"cursor":"a"}}}}`}, []string{""}, 1},
		{"a cursor too long to follow", []string{strings.Replace(noMetaPage(1, 2, 3), `"k3"`, `"`+strings.Repeat("k", 9000)+`"`, 1), noMetaPage()},
			[]string{""}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &cursorServer{pages: tt.pages}
			c, _, _ := newTestClient(t, s, nil)
			jobs, st, err := collectJobs(t, c, JobsQuery{PageSize: 3})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(s.afters, tt.wantAfters) || len(jobs) != tt.wantJobs || st.Pages != len(tt.wantAfters) {
				t.Errorf("page[after] = %q, %d jobs, %d pages; want %q, %d jobs", s.afters, len(jobs), st.Pages, tt.wantAfters, tt.wantJobs)
			}
		})
	}
}

// TestJobsVeritasExample decodes the /admin/jobs 200 example of Veritas's
// own admin.yaml (NetBackup 11.0), where id is an integer, not a string.
func TestJobsVeritasExample(t *testing.T) {
	body, err := os.ReadFile("testdata/admin_jobs_example.json")
	if err != nil {
		t.Fatal(err)
	}
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, string(body)) }), nil)
	jobs, st, err := collectJobs(t, c, JobsQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if st != (PageStats{Pages: 1, Records: 2}) {
		t.Errorf("stats = %+v", st)
	}
	want := []Job{
		{ID: "1", JobID: 1, JobType: "IMAGEDELETE", ScheduleType: "FULL", State: "DONE",
			StartTime:      time.Date(2018, 6, 25, 19, 0, 32, 0, time.UTC),
			EndTime:        time.Date(2018, 6, 25, 19, 0, 38, 0, time.UTC),
			LastUpdateTime: time.Date(2018, 6, 25, 19, 0, 38, 407e6, time.UTC)},
		{ID: "2", JobID: 2, JobType: "IMAGEDELETE", ScheduleType: "FULL", State: "DONE",
			StartTime:      time.Date(2018, 6, 25, 19, 0, 32, 0, time.UTC),
			EndTime:        time.Date(2018, 6, 25, 19, 0, 38, 0, time.UTC),
			LastUpdateTime: time.Date(2018, 6, 25, 19, 0, 38, 407e6, time.UTC)},
	}
	if !slices.Equal(jobs, want) {
		t.Errorf("jobs =\n %+v\nwant\n %+v", jobs, want)
	}
}
