package fakenbu

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/specs"
)

// demoResources are GET paths of resources the demo data has, where the spec's template with "1"
// for its parameter would name a missing one (a 404 that says nothing of the route).
var demoResources = []string{"/config/policies/daily-fs"}

func loadSpecs(t *testing.T) *specs.Table {
	t.Helper()
	table, err := specs.Load()
	if err != nil {
		t.Fatal(err)
	}
	return table
}

// newDemoServer returns a fake with jobs and the demo's data, asked in-process by send.
func newDemoServer(t *testing.T, opts Options) *Server {
	t.Helper()
	opts.Now = func() time.Time { return testNow }
	s := New(opts)
	s.SetJobs(GenerateJobs(1, 20, 0, testNow))
	s.SetDemo(testNow)
	return s
}

// send serves method path?query, with Accept (and a body's Content-Type) in version, and returns
// the status.
func send(s *Server, method, path, query, version, body string) int {
	target := basePath + path
	if query != "" {
		target += "?" + query
	}
	var req *http.Request
	if body != "" {
		req = httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Content-Type", mediaJSON+";version="+version)
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	req.Header.Set("Authorization", DefaultAPIKey)
	accept := mediaJSON
	if path == "/ping" {
		accept = mediaPlain // the one endpoint whose spec produces only the plain type
	}
	req.Header.Set("Accept", accept+";version="+version)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	return w.Code
}

// The fake emulates each release by the API version it is asked in: an endpoint it serves is
// there (not 404) exactly when that release's spec has it, strict or not. What it serves is found
// by asking every GET path of every release's spec ({parameters} as "1") and demoResources, so
// that a route added later is held to the specs without a list to keep.
func TestRoutesFollowEachReleaseSpec(t *testing.T) {
	table := loadSpecs(t)
	candidates := slices.Clone(demoResources)
	for _, p := range table.Paths(http.MethodGet) {
		candidates = append(candidates, templateParam.ReplaceAllString(p, "1"))
	}
	slices.Sort(candidates)
	candidates = slices.Compact(candidates)
	// What the fake routes shows without the strict gate, whose 400 or 406 an unrouted path may
	// get first: a path is served when some release answers it other than 404 or 405.
	var served []string
	plain := map[string]map[string]int{} // release -> path -> status
	for _, release := range table.Releases() {
		plain[release] = getAll(t, table, release, "", candidates)
	}
	for _, path := range candidates {
		for _, codes := range plain {
			if codes[path] != http.StatusNotFound && codes[path] != http.StatusMethodNotAllowed {
				served = append(served, path)
				break
			}
		}
	}
	t.Logf("the fake serves %v", served)
	for _, release := range table.Releases() {
		for _, strict := range []string{"", release} {
			codes := plain[release]
			if strict != "" {
				codes = getAll(t, table, release, strict, served)
			}
			for _, path := range served {
				has := table.Has(release, http.MethodGet, path)
				if code := codes[path]; (code == http.StatusNotFound) == has {
					t.Errorf("release %s (strict %v): GET %s answered %d; the spec has it: %v", release, strict != "", path, code, has)
				}
			}
		}
	}
}

// getAll sends GET for each path to a fake serving release's API version (strict when strict is
// not empty, then wanting no departure recorded) and returns the statuses.
func getAll(t *testing.T, table *specs.Table, release, strict string, paths []string) map[string]int {
	t.Helper()
	api := table.APIVersion(release)
	s := newDemoServer(t, Options{Versions: []string{api}, Strict: strict})
	codes := map[string]int{}
	for _, path := range paths {
		codes[path] = send(s, http.MethodGet, path, "", api, "")
	}
	if v, n := s.Violations(); n > 0 || len(s.Unserved()) > 0 {
		t.Errorf("release %s: violations %v, unserved %v", release, v, s.Unserved())
	}
	return codes
}

var templateParam = regexp.MustCompile(`\{[^{}/]+\}`)

func TestStrictAnswersAndRecordsDepartures(t *testing.T) {
	var (
		mu     sync.Mutex
		called []string
	)
	s := newDemoServer(t, Options{Strict: "10.3", OnViolation: func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		called = append(called, msg)
	}})
	tests := []struct {
		name, method, path, query, version, body string
		want                                     int
		violation                                string // "" = none recorded
	}{
		{"a page of jobs", "GET", "/admin/jobs", "page%5Blimit%5D=100&sort=jobId", "10.0", "", 200, ""},
		{"an undeclared parameter", "GET", "/admin/jobs", "page%5Blimit%5D=1&bogus=1", "10.0", "", 400, `"bogus" is not declared`},
		{"page[limit] past the maximum", "GET", "/storage/drives", "page%5Blimit%5D=500", "10.0", "", 400, "above the maximum 100"},
		{"another release's version", "GET", "/admin/jobs", "page%5Blimit%5D=100", "12.0", "", 406, "version=12.0"},
		{"a detection rung", "GET", "/admin/jobs", "page%5Blimit%5D=1", "14.0", "", 406, ""},
		{"an endpoint 10.5 added", "GET", "/storage/tape-media", "", "10.0", "", 404, ""},
		{"a path no release has", "GET", "/storage/no-such-list", "", "10.0", "", 404, "no path of the 10.3 spec"},
		{"jobs count at its own version", "POST", "/admin/jobs-count-requests", "", "6.0", `{"data":{"type":"jobCount","attributes":{"filter":""}}}`, 200, ""},
		{"jobs count at the API's version", "POST", "/admin/jobs-count-requests", "", "10.0", `{"data":{"type":"jobCount","attributes":{"filter":""}}}`, 406, "version=6.0"},
	}
	for _, tt := range tests {
		_, before := s.Violations()
		if code := send(s, tt.method, tt.path, tt.query, tt.version, tt.body); code != tt.want {
			t.Errorf("%s: HTTP %d, want %d", tt.name, code, tt.want)
		}
		got, after := s.Violations()
		switch {
		case tt.violation == "" && after != before:
			t.Errorf("%s: recorded %q", tt.name, got[len(got)-1])
		case tt.violation != "" && (after != before+1 || !strings.Contains(got[len(got)-1], tt.violation)):
			t.Errorf("%s: recorded %v, want a line with %q", tt.name, got[before:], tt.violation)
		}
	}
	if want := []string{"GET /admin/jobs 14.0"}; !slices.Equal(s.VersionProbes(), want) {
		t.Errorf("VersionProbes() = %v, want %v", s.VersionProbes(), want)
	}
	if want := []string{"GET /storage/tape-media"}; !slices.Equal(s.AbsentEndpoints(), want) {
		t.Errorf("AbsentEndpoints() = %v, want %v", s.AbsentEndpoints(), want)
	}
	got, _ := s.Violations()
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(called, got) {
		t.Errorf("OnViolation got %q, Violations() %q", called, got)
	}
}

func TestStrictServesTheReleaseVersionOnly(t *testing.T) {
	s := newDemoServer(t, Options{Strict: "11.2", Versions: DefaultVersions()})
	q := url.Values{"page[limit]": {"10"}}.Encode()
	if code := send(s, "GET", "/admin/jobs", q, "14.0", ""); code != 200 {
		t.Errorf("11.2's version: HTTP %d", code)
	}
	if code := send(s, "GET", "/admin/jobs", q, "13.0", ""); code != http.StatusNotAcceptable {
		t.Errorf("11.0's version from an 11.2 primary: HTTP %d, want 406", code)
	}
}

func TestStrictRecordsWhatTheFakeLacks(t *testing.T) {
	s := newDemoServer(t, Options{Strict: "11.0"})
	// The 11.0 spec has the audit logs, which no collector reads and the fake does not serve.
	if code := send(s, "GET", "/security/auditlogs", "", "13.0", ""); code != http.StatusNotFound {
		t.Fatalf("HTTP %d for a route the fake lacks", code)
	}
	if got := s.Unserved(); len(got) != 1 || !strings.Contains(got[0], "GET /security/auditlogs") {
		t.Errorf("Unserved() = %q", got)
	}
}
