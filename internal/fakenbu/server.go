package fakenbu

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/apiversion"
)

// Options configures a Server. The zero value is a usable demo server.
type Options struct {
	APIKeys     []string         // accepted Authorization values; empty = ["demo-key"]
	Versions    []string         // API versions served; empty = 14.0, 13.0, 12.0, 10.0; others get 406
	PageLatency time.Duration    // wait before answering each list page (aborted with the request)
	Now         func() time.Time // clock for /ping and elapsed times of running jobs; default time.Now
	ServerName  string           // serverinfo serverName and the jobs' controlHost; default "nbu-primary.example.com"
	// Users may log in with POST /login and then send `Authorization: <token>`.
	Users []User
	// TokenValidity is how long a token from /login is accepted (default DefaultTokenValidity).
	TokenValidity time.Duration
	// OmitValidity leaves validity out of the login answer, for clients' fallbacks.
	OmitValidity bool
	// Strict names a release of the Veritas specs ("10.3", "10.5", "11.0", "11.2"; see package
	// specs): the server then serves that release's API version alone (Versions is ignored) and
	// holds every request to the release's spec, answering a departure as a server holding
	// requests to it would and recording it (Violations). New panics on a release the table lacks.
	Strict string
	// OnViolation, with Strict, is called with each line Violations and Unserved record, as the
	// request arrives (from the request's goroutine).
	OnViolation func(string)
}

// DefaultAPIKey is the key accepted when Options.APIKeys is empty.
const DefaultAPIKey = "demo-key"

// DefaultVersions returns the API versions served when Options.Versions is
// empty: every version the client knows (NetBackup 11.2, 11.0, 10.5 and 10.0-10.4).
func DefaultVersions() []string { return slices.Clone(apiversion.Known) }

const defaultServerName = "nbu-primary.example.com"

// Server is the fake primary. It is safe for concurrent use: data setters may
// run while requests are served.
type Server struct {
	// authMu guards the accepted keys and the issued tokens, which tests change while serving.
	authMu        sync.Mutex
	apiKeys       map[string]struct{}
	users         []User
	tokens        map[string]tokenInfo
	tokenValidity time.Duration
	omitValidity  bool

	versions    map[string]struct{}
	maxVersion  string
	pageLatency time.Duration
	now         func() time.Time
	serverName  string

	mu    sync.RWMutex
	jobs  []Job
	byID  map[int64]int
	units []StorageUnit
	pools []DiskPool
	// posture is the data of the policies, catalog, SLP, alerts and malware endpoints.
	posture posture
	// licensing and hostCerts are the data of the licensing and certificates endpoints.
	licensing LicensingData
	hostCerts []HostCertificate
	// hostsec is the data of the hosts, services and security endpoints.
	hostsec hostSecurity

	drives       []Drive
	media        []TapeMedium
	volPools     []VolumePool
	robotHosts   []string
	mediaServers []MediaServer

	storageServers []StorageServer
	slos           []SLO

	// cacheMu guards the lazily built views of jobs; they are built by
	// readers holding mu.RLock and dropped by writers holding mu.Lock.
	cacheMu  sync.Mutex
	sorted   map[sortSpec][]indexEntry
	children map[int64]int64

	bufs sync.Pool // *bytes.Buffer for response bodies

	countMu sync.Mutex
	counts  map[string]int
	total   int
	logins  int
	fails   map[string]int // endpoint -> status answered for ever (FailEndpoint)

	strict *strictness // nil unless Options.Strict
}

