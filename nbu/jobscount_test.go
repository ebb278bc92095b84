package nbu

import (
	"encoding/json"
	"errors"
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
			n, err := c.CountJobs(testCtx(t), "lastUpdateTime ge 2026-01-01T00:00:00.000Z")
			if (err != nil) != tt.wantErr || n != tt.want {
				t.Errorf("count %d, %v; want %d (error: %v)", n, err, tt.want, tt.wantErr)
			}
			if tt.name == "missing" && !errors.Is(err, ErrNoCount) {
				t.Errorf("err %v, want ErrNoCount", err)
			}
			if method != "POST" || ctype != "application/vnd.netbackup+json;version=13.0" || auth != testKey ||
				got.Data.Type != "jobCount" || got.Data.Attributes.Filter != "lastUpdateTime ge 2026-01-01T00:00:00.000Z" {
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
	filter := "lastUpdateTime ge 2026-11-26T11:30:00.000Z"
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
}
