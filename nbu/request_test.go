package nbu

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRequestHeadersAndQuery(t *testing.T) {
	var got *http.Request
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		writeJSON(w, 200, cursorPage("", jobJSON(1)))
	}), nil)
	filter := "state ne 'DONE' and clientName eq 'a b&c=%d' and endTime gt 2026-01-01T00:00:00Z"
	if _, _, err := collectJobs(t, c, JobsQuery{Filter: filter, Sort: "-endTime", PageSize: 50}); err != nil {
		t.Fatal(err)
	}
	headers := map[string]string{
		"Authorization": testKey,
		"Accept":        "application/vnd.netbackup+json;version=13.0",
		"User-Agent":    "netbackup_exporter",
		"X-Client-ID":   "netbackup_exporter",
	}
	for k, want := range headers {
		if v := got.Header.Values(k); len(v) != 1 || v[0] != want {
			t.Errorf("header %s = %q, want exactly %q", k, v, want)
		}
	}
	if got.URL.Path != "/netbackup/admin/jobs" {
		t.Errorf("path = %q", got.URL.Path)
	}
	q := got.URL.Query()
	for k, want := range map[string]string{"filter": filter, "sort": "-endTime", "page[limit]": "50"} {
		if v := q[k]; len(v) != 1 || v[0] != want {
			t.Errorf("query %s = %q, want %q (encoded once)", k, v, want)
		}
	}
	if _, ok := q["page[after]"]; ok {
		t.Error("first page sent page[after]")
	}
}

func TestUserAgentOverride(t *testing.T) {
	var ua string
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua = r.UserAgent()
		writeJSON(w, 200, `{"data":[]}`)
	}), func(o *Options) { o.UserAgent = "custom/1.0" })
	if _, err := c.StorageUnits(testCtx(t), 0); err != nil {
		t.Fatal(err)
	}
	if ua != "custom/1.0" {
		t.Errorf("User-Agent = %q", ua)
	}
}

func TestRetry429HonoursRetryAfter(t *testing.T) {
	var n atomic.Int32
	c, _, sl := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, 429, errorJSON(429, "Too many requests"))
			return
		}
		writeJSON(w, 200, cursorPage("", jobJSON(1)))
	}), nil)
	jobs, _, err := collectJobs(t, c, JobsQuery{})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("jobs = %d, err = %v", len(jobs), err)
	}
	if got := sl.get(); len(got) != 1 || got[0] != time.Second {
		t.Errorf("waits = %v, want exactly [1s] from Retry-After", got)
	}
	if n.Load() != 2 {
		t.Errorf("requests = %d, want 2", n.Load())
	}
}

func TestRetry429PastDeadlineFailsAtOnce(t *testing.T) {
	var n atomic.Int32
	c, _, sl := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Retry-After", "7200")
		writeJSON(w, 429, errorJSON(429, "Too many requests"))
	}), nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := c.Jobs(ctx, JobsQuery{}, func(*Job) error { return nil })
	assertNoKey(t, err)
	if err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Fatalf("err = %v, want a deadline error", err)
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 429 || ae.RetryAfter != 2*time.Hour {
		t.Errorf("err does not wrap the 429 APIError with RetryAfter 2h: %#v", ae)
	}
	if ctx.Err() != nil {
		t.Error("returned only after the deadline")
	}
	if w := sl.get(); len(w) != 0 {
		t.Errorf("slept %v before failing", w)
	}
	if n.Load() != 1 {
		t.Errorf("requests = %d, want 1", n.Load())
	}
}

