package fakenbu

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

// BenchmarkJobsPage serves one 100-job page out of 100k jobs through
// ServeHTTP (no network), with the sorted index already built, as a
// paging client sees it after its first page.
func BenchmarkJobsPage(b *testing.B) {
	s := New(Options{Now: func() time.Time { return testNow }})
	s.SetJobs(GenerateJobs(1, 100_000, 24*time.Hour, testNow))

	serve := func(q url.Values) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/netbackup/admin/jobs?"+q.Encode(), nil)
		req.Header.Set("Authorization", DefaultAPIKey)
		req.Header.Set("Accept", testAccept)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		return rec
	}
	// middleCursor walks 150 pages in, well inside every case's result.
	middleCursor := func(q url.Values) string {
		q2 := url.Values{}
		for k, v := range q {
			q2[k] = v
		}
		var after string
		for range 150 {
			if after != "" {
				q2.Set("page[after]", after)
			}
			var p struct {
				Meta struct {
					Pagination struct {
						Next string `json:"next"`
					} `json:"pagination"`
				} `json:"meta"`
			}
			if err := json.Unmarshal(serve(q2).Body.Bytes(), &p); err != nil {
				b.Fatal(err)
			}
			if p.Meta.Pagination.Next == "" {
				break
			}
			after = p.Meta.Pagination.Next
		}
		return after
	}

	cases := []struct {
		name string
		q    url.Values
	}{
		{"first", url.Values{"page[limit]": {"100"}}},
		{"middle", url.Values{"page[limit]": {"100"}}},
		{"middle-filtered", url.Values{"page[limit]": {"100"}, "sort": {"endTime"},
			"filter": {"endTime gt " + testNow.Add(-12*time.Hour).Format(time.RFC3339) + " and state eq 'DONE' and jobType eq 'BACKUP'"}}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			q := c.q
			if c.name != "first" {
				q.Set("page[after]", middleCursor(q))
			}
			// Also builds the index outside the timing.
			var p wireJobs
			if err := json.Unmarshal(serve(q).Body.Bytes(), &p); err != nil || len(p.Data) != 100 {
				b.Fatalf("setup page has %d records (err %v), want 100", len(p.Data), err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				serve(q)
			}
		})
	}
}
