package fakenbu

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
)

// User is an account that may log in with POST /login (gateway.yaml).
type User struct {
	Name, Password string
	// DomainType and DomainName must match what the client sends when set; empty accepts any.
	DomainType, DomainName string
}

// DefaultTokenValidity is the validity /login reports when Options.TokenValidity is zero:
// NetBackup's default session length.
const DefaultTokenValidity = 24 * time.Hour

// apiKeyDomain is the domain the spec names for logging in with an API key instead of a password.
const apiKeyDomain = "vrts.apikey"

type tokenInfo struct {
	user    string
	expires time.Time
}

// loginRequest is the body of POST /login.
type loginRequest struct {
	DomainType string `json:"domainType"`
	DomainName string `json:"domainName"`
	UserName   string `json:"userName"`
	Password   string `json:"password"`
}

type loginResponse struct {
	Token     string `json:"token"`
	TokenType string `json:"tokenType"`
	Validity  int64  `json:"validity,omitempty"`
}

// authorized accepts an API key, or a token from /login, as the whole Authorization value (no
// scheme, as NetBackup takes both), the token as long as it is known and not expired.
func (s *Server) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	if h == "" {
		return false
	}
	s.authMu.Lock()
	defer s.authMu.Unlock()
	if _, ok := s.apiKeys[h]; ok {
		return true
	}
	token := h
	t, ok := s.tokens[token]
	if !ok {
		return false
	}
	if !s.now().Before(t.expires) {
		delete(s.tokens, token)
		return false
	}
	return true
}

// handleLogin checks the media types the way the spec's request body and responses name them:
// Content-Type is the versioned JSON type (415 otherwise) and Accept a served version (406).
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.jsonBody(w, r, rc) {
		return
	}
	var req loginRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req); err != nil || req.UserName == "" || req.Password == "" {
		s.writeError(w, rc, http.StatusBadRequest, "Bad request.", "userName and password are required")
		return
	}
	if !s.credentialsValid(req) {
		s.writeError(w, rc, http.StatusUnauthorized, "The user name, password or API Key is wrong.")
		return
	}
	token := newToken()
	validity := s.tokenValidity
	s.authMu.Lock()
	s.tokens[token] = tokenInfo{user: req.UserName, expires: s.now().Add(validity)}
	s.authMu.Unlock()
	resp := loginResponse{Token: token, TokenType: "BEARER"}
	if !s.omitValidity {
		resp.Validity = int64(validity / time.Second)
	}
	s.writeJSON(w, rc, http.StatusCreated, resp)
}

func (s *Server) credentialsValid(req loginRequest) bool {
	s.authMu.Lock()
	defer s.authMu.Unlock()
	if req.DomainName == apiKeyDomain {
		_, ok := s.apiKeys[req.Password]
		return ok && strings.EqualFold(req.DomainType, "vx")
	}
	for _, u := range s.users {
		if u.Name == req.UserName && u.Password == req.Password &&
			(u.DomainType == "" || u.DomainType == req.DomainType) &&
			(u.DomainName == "" || u.DomainName == req.DomainName) {
			return true
		}
	}
	return false
}

// handleLogout invalidates the token the request was authorised with (route auth has checked it).
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, _ *reqCtx) {
	token := r.Header.Get("Authorization")
	s.authMu.Lock()
	delete(s.tokens, token)
	s.authMu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func newToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "fake-jwt-" + hex.EncodeToString(b)
}

// ExpireTokens makes every token issued so far invalid, as if they had all expired: the next
// request with one gets 401. It lets a test expire a token between two probes without a clock.
func (s *Server) ExpireTokens() {
	s.authMu.Lock()
	defer s.authMu.Unlock()
	clear(s.tokens)
}

// SetAPIKeys replaces the accepted API keys, as revoking one and issuing another does.
func (s *Server) SetAPIKeys(keys ...string) {
	s.authMu.Lock()
	defer s.authMu.Unlock()
	s.apiKeys = make(map[string]struct{}, len(keys))
	for _, k := range keys {
		s.apiKeys[k] = struct{}{}
	}
}

func (s *Server) countLogin() {
	s.countMu.Lock()
	s.logins++
	s.countMu.Unlock()
}

// SetUsers replaces the accounts that may log in, as a password change on the primary does.
// Tokens already issued stay valid.
func (s *Server) SetUsers(users ...User) {
	s.authMu.Lock()
	defer s.authMu.Unlock()
	s.users = append([]User(nil), users...)
}

// Logins returns how many POST /login requests arrived since the last ResetCounters, whatever
// their outcome.
func (s *Server) Logins() int {
	s.countMu.Lock()
	defer s.countMu.Unlock()
	return s.logins
}

// jsonBody answers 415 unless the request's body is the versioned JSON media type, as for every
// request with a body.
func (s *Server) jsonBody(w http.ResponseWriter, r *http.Request, rc *reqCtx) bool {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || !strings.EqualFold(mt, mediaJSON) {
		s.writeError(w, rc, http.StatusUnsupportedMediaType, "Unsupported media type.",
			"the request body must be "+mediaJSON+";version=<v>")
		return false
	}
	return true
}
