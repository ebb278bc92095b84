package nbu

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
)

// versionServer answers /admin/jobs with 200 for the versions in accept and
// 406 otherwise (or with fixed status when set), recording every Accept.
type versionServer struct {
	mu      sync.Mutex
	accept  map[string]bool
	status  int // non-zero: always answer this
	accepts []string
	queries []string
}

func (s *versionServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	a := r.Header.Get("Accept")
	s.accepts = append(s.accepts, a)
	s.queries = append(s.queries, r.URL.RawQuery)
	v := strings.TrimPrefix(a, mediaTypePrefix)
	ok, status := s.accept[v], s.status
	s.mu.Unlock()
	switch {
	case status != 0:
		writeJSON(w, status, errorJSON(9, "nope"))
	case !ok:
		writeJSON(w, http.StatusNotAcceptable, errorJSON(9999, "Invalid Accept type."))
	default:
		writeJSON(w, http.StatusOK, cursorPage("", jobJSON(1)))
	}
}

func (s *versionServer) setAccept(vs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accept = map[string]bool{}
	for _, v := range vs {
		s.accept[v] = true
	}
}

func (s *versionServer) seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.accepts))
	for i, a := range s.accepts {
		out[i] = strings.TrimPrefix(a, mediaTypePrefix)
	}
	return out
}

func TestVersionLadder(t *testing.T) {
	tests := []struct {
		name    string
		accept  []string
		status  int
		want    string
		wantErr error
		tried   []string
	}{
		{name: "406 406 then 200", accept: []string{"12.0", "10.0"}, want: "12.0", tried: []string{"14.0", "13.0", "12.0"}},
		{name: "newest accepted", accept: []string{"14.0", "13.0"}, want: "14.0", tried: []string{"14.0"}},
		{name: "only oldest", accept: []string{"10.0"}, want: "10.0", tried: []string{"14.0", "13.0", "12.0", "10.0"}},
		{name: "none accepted", wantErr: ErrNotAcceptable, tried: []string{"14.0", "13.0", "12.0", "10.0"}},
		{name: "401 stops at once", status: 401, wantErr: ErrUnauthorized, tried: []string{"14.0"}},
		{name: "403 stops at once", status: 403, wantErr: ErrUnauthorized, tried: []string{"14.0"}},
		{name: "500 stops too", status: 500, tried: []string{"14.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &versionServer{status: tt.status}
			s.setAccept(tt.accept...)
			c, _, sl := newTestClient(t, s, func(o *Options) { o.APIVersion = "auto" })
			got, err := c.Version(testCtx(t))
			assertNoKey(t, err)
			if tt.wantErr != nil || tt.status != 0 {
				if err == nil {
					t.Fatalf("Version = %q, want error", got)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("error %v does not wrap %v", err, tt.wantErr)
				}
			} else if err != nil || got != tt.want {
				t.Fatalf("Version = %q, %v; want %q", got, err, tt.want)
			}
			if tried := s.seen(); !slices.Equal(tried, tt.tried) {
				t.Errorf("versions tried = %v, want %v", tried, tt.tried)
			}
			if w := sl.get(); len(w) != 0 {
				t.Errorf("detection slept %v; want no retries", w)
			}
			for _, q := range s.queries {
				if q != "page%5Blimit%5D=1" {
					t.Errorf("detection query = %q, want page[limit]=1", q)
				}
			}
		})
	}
}

func TestVersionCachedAfterDetection(t *testing.T) {
	s := &versionServer{}
	s.setAccept("13.0")
	c, _, _ := newTestClient(t, s, func(o *Options) { o.APIVersion = "" })
	for range 3 {
		if v, err := c.Version(testCtx(t)); err != nil || v != "13.0" {
			t.Fatalf("Version = %q, %v", v, err)
		}
	}
	if n := len(s.seen()); n != 2 {
		t.Errorf("requests = %d, want 2 (one ladder, then cached)", n)
	}
}

func TestVersionDetectedOnceUnderConcurrency(t *testing.T) {
	s := &versionServer{}
	s.setAccept("12.0")
	c, _, _ := newTestClient(t, s, func(o *Options) { o.APIVersion = "auto" })
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if v, err := c.Version(testCtx(t)); err != nil || v != "12.0" {
				t.Errorf("Version = %q, %v", v, err)
			}
		})
	}
	wg.Wait()
	if got := s.seen(); len(got) != 3 {
		t.Errorf("requests = %v, want one ladder of 3", got)
	}
}