// New returns an empty Server (no jobs, storage units or disk pools).
func New(opts Options) *Server {
	s := &Server{
		apiKeys:       map[string]struct{}{},
		users:         append([]User(nil), opts.Users...),
		tokens:        map[string]tokenInfo{},
		tokenValidity: opts.TokenValidity,
		omitValidity:  opts.OmitValidity,
		versions:      map[string]struct{}{},
		pageLatency:   opts.PageLatency,
		now:           opts.Now,
		serverName:    opts.ServerName,
		byID:          map[int64]int{},
		counts:        map[string]int{},
	}
	keys := opts.APIKeys
	if len(keys) == 0 {
		keys = []string{DefaultAPIKey}
	}
	for _, k := range keys {
		s.apiKeys[k] = struct{}{}
	}
	versions := opts.Versions
	if len(versions) == 0 {
		versions = DefaultVersions()
	}
	if opts.Strict != "" {
		var api string
		s.strict, api = newStrictness(opts.Strict, opts.OnViolation)
		versions = []string{api}
	}
	for _, v := range versions {
		s.versions[v] = struct{}{}
		if s.maxVersion == "" || versionLess(s.maxVersion, v) {
			s.maxVersion = v
		}
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.tokenValidity <= 0 {
		s.tokenValidity = DefaultTokenValidity
	}
	if s.serverName == "" {
		s.serverName = defaultServerName
	}
	return s
}

// versionLess orders "MAJOR.MINOR" strings numerically so that "10.0" ranks
// above "9.0"; unparsable parts compare as 0.
func versionLess(a, b string) bool {
	am, an := splitVersion(a)
	bm, bn := splitVersion(b)
	if am != bm {
		return am < bm
	}
	return an < bn
}

func splitVersion(v string) (int, int) {
	major, minor, _ := strings.Cut(v, ".")
	a, _ := strconv.Atoi(major)
	b, _ := strconv.Atoi(minor)
	return a, b
}

// route describes how one endpoint is guarded and answered.
type route struct {
	method string // "" = GET
	// minVersion is the oldest API version whose spec has the endpoint: a
	// request in an older version gets the 404 of an unknown path, as from a
	// primary whose release lacks the endpoint.
	minVersion string
	// legacy is a version older than the API's that the endpoint is served at on a 10.0 primary
	// (admin.yaml of 10.3 gives /admin/jobs-count-requests at 6.0 only).
	legacy string
	auth   bool
	plain  bool // media type family is text/vnd.netbackup+plain (ping)
	handle func(w http.ResponseWriter, r *http.Request, rc *reqCtx)
}

// reqCtx carries what negotiation established for one request.
type reqCtx struct {
	version  string
	endpoint string
}

const basePath = "/netbackup"

// ServeHTTP serves the API under /netbackup (mount the Server at the root of
// an http.Server or httptest.Server; the client's base URL is
// <server URL>/netbackup).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	endpoint := r.URL.Path
	if rest, ok := strings.CutPrefix(endpoint, basePath); ok && strings.HasPrefix(rest, "/") {
		endpoint = rest
	}
	s.count(endpoint)
	rc := &reqCtx{endpoint: endpoint, version: s.requestedVersion(r)}
	if s.strict != nil && !s.admit(w, r, rc) {
		return
	}

	rt, ok := s.route(endpoint)
	if !ok || !strings.HasPrefix(r.URL.Path, basePath+"/") {
		s.unserved(r, rc)
		s.writeError(w, rc, http.StatusNotFound, "The requested resource was not found.",
			"no such endpoint: "+r.URL.Path)
		return
	}
	method := rt.method
	if method == "" {
		method = http.MethodGet
	}
	if r.Method != method {
		w.Header().Set("Allow", method)
		s.writeError(w, rc, http.StatusMethodNotAllowed, "Method not allowed. The specified HTTP operation is invalid.",
			r.Method+" is not supported on "+endpoint)
		return
	}
	if endpoint == "/login" {
		s.countLogin()
	}
	// Authentication is checked before the media type: a caller with a bad
	// key learns nothing about the versions served, and a version ladder
	// run with a bad key fails fast with 401 instead of walking every rung.
	if rt.auth && !s.authorized(r) {
		s.writeError(w, rc, http.StatusUnauthorized,
			"The Authorization header is missing, the token is invalid, or you do not have permission for this action.")
		return
	}
	if !s.acceptable(r, rt.plain, rc) && !s.legacyAccepted(r, rt, rc) {
		s.writeError(w, rc, http.StatusNotAcceptable,
			"Invalid Accept type. Make sure your Accept header matches what this API produces.",
			"served versions: "+strings.Join(s.servedVersions(), ", "))
		return
	}
	if rt.minVersion != "" && versionLess(rc.version, rt.minVersion) {
		s.unserved(r, rc)
		s.writeError(w, rc, http.StatusNotFound, "The requested resource was not found.",
			"no such endpoint: "+r.URL.Path)
		return
	}
	if status := s.failing(endpoint); status != 0 {
		s.writeError(w, rc, status, "Injected failure.", "FailEndpoint("+endpoint+")")
		return
	}
	rt.handle(w, r, rc)
}

