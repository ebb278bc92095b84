package fakenbu

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func TestAuthorization(t *testing.T) {
	_, ts := newTestServer(t, Options{APIKeys: []string{"key-a", "key-b"}})
	tests := []struct {
		name string
		auth string
		want int
	}{
		{"missing", "", http.StatusUnauthorized},
		{"wrong", "key-c", http.StatusUnauthorized},
		{"bearer scheme is not the key", "Bearer key-a", http.StatusUnauthorized},
		{"default key not accepted when keys are set", DefaultAPIKey, http.StatusUnauthorized},
		{"first key", "key-a", http.StatusOK},
		{"second key", "key-b", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, ep := range []string{"/netbackup/admin/jobs", "/netbackup/storage/storage-units", "/netbackup/storage/disk-pools"} {
				r := do(t, ts, ep, nil, map[string]string{"Authorization": tt.auth})
				if tt.want != http.StatusOK {
					checkError(t, r, tt.want)
				} else if r.status != http.StatusOK {
					t.Errorf("%s: status = %d, want 200; body %s", ep, r.status, r.body)
				}
			}
		})
	}
}

func TestDefaultAPIKey(t *testing.T) {
	_, ts := newTestServer(t, Options{})
	if r := do(t, ts, "/netbackup/admin/jobs", nil, nil); r.status != http.StatusOK {
		t.Fatalf("status with %q = %d, want 200", DefaultAPIKey, r.status)
	}
}

func TestAcceptVersion(t *testing.T) {
	tests := []struct {
		name     string
		versions []string
		accept   string
		want     int
	}{
		{"default 14.0", nil, "application/vnd.netbackup+json;version=14.0", 200},
		{"default 13.0", nil, "application/vnd.netbackup+json;version=13.0", 200},
		{"default 12.0", nil, "application/vnd.netbackup+json;version=12.0", 200},
		{"default 10.0", nil, "application/vnd.netbackup+json;version=10.0", 200},
		{"default 11.0 not a version", nil, "application/vnd.netbackup+json;version=11.0", 406},
		{"default 15.0 too new", nil, "application/vnd.netbackup+json;version=15.0", 406},
		{"default 9.0 too old", nil, "application/vnd.netbackup+json;version=9.0", 406},
		{"spaces around separator", nil, "application/vnd.netbackup+json ; version=13.0", 200},
		{"no version", nil, "application/vnd.netbackup+json", 406},
		{"plain json", nil, "application/json", 406},
		{"missing header", nil, "", 406},
		{"list with a served entry", nil, "application/json, application/vnd.netbackup+json;version=12.0", 200},
		{"10.x server, 12.0", []string{"10.0"}, "application/vnd.netbackup+json;version=12.0", 406},
		{"10.x server, 10.0", []string{"10.0"}, "application/vnd.netbackup+json;version=10.0", 200},
		{"10.5 server, 13.0", []string{"12.0", "10.0"}, "application/vnd.netbackup+json;version=13.0", 406},
		{"10.5 server, 14.0", []string{"12.0", "10.0"}, "application/vnd.netbackup+json;version=14.0", 406},
		{"10.5 server, 12.0", []string{"12.0", "10.0"}, "application/vnd.netbackup+json;version=12.0", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ts := newTestServer(t, Options{Versions: tt.versions})
			for _, ep := range []string{"/netbackup/admin/jobs", "/netbackup/storage/storage-units", "/netbackup/security/serverinfo"} {
				r := do(t, ts, ep, nil, map[string]string{"Accept": tt.accept})
				if tt.want == http.StatusNotAcceptable {
					checkError(t, r, tt.want)
					continue
				}
				if r.status != tt.want {
					t.Fatalf("%s: status = %d, want %d; body %s", ep, r.status, tt.want, r.body)
				}
				v := tt.accept[strings.LastIndex(tt.accept, "=")+1:]
				if ct, want := r.header.Get("Content-Type"), mediaJSON+";version="+v; ct != want {
					t.Errorf("%s: Content-Type = %q, want %q", ep, ct, want)
				}
			}
		})
	}
}

func TestAuthIsCheckedBeforeVersion(t *testing.T) {
	_, ts := newTestServer(t, Options{})
	r := do(t, ts, "/netbackup/admin/jobs", nil, map[string]string{
		"Authorization": "nope", "Accept": "application/vnd.netbackup+json;version=99.0"})
	checkError(t, r, http.StatusUnauthorized)
}

