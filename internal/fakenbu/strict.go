package fakenbu

import (
	"fmt"
	"net/http"
	"sync"

	"github.com/netbackup-exporter/netbackup_exporter/internal/specs"
)

// maxRecorded bounds the violations and version probes a strict server keeps; past it only
// the count grows.
const maxRecorded = 200

// strictness holds every request to one release's spec (Options.Strict).
type strictness struct {
	release     string
	table       *specs.Table
	onViolation func(string)

	mu         sync.Mutex
	violations []string
	nViolation int
	probes     []string
	absent     []string
	unserved   []string
}

// newStrictness returns the checker of release, and the API version the release serves.
func newStrictness(release string, onViolation func(string)) (*strictness, string) {
	table, err := specs.Load()
	if err != nil {
		panic("fakenbu: " + err.Error())
	}
	api := table.APIVersion(release)
	if api == "" {
		panic(fmt.Sprintf("fakenbu: Options.Strict: no spec table for release %q (have %v)", release, table.Releases()))
	}
	return &strictness{release: release, table: table, onViolation: onViolation}, api
}

// admit checks r against the spec. A request the spec does not allow is recorded and answered as
// a server holding requests to its spec would (404 for an unknown path, 405, 400 for a query
// parameter, 406 or 415 for a media type); admit then returns false. Two departures are expected
// and recorded apart: a rung of version detection, admitted for the version negotiation to
// answer 406, and a request for an endpoint another release's spec has, answered 404 as by a
// primary whose release lacks it (how a collector learns to skip it).
func (s *Server) admit(w http.ResponseWriter, r *http.Request, rc *reqCtx) bool {
	st := s.strict
	err := st.table.Check(st.release, r)
	if err == nil {
		return true
	}
	if st.table.VersionProbe(st.release, r) {
		st.record(&st.probes, r.Method+" "+rc.endpoint+" "+acceptedVersion(r.Header.Get("Accept"), mediaJSON))
		return true
	}
	vs := specs.AsViolations(err)
	if vs == nil {
		// Only a release without a table gets here, and newStrictness refuses those.
		panic("fakenbu: " + err.Error())
	}
	if vs[0].Kind == specs.KindPath && len(st.table.ReleasesWith(r.Method, rc.endpoint)) > 0 {
		st.record(&st.absent, r.Method+" "+rc.endpoint)
		s.writeError(w, rc, http.StatusNotFound, "The requested resource was not found.", "no such endpoint: "+r.URL.Path)
		return false
	}
	msg := vs.Error()
	if r.URL.RawQuery != "" {
		msg += " [query " + r.URL.RawQuery + "]"
	}
	st.report(&st.violations, &st.nViolation, msg)
	s.writeError(w, rc, vs[0].Kind.Status(), "The request does not follow the NetBackup "+st.release+" API specification.", msg)
	return false
}

// unserved records a request the strict server's spec allows that the fake answers 404: a gap in
// the fake, which would pass a collector's skip off as the release's.
func (s *Server) unserved(r *http.Request, rc *reqCtx) {
	st := s.strict
	if st == nil || st.table.Check(st.release, r) != nil {
		return
	}
	st.report(&st.unserved, nil, fmt.Sprintf("%s %s: the %s spec has it, fakenbu does not serve it", r.Method, rc.endpoint, st.release))
}

// report records a departure or a gap of the fake in list (and counts it in n, when not nil), and
// hands it to OnViolation.
func (st *strictness) report(list *[]string, n *int, msg string) {
	st.mu.Lock()
	if n != nil {
		*n++
	}
	st.mu.Unlock()
	st.record(list, msg)
	if st.onViolation != nil {
		st.onViolation(msg)
	}
}

func (st *strictness) record(list *[]string, what string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(*list) < maxRecorded {
		*list = append(*list, what)
	}
}

// Violations returns what the requests a strict server received departed from its release's
// spec in, one line per request (the first 200), and how many requests did. A server without
// Options.Strict returns nil, 0.
func (s *Server) Violations() ([]string, int) {
	if s.strict == nil {
		return nil, 0
	}
	s.strict.mu.Lock()
	defer s.strict.mu.Unlock()
	return append([]string(nil), s.strict.violations...), s.strict.nViolation
}

// VersionProbes returns the rungs of API version detection a strict server received for a
// version newer than its release's ("GET /admin/jobs 14.0", "POST /login 13.0"), in order (the
// first 200).
func (s *Server) VersionProbes() []string {
	if s.strict == nil {
		return nil
	}
	s.strict.mu.Lock()
	defer s.strict.mu.Unlock()
	return append([]string(nil), s.strict.probes...)
}

// AbsentEndpoints returns the requests a strict server answered 404 because its release lacks an
// endpoint another release's spec has ("GET /storage/tape-media"), in order (the first 200).
func (s *Server) AbsentEndpoints() []string {
	if s.strict == nil {
		return nil
	}
	s.strict.mu.Lock()
	defer s.strict.mu.Unlock()
	return append([]string(nil), s.strict.absent...)
}

// Unserved returns the requests a strict server answered 404 although its release's spec has the
// endpoint (the first 200): what the fake lacks to emulate the release.
func (s *Server) Unserved() []string {
	if s.strict == nil {
		return nil
	}
	s.strict.mu.Lock()
	defer s.strict.mu.Unlock()
	return append([]string(nil), s.strict.unserved...)
}
