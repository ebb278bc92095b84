package nbu

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

const checkKey = "check-test-key-5d1e0b"

// requestLog wraps a handler and records the Accept header and query of every request.
type requestLog struct {
	next http.Handler
	mu   sync.Mutex
	seen []string // "Accept | raw query"
}

func (l *requestLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	l.seen = append(l.seen, r.Header.Get("Accept")+" | "+r.URL.Path+"?"+r.URL.RawQuery)
	l.mu.Unlock()
	l.next.ServeHTTP(w, r)
}

func (l *requestLog) requests() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.seen...)
}

func newCheckClient(t *testing.T, h http.Handler, version, key string) (*Client, *requestLog) {
	t.Helper()
	rl := &requestLog{next: h}
	srv := httptest.NewServer(rl)
	t.Cleanup(srv.Close)
	c, err := NewClient(Options{BaseURL: srv.URL + "/netbackup", APIKey: key, APIVersion: version})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c, rl
}

func TestCheckDetectsThenAsksEveryTime(t *testing.T) {
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{checkKey}, Versions: []string{"12.0", "10.0"}})
	c, rl := newCheckClient(t, fake, "auto", checkKey)

	for i := range 3 {
		v, err := c.Check(testCtx(t))
		if err != nil || v != "12.0" {
			t.Fatalf("Check #%d = %q, %v; want 12.0", i, v, err)
		}
	}
	// Detection walks 14.0, 13.0 (406) to 12.0 once; then each Check is one request of its own,
	// even though the version is cached.
	want := []string{
		"application/vnd.netbackup+json;version=14.0 | /netbackup/admin/jobs?page%5Blimit%5D=1",
		"application/vnd.netbackup+json;version=13.0 | /netbackup/admin/jobs?page%5Blimit%5D=1",
		"application/vnd.netbackup+json;version=12.0 | /netbackup/admin/jobs?page%5Blimit%5D=1",
	}
	check := "application/vnd.netbackup+json;version=12.0 | /netbackup/admin/jobs?page%5Blimit%5D=1"
	want = append(want, check, check, check)
	if got := rl.requests(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestCheckPinnedVersion(t *testing.T) {
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{checkKey}})
	c, rl := newCheckClient(t, fake, "13.0", checkKey)
	v, err := c.Check(testCtx(t))
	if err != nil || v != "13.0" {
		t.Fatalf("Check = %q, %v; want 13.0", v, err)
	}
	if got := rl.requests(); len(got) != 1 || !strings.HasPrefix(got[0], "application/vnd.netbackup+json;version=13.0 | ") {
		t.Errorf("requests = %q, want one with version 13.0", got)
	}
}

func TestCheckFailures(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	downURL := "http://" + closed.Addr().String() + "/netbackup"
	closed.Close()

	tests := []struct {
		name    string
		client  func(t *testing.T) *Client
		wantErr string
		wantIs  error
	}{
		{"wrong key", func(t *testing.T) *Client {
			c, _ := newCheckClient(t, fakenbu.New(fakenbu.Options{APIKeys: []string{"other-key"}}), "auto", checkKey)
			return c
		}, "HTTP 401", ErrUnauthorized},
		{"wrong key, pinned", func(t *testing.T) *Client {
			c, _ := newCheckClient(t, fakenbu.New(fakenbu.Options{APIKeys: []string{"other-key"}}), "14.0", checkKey)
			return c
		}, "HTTP 401", ErrUnauthorized},
		{"no version served", func(t *testing.T) *Client {
			c, _ := newCheckClient(t, fakenbu.New(fakenbu.Options{APIKeys: []string{checkKey}, Versions: []string{"9.0"}}), "auto", checkKey)
			return c
		}, "none of 14.0, 13.0, 12.0, 10.0 accepted", ErrNotAcceptable},
		{"down", func(t *testing.T) *Client {
			c, err := NewClient(Options{BaseURL: downURL, APIKey: checkKey, MaxTries: 1})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}, "connection refused", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := tc.client(t).Check(testCtx(t))
			if err == nil || v != "" {
				t.Fatalf("Check = %q, %v; want an error", v, err)
			}
			if !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), "checking that NetBackup answers: ") {
				t.Errorf("error %q, want it to contain %q", err, tc.wantErr)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("error %q does not wrap %v", err, tc.wantIs)
			}
			if strings.Contains(err.Error(), checkKey) {
				t.Errorf("error holds the API key: %q", err)
			}
		})
	}
}