func TestUnknownPathAndMethod(t *testing.T) {
	_, ts := newTestServer(t, Options{})
	for _, p := range []string{"/netbackup/admin/nothing", "/admin/jobs", "/netbackup", "/netbackup/admin/jobs/abc"} {
		checkError(t, do(t, ts, p, nil, nil), http.StatusNotFound)
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, ts.URL+"/netbackup/admin/jobs", nil)
	req.Header.Set("Authorization", DefaultAPIKey)
	req.Header.Set("Accept", testAccept)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST status = %d, want 405", resp.StatusCode)
	}
}

func TestServerInfo(t *testing.T) {
	tests := []struct {
		versions []string
		accept   string
		want     string
	}{
		{nil, "13.0", "11.2"},
		{[]string{"13.0", "12.0", "10.0"}, "13.0", "11.0"},
		{[]string{"12.0", "10.0"}, "10.0", "10.5"},
		{[]string{"10.0"}, "10.0", "10.4"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, ts := newTestServer(t, Options{Versions: tt.versions, ServerName: "primary.test"})
			r := do(t, ts, "/netbackup/security/serverinfo", nil, map[string]string{
				"Authorization": "", "Accept": "application/vnd.netbackup+json;version=" + tt.accept})
			if r.status != http.StatusOK {
				t.Fatalf("status = %d; body %s", r.status, r.body)
			}
			info := decode[map[string]any](t, r)
			if info["nbuVersion"] != tt.want || info["serverName"] != "primary.test" {
				t.Errorf("serverinfo = %v, want nbuVersion %s and serverName primary.test", info, tt.want)
			}
		})
	}
}

func TestPing(t *testing.T) {
	_, ts := newTestServer(t, Options{})
	for _, accept := range []string{"text/vnd.netbackup+plain;version=13.0", "application/vnd.netbackup+json;version=13.0"} {
		r := do(t, ts, "/netbackup/ping", nil, map[string]string{"Authorization": "", "Accept": accept})
		if r.status != http.StatusOK {
			t.Fatalf("Accept %s: status = %d", accept, r.status)
		}
		if got, want := string(r.body), strconv.FormatInt(testNow.UnixMilli(), 10); got != want {
			t.Errorf("body = %q, want %q", got, want)
		}
		if ct := r.header.Get("Content-Type"); ct != "text/vnd.netbackup+plain;version=13.0" {
			t.Errorf("Content-Type = %q", ct)
		}
	}
	checkError(t, do(t, ts, "/netbackup/ping", nil, map[string]string{"Accept": "text/vnd.netbackup+plain;version=1.0"}), 406)
}

func TestRequestCounters(t *testing.T) {
	s, ts := newTestServer(t, Options{})
	do(t, ts, "/netbackup/admin/jobs", nil, nil)
	do(t, ts, "/netbackup/admin/jobs", nil, map[string]string{"Authorization": "bad"})
	do(t, ts, "/netbackup/storage/storage-units", nil, nil)
	do(t, ts, "/netbackup/nowhere", nil, nil)
	if got := s.Requests("/admin/jobs"); got != 2 {
		t.Errorf("Requests(/admin/jobs) = %d, want 2 (failed requests count too)", got)
	}
	if got := s.Requests("/storage/storage-units"); got != 1 {
		t.Errorf("Requests(/storage/storage-units) = %d, want 1", got)
	}
	if got := s.Requests("/storage/disk-pools"); got != 0 {
		t.Errorf("Requests(/storage/disk-pools) = %d, want 0", got)
	}
	if got := s.TotalRequests(); got != 4 {
		t.Errorf("TotalRequests = %d, want 4", got)
	}
	s.ResetCounters()
	if s.TotalRequests() != 0 || s.Requests("/admin/jobs") != 0 {
		t.Errorf("counters not reset: total %d", s.TotalRequests())
	}
}

// With an hour of page latency, a request whose context is already done must
// return at once without an answer; if the wait ignored the context the test
// would hang and hit the test timeout.
func TestPageLatencyRespectsContext(t *testing.T) {
	s := New(Options{PageLatency: 1 << 62})
	for _, ep := range []string{"/netbackup/admin/jobs", "/netbackup/storage/storage-units", "/netbackup/storage/disk-pools"} {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, ep, nil)
		req.Header.Set("Authorization", DefaultAPIKey)
		req.Header.Set("Accept", testAccept)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Body.Len() != 0 {
			t.Errorf("%s: abandoned request got a body: %s", ep, rec.Body)
		}
	}
}
