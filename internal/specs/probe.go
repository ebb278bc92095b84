package specs

import (
	"net/http"
	"net/url"
	"slices"
)

// The exporter's client detects the API version by asking GET /admin/jobs?page[limit]=1 with each
// version it knows, newest first, until one is not refused with 406; a module that logs in sends
// POST /login before each rung, in the rung's version. These requests name a version the primary
// may not serve on purpose, and nothing else may.
const (
	probePath  = BasePath + "/admin/jobs"
	loginPath  = BasePath + "/login"
	probeQuery = "page[limit]"
	jsonType   = "application/vnd.netbackup+json"
)

// VersionProbe reports whether r is one rung of API version detection sent to a release older
// than the version it asks for: GET /admin/jobs with page[limit]=1 as its only query parameter,
// or POST /login; in the API version of a newer release of the table (in Accept, and in
// Content-Type when there is a body); and otherwise what release's spec allows. A server answers
// it 406, and the client moves on to the next version.
func (t *Table) VersionProbe(release string, r *http.Request) bool {
	switch {
	case r.Method == http.MethodGet && r.URL.EscapedPath() == probePath:
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil || len(q) != 1 || len(q[probeQuery]) != 1 || q.Get(probeQuery) != "1" {
			return false
		}
	case r.Method == http.MethodPost && r.URL.EscapedPath() == loginPath:
	default:
		return false
	}
	accept := parseAccept(r.Header.Values("Accept"))
	if len(accept) != 1 || accept[0].typ != jsonType || !t.newerAPIVersion(release, accept[0].version) {
		return false
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && parseMediaType(ct) != accept[0] {
		return false
	}
	for _, v := range AsViolations(t.Check(release, r)) {
		if v.Kind != KindAccept && v.Kind != KindContentType {
			return false
		}
	}
	return true
}

// newerAPIVersion reports whether version is the API version of a release newer than release.
func (t *Table) newerAPIVersion(release, version string) bool {
	return slices.ContainsFunc(t.views, func(v *view) bool {
		return compareVersions(v.release.Release, release) > 0 && v.release.APIVersion == version
	})
}