func TestRetryTransient(t *testing.T) {
	tests := []struct {
		name      string
		codes     []int // answers in order; the last repeats
		maxTries  int
		wantErr   string
		wantCalls int32
	}{
		{name: "503 then 200", codes: []int{503, 200}, wantCalls: 2},
		{name: "502 504 then 200", codes: []int{502, 504, 200}, wantCalls: 3},
		{name: "503 forever", codes: []int{503}, wantErr: "gave up after 3 attempts", wantCalls: 3},
		{name: "503 forever, MaxTries 5", codes: []int{503}, maxTries: 5, wantErr: "gave up after 5 attempts", wantCalls: 5},
		{name: "MaxTries 1 means no retry", codes: []int{503}, maxTries: 1, wantErr: "HTTP 503", wantCalls: 1},
		{name: "500 not retried", codes: []int{500, 200}, wantErr: "HTTP 500", wantCalls: 1},
		{name: "400 not retried", codes: []int{400, 200}, wantErr: "HTTP 400", wantCalls: 1},
		{name: "404 not retried", codes: []int{404, 200}, wantErr: "HTTP 404", wantCalls: 1},
		{name: "401 not retried", codes: []int{401, 200}, wantErr: "HTTP 401", wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			c, _, sl := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				i := int(n.Add(1)) - 1
				code := tt.codes[min(i, len(tt.codes)-1)]
				if code == 200 {
					writeJSON(w, 200, `{"data":[{"id":"su1","attributes":{"name":"su1"}}]}`)
					return
				}
				writeJSON(w, code, errorJSON(9999, "The server is busy."))
			}), func(o *Options) { o.MaxTries = tt.maxTries })
			sus, err := c.StorageUnits(testCtx(t), 0)
			assertNoKey(t, err)
			if tt.wantErr == "" {
				if err != nil || len(sus) != 1 {
					t.Fatalf("units = %v, err = %v", sus, err)
				}
			} else {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), "errorCode 9999: The server is busy.") {
					t.Errorf("err %q lacks the error body", err)
				}
			}
			if n.Load() != tt.wantCalls {
				t.Errorf("requests = %d, want %d", n.Load(), tt.wantCalls)
			}
			waits := sl.get()
			if len(waits) != int(tt.wantCalls)-1 {
				t.Errorf("waits = %v, want %d", waits, tt.wantCalls-1)
			}
			for i, w := range waits {
				ceil := min(backoffBase<<i, backoffCap)
				if w < ceil/2 || w > ceil {
					t.Errorf("wait %d = %v, want within [%v, %v]", i, w, ceil/2, ceil)
				}
			}
		})
	}
}

func TestRetryConnectionErrors(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there any more
	var mu sync.Mutex
	var codes []int
	c, err := NewClient(Options{BaseURL: base + "/netbackup", APIKey: testKey, APIVersion: "13.0",
		OnRequest: func(ep string, code int, _ time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			if ep != "/storage/disk-pools" {
				t.Errorf("OnRequest endpoint = %q", ep)
			}
			codes = append(codes, code)
		}})
	if err != nil {
		t.Fatal(err)
	}
	sl := &sleepRecorder{}
	c.sleep = sl.sleep
	_, err = c.DiskPools(testCtx(t), 0)
	assertNoKey(t, err)
	if err == nil || !strings.Contains(err.Error(), "GET /storage/disk-pools") {
		t.Fatalf("err = %v, want a connection error naming the endpoint", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(codes) != 3 || codes[0] != 0 {
		t.Errorf("attempts observed = %v, want 3 with code 0", codes)
	}
	if len(sl.get()) != 2 {
		t.Errorf("waits = %v, want 2", sl.get())
	}
}

func TestBackoffPastDeadlineStops(t *testing.T) {
	var n atomic.Int32
	c, _, sl := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeJSON(w, 503, errorJSON(1, "busy"))
	}), func(o *Options) { o.MaxTries = 10 })
	// Pretend the clock is already at the deadline: no backoff fits.
	c.now = func() time.Time { return time.Now().Add(time.Hour) }
	_, err := c.StorageUnits(testCtx(t), 0)
	assertNoKey(t, err)
	if err == nil || !strings.Contains(err.Error(), "would pass the context deadline") {
		t.Fatalf("err = %v", err)
	}
	if n.Load() != 1 || len(sl.get()) != 0 {
		t.Errorf("requests = %d, waits = %v; want 1 and none", n.Load(), sl.get())
	}
}

