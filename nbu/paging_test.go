package nbu

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// A cursor new on every page ends the walk: at once when it is too long to be a cursor, after the
// page limit otherwise, with the endpoint named and the requests bounded.
func TestCursorWalkBounds(t *testing.T) {
	tests := []struct {
		name      string
		cursor    func(page int64) string
		wantErr   string
		wantPages int64
	}{
		{"a 1 MB cursor", func(int64) string { return strings.Repeat("c", 1<<20) }, "a cursor of 1048576 bytes", 1},
		{"a new cursor on every page", func(p int64) string { return fmt.Sprintf("c%d", p) }, "still paging after 30 pages", 30},
		{"a cycle", func(p int64) string { return fmt.Sprintf("c%d", p%3) }, "already used", 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var pages atomic.Int64
			c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				p := pages.Add(1)
				writeJSON(w, 200, fmt.Sprintf(`{"data":[{"id":"%d","attributes":{"jobId":%d}}],"meta":{"pagination":{"next":%q}}}`, p, p, tc.cursor(p)))
			}), nil)
			c.pageLimits.cursorPages = 30
			_, err := c.Jobs(testCtx(t), JobsQuery{}, func(*Job) error { return nil })
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "/admin/jobs") {
				t.Errorf("walk ended with %v, want %q naming the endpoint", err, tc.wantErr)
			}
			if got := pages.Load(); got != tc.wantPages {
				t.Errorf("%d requests, want %d", got, tc.wantPages)
			}
			if len(err.Error()) > 1024 {
				t.Errorf("error of %d bytes", len(err.Error()))
			}
		})
	}
}

// An offset walk stops at what the reported count needs, and at the page limit when the count is
// absurd, whatever next says.
func TestOffsetWalkBounds(t *testing.T) {
	tests := []struct {
		name      string
		count     int64
		next      func(page int64) int64
		wantErr   string
		wantPages int64
	}{
		{"count 10^9, next never ends", 1_000_000_000, func(p int64) int64 { return p * 2 }, "still paging after 25 pages", 25},
		// 20 records at 2 a page need 10 pages (and one more for a count that grew); a next that
		// advances by one record would take 20.
		{"next slower than the pages", 20, func(p int64) int64 { return p }, "still paging after 11 pages", 11},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var pages atomic.Int64
			c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				p := pages.Add(1)
				writeJSON(w, 200, fmt.Sprintf(`{"data":[{"id":"a%d","attributes":{"name":"a%d"}},{"id":"b%d","attributes":{"name":"b%d"}}],
					"meta":{"pagination":{"count":%d,"next":%d}}}`, p, p, p, p, tc.count, tc.next(p)))
			}), nil)
			c.pageLimits.offsetPages = 25
			_, err := c.StorageUnits(testCtx(t), 2)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "/storage/storage-units") {
				t.Errorf("walk ended with %v, want %q", err, tc.wantErr)
			}
			if got := pages.Load(); got != tc.wantPages {
				t.Errorf("%d requests, want %d", got, tc.wantPages)
			}
		})
	}
}

func TestOffsetPageLimit(t *testing.T) {
	for _, tc := range []struct {
		count        int64
		perPage, max int
		want         int
	}{
		{0, 500, 1000, 1000}, {1000, 500, 1000, 3}, {1001, 500, 1000, 4}, {1e9, 500, 1000, 1000}, {10, 0, 1000, 1000},
	} {
		if got := offsetPageLimit(tc.count, tc.perPage, tc.max); got != tc.want {
			t.Errorf("offsetPageLimit(%d, %d, %d) = %d, want %d", tc.count, tc.perPage, tc.max, got, tc.want)
		}
	}
}

// Byte and file counts that cannot be real are zeroed and counted; the job's other fields stay.
func TestJobsRejectImpossibleCounts(t *testing.T) {
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":[
			{"id":"1","attributes":{"jobId":1,"jobType":"BACKUP","kilobytesTransferred":1e16,"numberOfFiles":5}},
			{"id":"2","attributes":{"jobId":2,"jobType":"BACKUP","kilobytesTransferred":-4,"numberOfFiles":-1}},
			{"id":"3","attributes":{"jobId":3,"jobType":"BACKUP","kilobytesTransferred":8796093022208,"numberOfFiles":9007199254740992}}]}`)
	}), nil)
	var got []Job
	stats, err := c.Jobs(testCtx(t), JobsQuery{}, func(j *Job) error { got = append(got, *j); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if stats.Rejected != 3 || len(got) != 3 {
		t.Fatalf("rejected %d fields of %d jobs, want 3 of 3", stats.Rejected, len(got))
	}
	want := [][2]int64{{0, 5}, {0, 0}, {8796093022208, 9007199254740992}}
	for i, j := range got {
		if j.KilobytesTransferred != want[i][0] || j.NumberOfFiles != want[i][1] || j.JobType != "BACKUP" {
			t.Errorf("job %d: %d KB, %d files, type %q; want %v and its type kept", j.JobID, j.KilobytesTransferred, j.NumberOfFiles, j.JobType, want[i])
		}
	}
}
