package fakenbu

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

const testAccept = "application/vnd.netbackup+json;version=13.0"

// testNow is a fixed clock so that generated data and served elapsed times
// are reproducible.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newTestServer(t *testing.T, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return testNow }
	}
	s := New(opts)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a GET with the given headers; "Authorization" and "Accept"
// default to a valid key and version unless set (an empty value removes
// the header).
func do(t *testing.T, ts *httptest.Server, path string, q url.Values, headers map[string]string) response {
	t.Helper()
	r, err := fetch(t.Context(), ts, path, q, headers)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// fetch is do without testing.T, for goroutines.
func fetch(ctx context.Context, ts *httptest.Server, path string, q url.Values, headers map[string]string) (response, error) {
	u := ts.URL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Authorization", DefaultAPIKey)
	req.Header.Set("Accept", testAccept)
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		return response{}, fmt.Errorf("GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, fmt.Errorf("GET %s: reading body: %w", u, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
	return v
}

// wireJobs is the client's view of a jobs page, decoded independently of
// the fake's own types.
type wireJobs struct {
	Links map[string]struct {
		Href string `json:"href"`
	} `json:"links"`
	Data []struct {
		Type  string `json:"type"`
		ID    string `json:"id"`
		Links map[string]struct {
			Href string `json:"href"`
		} `json:"links"`
		Meta struct {
			Page struct {
				Cursor string `json:"cursor"`
			} `json:"page"`
		} `json:"meta"`
		Attributes map[string]any `json:"attributes"`
	} `json:"data"`
	Meta struct {
		Pagination map[string]any `json:"pagination"`
	} `json:"meta"`
}

func (w wireJobs) ids() []int64 {
	out := make([]int64, len(w.Data))
	for i, d := range w.Data {
		out[i] = int64(d.Attributes["jobId"].(float64))
	}
	return out
}

func (w wireJobs) next() string {
	s, _ := w.Meta.Pagination["next"].(string)
	return s
}

type wireError struct {
	ErrorCode       *int              `json:"errorCode"`
	ErrorMessage    *string           `json:"errorMessage"`
	ErrorDetails    []string          `json:"errorDetails"`
	AttributeErrors map[string]string `json:"attributeErrors"`
}

// checkError asserts an error response: status, NetBackup error body and
// versioned media type.
func checkError(t *testing.T, r response, status int) wireError {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	e := decode[wireError](t, r)
	if e.ErrorCode == nil || e.ErrorMessage == nil || *e.ErrorMessage == "" || e.ErrorDetails == nil || e.AttributeErrors == nil {
		t.Fatalf("error body lacks errorCode/errorMessage/errorDetails/attributeErrors: %s", r.body)
	}
	if ct := r.header.Get("Content-Type"); len(ct) < len(mediaJSON) || ct[:len(mediaJSON)] != mediaJSON {
		t.Errorf("Content-Type = %q, want %s;version=...", ct, mediaJSON)
	}
	return e
}