func TestHangingServerReturnsByDeadline(t *testing.T) {
	tests := []struct {
		name        string
		sendHeaders bool
		ctxDeadline bool // else RequestTimeout applies
	}{
		{name: "no response, ctx deadline", ctxDeadline: true},
		{name: "headers then silence, ctx deadline", sendHeaders: true, ctxDeadline: true},
		{name: "no response, RequestTimeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release := make(chan struct{})
			c, _, sl := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.sendHeaders {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(200)
					_, _ = w.Write([]byte(`{"data":[`))
					w.(http.Flusher).Flush()
				}
				select {
				case <-r.Context().Done():
				case <-release:
				}
			}), func(o *Options) { o.RequestTimeout = 50 * time.Millisecond })
			t.Cleanup(func() { close(release) })
			ctx := context.Background()
			if tt.ctxDeadline {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, 50*time.Millisecond)
				defer cancel()
			}
			_, err := c.Jobs(ctx, JobsQuery{}, func(*Job) error { return nil })
			assertNoKey(t, err)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want context.DeadlineExceeded", err)
			}
			if !strings.Contains(err.Error(), "/admin/jobs") {
				t.Errorf("err %q does not name the endpoint", err)
			}
			if len(sl.get()) != 0 {
				t.Errorf("retried after the deadline: waits %v", sl.get())
			}
		})
	}
}

func TestCancelledContextStopsAtOnce(t *testing.T) {
	var n atomic.Int32
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeJSON(w, 503, errorJSON(1, "busy"))
	}), nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.StorageUnits(ctx, 0)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n.Load() != 0 {
		t.Errorf("requests = %d, want 0", n.Load())
	}
}

func TestConcurrencySlotRespectsContext(t *testing.T) {
	var n atomic.Int32
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeJSON(w, 200, `{"data":[]}`)
	}), func(o *Options) { o.MaxConcurrentRequests = 1 })
	c.sem <- struct{}{} // the only slot is taken
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := c.StorageUnits(ctx, 0)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "request slot") {
		t.Fatalf("err = %v", err)
	}
	if n.Load() != 0 {
		t.Errorf("a request went out without a slot")
	}
	<-c.sem
	if _, err := c.StorageUnits(testCtx(t), 0); err != nil {
		t.Fatalf("after freeing the slot: %v", err)
	}
	if len(c.sem) != 0 {
		t.Errorf("slot not released after the request")
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		writeJSON(w, 200, `{"data":[]}`)
	}))
	defer other.Close()
	for _, code := range []int{301, 302, 307, 308} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+r.URL.Path, code)
			}), nil)
			_, err := c.StorageUnits(testCtx(t), 0)
			assertNoKey(t, err)
			host := strings.TrimPrefix(other.URL, "http://")
			if err == nil || !strings.Contains(err.Error(), host) || !strings.Contains(err.Error(), "not followed") {
				t.Fatalf("err = %v, want it to name %s", err, host)
			}
		})
	}
	if hits.Load() != 0 {
		t.Errorf("redirect target received %d requests", hits.Load())
	}
}

