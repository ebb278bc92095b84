package fakenbu

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

const maxPooledBuffer = 4 << 20

const (
	mediaJSON  = "application/vnd.netbackup+json"
	mediaPlain = "text/vnd.netbackup+plain"
)

// acceptedVersion returns the version parameter of the first media range in
// an Accept header whose type is one of types; "" when there is none. It
// tolerates spaces around ';' and '=' and a comma-separated list.
func acceptedVersion(accept string, types ...string) string {
	for part := range strings.SplitSeq(accept, ",") {
		params := strings.Split(part, ";")
		mt := strings.TrimSpace(params[0])
		if !slices.ContainsFunc(types, func(t string) bool { return strings.EqualFold(t, mt) }) {
			continue
		}
		for _, p := range params[1:] {
			name, val, ok := strings.Cut(p, "=")
			if ok && strings.EqualFold(strings.TrimSpace(name), "version") {
				return strings.Trim(strings.TrimSpace(val), `"`)
			}
		}
	}
	return ""
}

// requestedVersion is the served version the client asked for in either
// media type family, so that even error bodies answer in the client's
// version when it is one the server serves.
func (s *Server) requestedVersion(r *http.Request) string {
	v := acceptedVersion(r.Header.Get("Accept"), mediaJSON, mediaPlain)
	if _, ok := s.versions[v]; ok {
		return v
	}
	return ""
}

// acceptable reports whether the Accept header names a served version in a
// media type the route produces, and records that version in rc.
func (s *Server) acceptable(r *http.Request, plain bool, rc *reqCtx) bool {
	types := []string{mediaJSON}
	if plain {
		// The spec's /ping produces only the plain type, but the JSON type a
		// client sends everywhere else is harmless to accept there too.
		types = append(types, mediaPlain)
	}
	v := acceptedVersion(r.Header.Get("Accept"), types...)
	if _, ok := s.versions[v]; !ok {
		return false
	}
	rc.version = v
	return true
}

// legacyAccepted takes the version of an endpoint that a 10.0 primary serves at an older one.
func (s *Server) legacyAccepted(r *http.Request, rt route, rc *reqCtx) bool {
	if rt.legacy == "" {
		return false
	}
	if _, serves10 := s.versions["10.0"]; !serves10 || acceptedVersion(r.Header.Get("Accept"), mediaJSON) != rt.legacy {
		return false
	}
	rc.version = rt.legacy
	return true
}

func (s *Server) servedVersions() []string {
	out := make([]string, 0, len(s.versions))
	for v := range s.versions {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b string) int {
		switch {
		case versionLess(a, b):
			return 1
		case versionLess(b, a):
			return -1
		}
		return strings.Compare(a, b)
	})
	return out
}

func (s *Server) contentType(media string, rc *reqCtx) string {
	v := rc.version
	if v == "" {
		v = s.maxVersion
	}
	return media + ";version=" + v
}

// errorBody is the error schema every NetBackup endpoint documents.
type errorBody struct {
	ErrorCode       int               `json:"errorCode"`
	ErrorMessage    string            `json:"errorMessage"`
	ErrorDetails    []string          `json:"errorDetails"`
	AttributeErrors map[string]string `json:"attributeErrors"`
}

// writeError answers with the NetBackup error body. The specs carry no
// catalogue of errorCode values, so the fake reuses the HTTP status.
func (s *Server) writeError(w http.ResponseWriter, rc *reqCtx, status int, msg string, details ...string) {
	if details == nil {
		details = []string{}
	}
	s.writeJSON(w, rc, status, errorBody{
		ErrorCode:       status,
		ErrorMessage:    msg,
		ErrorDetails:    details,
		AttributeErrors: map[string]string{},
	})
}

func (s *Server) writeJSON(w http.ResponseWriter, rc *reqCtx, status int, v any) {
	buf, _ := s.bufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	buf.Reset()
	defer func() {
		// A rare huge page should not pin its buffer forever.
		if buf.Cap() <= maxPooledBuffer {
			s.bufs.Put(buf)
		}
	}()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only a programming error in the fake's own types can get here.
		http.Error(w, "fakenbu: encoding response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", s.contentType(mediaJSON, rc))
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
