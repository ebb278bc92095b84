package nbu

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// The count request is the spec's (POST, versioned JSON body with the filter, the key as the
// Authorization), and its answer is read leniently but never believed when impossible.
func TestCountJobsRequestAndAnswers(t *testing.T) {
	tests := []struct {
		name, answer string
		want         int64
		wantErr      bool
	}{
		{"number", `{"data":{"type":"jobCount","attributes":{"count":42}}}`, 42, false},
		{"string", `{"data":{"type":"jobCount","attributes":{"count":"42"}}}`, 42, false},
		{"float", `{"data":{"type":"jobCount","attributes":{"count":42.0}}}`, 42, false},
		{"zero", `{"data":{"attributes":{"count":0}}}`, 0, false},
		{"missing", `{"data":{"type":"jobCount","attributes":{}}}`, 0, true},
		{"negative", `{"data":{"attributes":{"count":-1}}}`, 0, true},
		{"too large for an int64: 0, as every such number is read", `{"data":{"attributes":{"count":1e300}}}`, 0, false},
		{"past 2^53", `{"data":{"attributes":{"count":9007199254740993}}}`, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got jobCountBody
			var method, ctype, auth string
			c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				method, ctype, auth = r.Method, r.Header.Get("Content-Type"), r.Header.Get("Authorization")
				b, _ := io.ReadAll(r.Body)
				_ = json.Unmarshal(b, &got)
				writeJSON(w, 200, tt.answer)
			}), nil)
			n, err := c.CountJobs(testCtx(t), "endTime ge 2026-01-01T00:00:00.000Z")
			if (err != nil) != tt.wantErr || n != tt.want {
				t.Errorf("count %d, %v; want %d (error: %v)", n, err, tt.want, tt.wantErr)
			}
			if method != "POST" || ctype != "application/vnd.netbackup+json;version=13.0" || auth != testKey ||
				got.Data.Type != "jobCount" || got.Data.Attributes.Filter != "endTime ge 2026-01-01T00:00:00.000Z" {
				t.Errorf("sent %s %q auth %q body %+v", method, ctype, auth, got)
			}
		})
	}
}

type jobCountBody struct {
	Data struct {
		Type       string `json:"type"`
		Attributes struct {
			Filter string `json:"filter"`
		} `json:"attributes"`
	} `json:"data"`
}

// Against the fake, the count is the number of jobs the same filter pages through.
func TestCountJobsAgainstTheFake(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: func() time.Time { return now }})
	fake.SetJobs(fakenbu.GenerateJobs(3, 1234, time.Hour, now))
	c, _, _ := newTestClient(t, fake, nil)
	filter := "endTime ge 2026-11-26T11:30:00.000Z"
	n, err := c.CountJobs(testCtx(t), filter)
	if err != nil {
		t.Fatal(err)
	}
	paged := int64(0)
	if _, err := c.Jobs(testCtx(t), JobsQuery{Filter: filter, PageSize: 100}, func(*Job) error { paged++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != paged || n == 0 {
		t.Errorf("count %d, paged %d", n, paged)
	}
	// The count filters on fewer attributes than the list: not on lastUpdateTime.
	if _, err := c.CountJobs(testCtx(t), "lastUpdateTime ge 2026-11-26T11:30:00.000Z"); !isStatus(err, http.StatusBadRequest) {
		t.Errorf("a lastUpdateTime count: %v, want a 400", err)
	}
}

// NetBackup 10.0-10.4 serve the count at version 6.0 only (admin.yaml of 10.3); from 10.5 the
// count follows the API version. The fake serves it so.
func TestCountJobsVersionByRelease(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct{ api, want string }{{"10.0", "6.0"}, {"12.0", "12.0"}, {"14.0", "14.0"}} {
		t.Run(tt.api, func(t *testing.T) {
			fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: func() time.Time { return now }, Versions: []string{tt.api}})
			fake.SetJobs(fakenbu.GenerateJobs(3, 300, time.Hour, now))
			var sent string
			c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost {
					sent = r.Header.Get("Content-Type")
				}
				fake.ServeHTTP(w, r)
			}), func(o *Options) { o.APIVersion = tt.api })
			n, err := c.CountJobs(testCtx(t), "endTime ge 2026-11-26T11:00:00.000Z")
			if err != nil || n == 0 {
				t.Fatalf("count %d, %v", n, err)
			}
			if sent != "application/vnd.netbackup+json;version="+tt.want {
				t.Errorf("sent %q, want version %s", sent, tt.want)
			}
		})
	}
}