func (s *Server) route(endpoint string) (route, bool) {
	if rt, ok := s.hostSecurityRoute(endpoint); ok {
		return rt, true
	}
	switch endpoint {
	case "/admin/jobs":
		return route{auth: true, handle: s.handleJobs}, true
	case "/admin/jobs-count-requests":
		return route{method: http.MethodPost, auth: true, legacy: "6.0", handle: s.handleJobsCount}, true
	case "/storage/storage-units":
		return route{auth: true, handle: s.handleStorageUnits}, true
	case "/storage/disk-pools":
		return route{auth: true, handle: s.handleDiskPools}, true
	case "/storage/drives":
		return route{auth: true, handle: s.handleDrives}, true
	case "/storage/tape-media":
		return route{auth: true, minVersion: "12.0", handle: s.handleTapeMedia}, true
	case "/storage/tape-volume-pools":
		return route{auth: true, minVersion: "12.0", handle: s.handleVolumePools}, true
	case "/storage/robots-device-hosts":
		return route{auth: true, minVersion: "12.0", handle: s.handleRobotDeviceHosts}, true
	case "/config/media-servers":
		return route{auth: true, handle: s.handleMediaServers}, true
	case "/storage/storage-servers":
		return route{auth: true, handle: s.handleStorageServers}, true
	case "/servicecatalog/slos":
		return route{auth: true, handle: s.handleSLOs}, true
	case "/config/policies/", "/config/policies":
		// The spec's path has the trailing slash; a server answers both.
		return route{auth: true, handle: s.handlePolicies}, true
	case "/catalog/images":
		return route{auth: true, handle: s.handleImages}, true
	case "/catalog/slp-images":
		return route{auth: true, handle: s.handleSLPImages}, true
	case "/manage/alerts":
		return route{auth: true, handle: s.handleAlerts}, true
	case "/malware/latest-scan-results":
		return route{auth: true, handle: s.handleScanResults}, true
	case "/licensing/capacity":
		return route{auth: true, handle: s.handleCapacity}, true
	case "/licensing/entitlements":
		return route{auth: true, handle: s.handleEntitlements}, true
	case "/security/certificates":
		return route{auth: true, minVersion: apiversion.V13, handle: s.handleHostCertificates}, true
	case "/security/serverinfo":
		return route{handle: s.handleServerInfo}, true
	case "/ping":
		return route{plain: true, handle: s.handlePing}, true
	case "/login":
		return route{method: http.MethodPost, handle: s.handleLogin}, true
	case "/logout":
		return route{method: http.MethodPost, auth: true, handle: s.handleLogout}, true
	}
	if name, ok := strings.CutPrefix(endpoint, "/config/policies/"); ok && name != "" && !strings.Contains(name, "/") {
		return route{auth: true, handle: func(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
			s.handlePolicy(w, r, rc, name)
		}}, true
	}
	if idStr, ok := strings.CutPrefix(endpoint, "/admin/jobs/"); ok {
		if id, err := strconv.ParseInt(idStr, 10, 64); err == nil {
			return route{auth: true, handle: func(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
				s.handleJob(w, r, rc, id)
			}}, true
		}
	}
	return route{}, false
}

func (s *Server) count(endpoint string) {
	s.countMu.Lock()
	s.counts[endpoint]++
	s.total++
	s.countMu.Unlock()
}

// Requests returns how many requests reached endpoint since the last
// ResetCounters, whatever their outcome. endpoint is the path below
// /netbackup, e.g. "/admin/jobs" or "/storage/storage-units".
func (s *Server) Requests(endpoint string) int {
	s.countMu.Lock()
	defer s.countMu.Unlock()
	return s.counts[endpoint]
}

// TotalRequests returns how many requests reached the server since the last
// ResetCounters.
func (s *Server) TotalRequests() int {
	s.countMu.Lock()
	defer s.countMu.Unlock()
	return s.total
}

// RequestCounts returns how many requests reached each endpoint since the last ResetCounters.
func (s *Server) RequestCounts() map[string]int {
	s.countMu.Lock()
	defer s.countMu.Unlock()
	return maps.Clone(s.counts)
}

// ResetCounters zeroes the request counters.
func (s *Server) ResetCounters() {
	s.countMu.Lock()
	defer s.countMu.Unlock()
	s.counts = map[string]int{}
	s.total = 0
	s.logins = 0
}

// FailEndpoint makes every authenticated request to endpoint (e.g.
// "/storage/drives") answer status with an error body from now on; status 0
// restores the endpoint. For tests of how one broken endpoint is reported.
func (s *Server) FailEndpoint(endpoint string, status int) {
	s.countMu.Lock()
	defer s.countMu.Unlock()
	if s.fails == nil {
		s.fails = map[string]int{}
	}
	if status == 0 {
		delete(s.fails, endpoint)
		return
	}
	s.fails[endpoint] = status
}

func (s *Server) failing(endpoint string) int {
	s.countMu.Lock()
	defer s.countMu.Unlock()
	return s.fails[endpoint]
}
