package web

import (
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
)

// The external URL as blackbox_exporter computes it: inferred from the host name and the listen
// port when not given, its path without a trailing slash, and refused in quotes.
func TestComputeExternalURL(t *testing.T) {
	hostname, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in, want string // want "" = refused
	}{
		{"", "http://" + hostname + ":10556"},
		{"http://proxy.example.com/netbackup", "http://proxy.example.com/netbackup"},
		{"http://proxy.example.com/netbackup/", "http://proxy.example.com/netbackup"},
		{"https://proxy.example.com", "https://proxy.example.com"},
		{"https://double--dash.de", "https://double--dash.de"},
		{"relative/path", "/relative/path"},
		{"'https://url/prometheus'", ""},
		{"'relative/path/with/quotes'", ""},
		{"'http://starts/with/quote", ""},
		{"ends/with/quote\"", ""},
		{"http://bad host/", ""},
	} {
		u, err := ComputeExternalURL(tc.in, "0.0.0.0:10556")
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("%q: %v, want an error", tc.in, u)
		case tc.want != "" && err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case tc.want != "" && u.String() != tc.want:
			t.Errorf("%q: %q, want %q", tc.in, u, tc.want)
		}
	}
}

// The route prefix defaults to the external URL's path; it starts and ends with a slash, and the
// links start with the external URL's path whatever the prefix.
func TestNewPaths(t *testing.T) {
	for _, tc := range []struct {
		external, prefix     string
		wantPrefix, wantBase string
	}{
		{"", "", "/", "/"},
		{"http://proxy/nbu", "", "/nbu/", "/nbu/"},
		{"http://proxy/nbu/", "", "/nbu/", "/nbu/"},
		{"http://proxy/a/b", "", "/a/b/", "/a/b/"},
		{"http://proxy/nbu", "/", "/", "/nbu/"},                     // the proxy strips its path
		{"http://proxy/outside", "inside", "/inside/", "/outside/"}, // the proxy rewrites it
		{"", "/nbu", "/nbu/", "/nbu/"},                              // no proxy: the links follow the prefix
		{"", "nbu/", "/nbu/", "/nbu/"},
	} {
		p, err := NewPaths(tc.external, tc.prefix, ":10556")
		if err != nil {
			t.Errorf("%q, %q: %v", tc.external, tc.prefix, err)
			continue
		}
		if p.Prefix != tc.wantPrefix || p.linkBase() != tc.wantBase {
			t.Errorf("%q, %q: prefix %q, links from %q; want %q, %q", tc.external, tc.prefix, p.Prefix, p.linkBase(), tc.wantPrefix, tc.wantBase)
		}
	}
	if _, err := NewPaths("'http://quoted'", "", ":10556"); err == nil {
		t.Error("a quoted external URL was accepted")
	}
}

// Under a prefix, "/" is redirected to it and every other path outside it is not found.
func TestRedirectRoot(t *testing.T) {
	p := Paths{Prefix: "/nbu/"}
	w := httptest.NewRecorder()
	p.redirectRoot(w, httptest.NewRequest("GET", "/", nil))
	if w.Code != http.StatusFound || w.Header().Get("Location") != "/nbu/" {
		t.Errorf("GET /: %d to %q, want 302 to /nbu/", w.Code, w.Header().Get("Location"))
	}
	w = httptest.NewRecorder()
	p.redirectRoot(w, httptest.NewRequest("GET", "/metrics", nil))
	if w.Code != http.StatusNotFound {
		t.Errorf("GET /metrics outside the prefix: %d, want 404", w.Code)
	}
}