func TestResponseBodyProblems(t *testing.T) {
	big := `{"data":[` + strings.Repeat(jobJSON(1)+",", 100) + jobJSON(2) + `]}`
	tests := []struct {
		name        string
		contentType string
		body        string
		chunked     bool
		want        []string
		wantIs      error
	}{
		{name: "html 200", contentType: "text/html; charset=utf-8", body: "<html>login</html>", want: []string{`"text/html; charset=utf-8"`, "/admin/jobs"}},
		{name: "xhtml 200", contentType: "application/xhtml+xml", body: "<html/>", want: []string{"application/xhtml+xml"}},
		{name: "truncated", body: `{"data":[{"id":"1","attributes":{"jobId":1`, want: []string{"/admin/jobs", "truncated JSON", "data[0]"}},
		{name: "truncated between records", body: `{"data":[` + jobJSON(1) + `,`, want: []string{"truncated JSON"}},
		{name: "malformed", body: `{"data":[{"id":"1",]}`, want: []string{"/admin/jobs", "malformed JSON at byte"}},
		{name: "malformed meta", body: `{"data":[],"meta":{"pagination":{"next":}}}`, want: []string{"meta", "malformed JSON"}},
		{name: "top-level array", body: `[1,2]`, want: []string{"not an object"}},
		{name: "too large", body: big, want: []string{"response body exceeds 1024 bytes", "/admin/jobs"}, wantIs: ErrBodyTooLarge},
		{name: "too large, chunked", body: big, chunked: true, want: []string{"response body exceeds 1024 bytes"}, wantIs: ErrBodyTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ct := tt.contentType
				if ct == "" {
					ct = "application/vnd.netbackup+json;version=13.0"
				}
				w.Header().Set("Content-Type", ct)
				if tt.chunked {
					w.(http.Flusher).Flush()
				}
				_, _ = w.Write([]byte(tt.body))
			}), func(o *Options) { o.MaxBodyBytes = 1024 })
			_, _, err := collectJobs(t, c, JobsQuery{})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err %q does not contain %q", err, w)
				}
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("err %v does not wrap %v", err, tt.wantIs)
			}
		})
	}
}

func TestErrorBodyInErrorText(t *testing.T) {
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 400, `{"errorCode":8000,"errorMessage":"Invalid filter.","errorDetails":["endTime: bad date"],"attributeErrors":{}}`)
	}), nil)
	_, _, err := collectJobs(t, c, JobsQuery{Filter: "endTime gt x"})
	want := "GET /admin/jobs: HTTP 400: errorCode 8000: Invalid filter. (details: endTime: bad date)"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %q\nwant  %q", err, want)
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.ErrorCode != 8000 || ae.ErrorMessage != "Invalid filter." || len(ae.ErrorDetails) != 1 {
		t.Errorf("APIError = %#v", ae)
	}
}

func TestAPIErrorText(t *testing.T) {
	tests := []struct {
		e      APIError
		want   string
		wantIs error
	}{
		{APIError{Method: "GET", Endpoint: "/admin/jobs", StatusCode: 503, ErrorCode: 9999, ErrorMessage: "The server is busy."},
			"GET /admin/jobs: HTTP 503: errorCode 9999: The server is busy.", nil},
		{APIError{Method: "GET", Endpoint: "/admin/jobs", StatusCode: 502},
			"GET /admin/jobs: HTTP 502 Bad Gateway", nil},
		{APIError{Method: "GET", Endpoint: "/admin/jobs", StatusCode: 401, ErrorCode: 1, ErrorMessage: "Unauthorized"},
			"GET /admin/jobs: HTTP 401: errorCode 1: Unauthorized", ErrUnauthorized},
		{APIError{Method: "GET", Endpoint: "/x", StatusCode: 403},
			"GET /x: HTTP 403 Forbidden", ErrUnauthorized},
		{APIError{Method: "GET", Endpoint: "/x", StatusCode: 406, Version: "14.0"},
			"GET /x: HTTP 406 Not Acceptable (Accept version 14.0)", ErrNotAcceptable},
		{APIError{Method: "GET", Endpoint: "/x", StatusCode: 429, RetryAfter: 3 * time.Second},
			"GET /x: HTTP 429 Too Many Requests (Retry-After 3s)", nil},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		if got := tt.e.Unwrap(); got != tt.wantIs {
			t.Errorf("%d: Unwrap() = %v, want %v", tt.e.StatusCode, got, tt.wantIs)
		}
	}
}

func TestNonJSONErrorBody(t *testing.T) {
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(502)
		_, _ = w.Write([]byte("<html>bad gateway</html>"))
	}), func(o *Options) { o.MaxTries = 1 })
	_, err := c.StorageUnits(testCtx(t), 0)
	if err == nil || err.Error() != "GET /storage/storage-units: HTTP 502 Bad Gateway" {
		t.Fatalf("err = %q", err)
	}
}

