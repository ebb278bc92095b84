package nbu

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const testKey = "test-api-key-7f3c9a1e5b"

// sleepRecorder replaces Client.sleep: it records every wait and returns at
// once, so retry tests neither sleep nor depend on timing.
type sleepRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepRecorder) get() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// newTestClient starts h behind httptest and returns a client for it with
// BaseURL <server>/netbackup, API version pinned to 13.0 unless mod changes it.
func newTestClient(t *testing.T, h http.Handler, mod func(*Options)) (*Client, *httptest.Server, *sleepRecorder) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	opts := Options{BaseURL: srv.URL + "/netbackup", APIKey: testKey, APIVersion: "13.0"}
	if mod != nil {
		mod(&opts)
	}
	c, err := NewClient(opts)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(c.Close)
	rec := &sleepRecorder{}
	c.sleep = rec.sleep
	return c, srv, rec
}

// assertNoKey fails if err's text (or that of anything it wraps) holds the API key.
func assertNoKey(t *testing.T, err error) {
	t.Helper()
	for e := err; e != nil; {
		if strings.Contains(e.Error(), testKey) {
			t.Fatalf("error text contains the API key: %q", e.Error())
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			break
		}
		e = u.Unwrap()
	}
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func writeJSON(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "application/vnd.netbackup+json;version=13.0")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(body))
}

func errorJSON(code int64, msg string, details ...string) string {
	b, _ := json.Marshal(map[string]any{"errorCode": code, "errorMessage": msg, "errorDetails": details})
	return string(b)
}

// jobJSON is a minimal well-formed job record.
func jobJSON(id int) string {
	return fmt.Sprintf(`{"type":"job","id":"%d","attributes":{"jobId":%d,"jobType":"BACKUP","state":"DONE","status":0}}`, id, id)
}

// cursorPage builds an /admin/jobs page with the given records and next cursor ("" = none).
func cursorPage(next string, records ...string) string {
	meta := `{"pagination":{"limit":100}}`
	if next != "" {
		meta = fmt.Sprintf(`{"pagination":{"limit":100,"next":%q}}`, next)
	}
	return fmt.Sprintf(`{"data":[%s],"meta":%s,"links":{"self":{"href":"x"}}}`, strings.Join(records, ","), meta)
}

func collectJobs(t *testing.T, c *Client, q JobsQuery) ([]Job, PageStats, error) {
	t.Helper()
	var jobs []Job
	st, err := c.Jobs(testCtx(t), q, func(j *Job) error {
		jobs = append(jobs, *j)
		return nil
	})
	assertNoKey(t, err)
	return jobs, st, err
}
