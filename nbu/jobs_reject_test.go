package nbu

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Dedup ratios and finished jobs' durations that cannot be real are rejected as impossible byte
// counts are: the field is passed on as absent (a ratio of 0, no start time) and counted, the job's
// other fields kept. Each bound itself is possible.
func TestJobsRejectImpossibleRatiosAndDurations(t *testing.T) {
	start := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(t time.Time) string { return t.Format("2006-01-02T15:04:05.000Z") }
	tests := []struct {
		attrs     string // beside jobId and jobType
		wantRatio float64
		wantStart bool // the start time is kept
		rejected  int
	}{
		{`"dedupRatio":1e300`, 0, false, 1},
		{`"dedupRatio":9e15`, 0, false, 1},
		{`"dedupRatio":-1.5`, 0, false, 1},
		{`"dedupRatio":10000.5`, 0, false, 1},
		{`"dedupRatio":10000`, 10000, false, 0},
		{`"dedupRatio":"12.5"`, 12.5, false, 0},
		{fmt.Sprintf(`"state":"DONE","startTime":%q,"endTime":%q`, at(start), at(start.Add(maxJobDuration))), 0, true, 0},
		{fmt.Sprintf(`"state":"DONE","startTime":%q,"endTime":%q`, at(start), at(start.Add(maxJobDuration+time.Millisecond))), 0, false, 1},
		{fmt.Sprintf(`"state":"DONE","startTime":%q,"endTime":%q`, at(start), at(start)), 0, true, 0},
		{fmt.Sprintf(`"state":"DONE","startTime":%q,"endTime":%q`, at(start), at(start.Add(-time.Millisecond))), 0, false, 1},
		{fmt.Sprintf(`"state":"DONE","startTime":%q,"endTime":"1970-01-01T00:00:00.000Z"`, at(start)), 0, false, 1},
		// A running job's end time means nothing yet: its start time stays, whatever the end says.
		{fmt.Sprintf(`"state":"ACTIVE","startTime":%q,"endTime":"1970-01-01T00:00:00.000Z"`, at(start)), 0, true, 0},
		{fmt.Sprintf(`"state":"DONE","startTime":%q,"endTime":%q,"dedupRatio":1e300,"kilobytesTransferred":-1`,
			at(start), at(start.Add(-time.Hour))), 0, false, 3},
	}
	records := make([]string, len(tests))
	for i, tc := range tests {
		records[i] = fmt.Sprintf(`{"id":"%d","attributes":{"jobId":%d,"jobType":"BACKUP",%s}}`, i+1, i+1, tc.attrs)
	}
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":[`+strings.Join(records, ",")+`]}`)
	}), nil)
	var got []Job
	stats, err := c.Jobs(testCtx(t), JobsQuery{}, func(j *Job) error { got = append(got, *j); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(tests) {
		t.Fatalf("%d jobs, want %d", len(got), len(tests))
	}
	wantRejected := 0
	for i, tc := range tests {
		j := got[i]
		wantRejected += tc.rejected
		if j.DedupRatio != tc.wantRatio || !j.StartTime.IsZero() != tc.wantStart || j.JobType != "BACKUP" {
			t.Errorf("%s: ratio %v, start %v, type %q; want ratio %v, start kept %v, the type kept", tc.attrs, j.DedupRatio, j.StartTime, j.JobType, tc.wantRatio, tc.wantStart)
		}
	}
	if stats.Rejected != wantRejected {
		t.Errorf("rejected %d fields, want %d", stats.Rejected, wantRejected)
	}
}