// TestAPIKeyNeverInErrors has the server echo the Authorization header into
// every place the client copies server text from.
func TestAPIKeyNeverInErrors(t *testing.T) {
	tests := []struct {
		name string
		h    http.HandlerFunc
	}{
		{"error message and details", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 400, errorJSON(1, "bad key "+r.Header.Get("Authorization"), "key="+r.Header.Get("Authorization")))
		}},
		{"401", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 401, errorJSON(1, "invalid token "+r.Header.Get("Authorization")))
		}},
		{"redirect location", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", "https://"+r.Header.Get("Authorization")+".example/")
			w.WriteHeader(302)
		}},
		{"content type", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; x="+r.Header.Get("Authorization"))
			w.WriteHeader(200)
		}},
		{"cursor loop", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, cursorPage(r.Header.Get("Authorization"), jobJSON(1)))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _ := newTestClient(t, tt.h, nil)
			_, _, err := collectJobs(t, c, JobsQuery{}) // asserts the key is absent
			if err == nil {
				t.Fatal("want an error")
			}
			_, err = c.StorageUnits(testCtx(t), 0)
			assertNoKey(t, err)
		})
	}
	// Connection failures and option errors.
	c, err := NewClient(Options{BaseURL: "http://127.0.0.1:1/netbackup", APIKey: testKey, APIVersion: "auto", MaxTries: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Version(testCtx(t))
	if err == nil {
		t.Fatal("want a connection error")
	}
	assertNoKey(t, err)
	_, err = NewClient(Options{BaseURL: "http://h/x", APIKey: testKey + "\n"})
	if err == nil {
		t.Fatal("want an error for a key with a newline")
	}
	assertNoKey(t, err)
}

func TestTLS(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeJSON(w, 200, `{"data":[{"id":"dp1","attributes":{"name":"pool"}}]}`)
	}))
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	c, err := NewClient(Options{BaseURL: srv.URL + "/netbackup/", APIKey: testKey, TLSConfig: &tls.Config{RootCAs: pool}, APIVersion: "13.0"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	dps, err := c.DiskPools(testCtx(t), 0)
	if err != nil || len(dps) != 1 || dps[0].Name != "pool" {
		t.Fatalf("pools = %v, err = %v", dps, err)
	}

	// Without the CA the handshake fails; a certificate error is not retried.
	c2, err := NewClient(Options{BaseURL: srv.URL + "/netbackup", APIKey: testKey, APIVersion: "13.0"})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	sl := &sleepRecorder{}
	c2.sleep = sl.sleep
	_, err = c2.DiskPools(testCtx(t), 0)
	assertNoKey(t, err)
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("err = %v, want a certificate error", err)
	}
	if len(sl.get()) != 0 {
		t.Errorf("certificate error retried: waits %v", sl.get())
	}
}

func TestOnRequestObservesEveryAttempt(t *testing.T) {
	var n atomic.Int32
	type obs struct {
		ep   string
		code int
	}
	var mu sync.Mutex
	var seen []obs
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			writeJSON(w, 503, "{}")
			return
		}
		writeJSON(w, 200, cursorPage("", jobJSON(1)))
	}), func(o *Options) {
		o.OnRequest = func(ep string, code int, d time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, obs{ep, code})
			if d < 0 {
				t.Errorf("negative duration")
			}
		}
	})
	if _, _, err := collectJobs(t, c, JobsQuery{}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []obs{{"/admin/jobs", 503}, {"/admin/jobs", 200}}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("observed %v, want %v", seen, want)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"1", time.Second, true},
		{" 30 ", 30 * time.Second, true},
		{"0", 0, true},
		{"-5", 0, false},
		{"", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"99999999999999", 24 * time.Hour, true},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestBackoffBounds(t *testing.T) {
	for n := 1; n <= 10; n++ {
		ceil := min(backoffBase<<(n-1), backoffCap)
		for range 50 {
			if d := backoff(n); d < ceil/2 || d > ceil {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", n, d, ceil/2, ceil)
			}
		}
	}
}