func TestVersionPinned(t *testing.T) {
	s := &versionServer{}
	s.setAccept("12.0", "13.0")
	c, _, _ := newTestClient(t, s, func(o *Options) { o.APIVersion = "12.0" })
	v, err := c.Version(testCtx(t))
	if err != nil || v != "12.0" {
		t.Fatalf("Version = %q, %v", v, err)
	}
	if n := len(s.seen()); n != 0 {
		t.Fatalf("pinned Version made %d requests, want 0", n)
	}
	if _, _, err := collectJobs(t, c, JobsQuery{}); err != nil {
		t.Fatal(err)
	}
	if got := s.seen(); !slices.Equal(got, []string{"12.0"}) {
		t.Errorf("Accept versions = %v, want exactly [12.0]", got)
	}
}

func TestVersionPinned406IsNotRedetected(t *testing.T) {
	s := &versionServer{}
	s.setAccept("13.0")
	c, _, _ := newTestClient(t, s, func(o *Options) { o.APIVersion = "14.0" })
	_, _, err := collectJobs(t, c, JobsQuery{})
	if !errors.Is(err, ErrNotAcceptable) {
		t.Fatalf("err = %v, want ErrNotAcceptable", err)
	}
	if !strings.Contains(err.Error(), "14.0") {
		t.Errorf("406 error %q does not name the refused version", err)
	}
	if got := s.seen(); !slices.Equal(got, []string{"14.0"}) {
		t.Errorf("Accept versions = %v, want [14.0] only", got)
	}
}

func TestVersionRedetectOn406(t *testing.T) {
	s := &versionServer{}
	s.setAccept("13.0")
	c, _, _ := newTestClient(t, s, func(o *Options) { o.APIVersion = "auto" })
	if v, err := c.Version(testCtx(t)); err != nil || v != "13.0" {
		t.Fatalf("Version = %q, %v", v, err)
	}
	s.setAccept("12.0") // server changed under the long-lived client
	jobs, _, err := collectJobs(t, c, JobsQuery{})
	if err != nil {
		t.Fatalf("Jobs: %v", err)
	}
	if len(jobs) != 1 {
		t.Errorf("jobs = %d, want 1", len(jobs))
	}
	want := []string{
		"14.0", "13.0", // first detection
		"13.0",                 // Jobs with the cached version: 406
		"14.0", "13.0", "12.0", // re-detection
		"12.0", // Jobs retried once with the new version
	}
	if got := s.seen(); !slices.Equal(got, want) {
		t.Errorf("Accept versions =\n %v\nwant\n %v", got, want)
	}
	if v, _ := c.Version(testCtx(t)); v != "12.0" {
		t.Errorf("cached version = %q, want 12.0", v)
	}
}

func TestVersionRedetectSameVersionGivesUp(t *testing.T) {
	// /admin/jobs (used for detection) accepts 13.0 but storage units do not.
	var mu sync.Mutex
	var accepts []string
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := strings.TrimPrefix(r.Header.Get("Accept"), mediaTypePrefix)
		mu.Lock()
		accepts = append(accepts, r.URL.Path+"@"+v)
		mu.Unlock()
		if v == "13.0" && strings.HasSuffix(r.URL.Path, "/admin/jobs") {
			writeJSON(w, 200, cursorPage(""))
			return
		}
		writeJSON(w, 406, errorJSON(1, "bad accept"))
	}), func(o *Options) { o.APIVersion = "auto" })
	_, err := c.StorageUnits(testCtx(t), 0)
	assertNoKey(t, err)
	if !errors.Is(err, ErrNotAcceptable) {
		t.Fatalf("err = %v, want ErrNotAcceptable", err)
	}
	want := []string{
		"/netbackup/admin/jobs@14.0", "/netbackup/admin/jobs@13.0",
		"/netbackup/storage/storage-units@13.0",
		"/netbackup/admin/jobs@14.0", "/netbackup/admin/jobs@13.0",
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(accepts, want) {
		t.Errorf("requests =\n %v\nwant\n %v", accepts, want)
	}
}
