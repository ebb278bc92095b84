package fakenbu

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

var testUser = User{Name: "monitor", Password: "s3cret pass", DomainType: "NT", DomainName: "CORP"}

// login posts body to /login with the versioned JSON type as both Content-Type and Accept.
func login(t *testing.T, ts *httptest.Server, contentType string, body any) response {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, ts.URL+"/netbackup/login", bytes.NewReader(b))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", testAccept)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: out}
}

func TestLogin(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        loginRequest
		want        int
	}{
		{"user", testAccept, loginRequest{"NT", "CORP", "monitor", "s3cret pass"}, http.StatusCreated},
		{"wrong password", testAccept, loginRequest{"NT", "CORP", "monitor", "guess"}, http.StatusUnauthorized},
		{"wrong domain", testAccept, loginRequest{"ldap", "CORP", "monitor", "s3cret pass"}, http.StatusUnauthorized},
		{"unknown user", testAccept, loginRequest{"NT", "CORP", "nobody", "s3cret pass"}, http.StatusUnauthorized},
		{"no password", testAccept, loginRequest{UserName: "monitor"}, http.StatusBadRequest},
		{"plain JSON body", "application/json", loginRequest{"NT", "CORP", "monitor", "s3cret pass"}, http.StatusUnsupportedMediaType},
		{"API key as password", testAccept, loginRequest{"vx", apiKeyDomain, "anyone", DefaultAPIKey}, http.StatusCreated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, ts := newTestServer(t, Options{Users: []User{testUser}})
			r := login(t, ts, tc.contentType, tc.body)
			if s.Logins() != 1 {
				t.Errorf("Logins() = %d, want 1", s.Logins())
			}
			if tc.want != http.StatusCreated {
				checkError(t, r, tc.want)
				return
			}
			if r.status != http.StatusCreated {
				t.Fatalf("status %d, want 201: %s", r.status, r.body)
			}
			lr := decode[loginResponse](t, r)
			if lr.Token == "" || lr.TokenType != "BEARER" || lr.Validity != int64(DefaultTokenValidity/time.Second) {
				t.Fatalf("login answer %s", r.body)
			}
			if got := do(t, ts, "/netbackup/admin/jobs", nil, map[string]string{"Authorization": lr.Token}); got.status != http.StatusOK {
				t.Errorf("jobs with the token: status %d: %s", got.status, got.body)
			}
			// NetBackup takes the token as the whole header, as it takes an API key.
			if got := do(t, ts, "/netbackup/admin/jobs", nil, map[string]string{"Authorization": "Bearer " + lr.Token}); got.status != http.StatusUnauthorized {
				t.Errorf("the token with a Bearer scheme: status %d, want 401", got.status)
			}
		})
	}
}

// A token stops working when it expires on the server's clock, when ExpireTokens says so, and
// after /logout.
func TestTokenExpiry(t *testing.T) {
	now := testNow
	s, ts := newTestServer(t, Options{Users: []User{testUser}, TokenValidity: time.Minute, Now: func() time.Time { return now }})
	token := func() string {
		r := login(t, ts, testAccept, loginRequest{"NT", "CORP", "monitor", "s3cret pass"})
		return decode[loginResponse](t, r).Token
	}
	jobs := func(auth string) int {
		return do(t, ts, "/netbackup/admin/jobs", nil, map[string]string{"Authorization": auth}).status
	}

	tok := token()
	now = now.Add(59 * time.Second)
	if got := jobs(tok); got != http.StatusOK {
		t.Fatalf("token within its validity: %d", got)
	}
	now = now.Add(time.Second)
	if got := jobs(tok); got != http.StatusUnauthorized {
		t.Fatalf("token past its validity: %d, want 401", got)
	}

	tok = token()
	s.ExpireTokens()
	if got := jobs(tok); got != http.StatusUnauthorized {
		t.Fatalf("token after ExpireTokens: %d, want 401", got)
	}

	tok = token()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, ts.URL+"/netbackup/logout", nil)
	req.Header.Set("Authorization", tok)
	req.Header.Set("Accept", testAccept)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if got := jobs(tok); got != http.StatusUnauthorized {
		t.Fatalf("token after logout: %d, want 401", got)
	}
	if s.Logins() != 3 {
		t.Errorf("Logins() = %d, want 3", s.Logins())
	}
}

func TestOmitValiditySetUsersSetAPIKeys(t *testing.T) {
	s, ts := newTestServer(t, Options{Users: []User{testUser}, OmitValidity: true})
	r := login(t, ts, testAccept, loginRequest{"NT", "CORP", "monitor", "s3cret pass"})
	var raw map[string]any
	if err := json.Unmarshal(r.body, &raw); err != nil {
		t.Fatal(err)
	}
	if _, ok := raw["validity"]; ok {
		t.Errorf("validity sent with OmitValidity: %s", r.body)
	}
	s.SetUsers(User{Name: "monitor", Password: "changed"})
	if r := login(t, ts, testAccept, loginRequest{"NT", "CORP", "monitor", "s3cret pass"}); r.status != http.StatusUnauthorized {
		t.Errorf("the old password after SetUsers: %d, want 401", r.status)
	}
	if r := login(t, ts, testAccept, loginRequest{UserName: "monitor", Password: "changed"}); r.status != http.StatusCreated {
		t.Errorf("the new password after SetUsers: %d, want 201", r.status)
	}
	s.SetAPIKeys("new-key")
	if got := do(t, ts, "/netbackup/admin/jobs", nil, nil).status; got != http.StatusUnauthorized {
		t.Errorf("the replaced key still works: %d", got)
	}
	if got := do(t, ts, "/netbackup/admin/jobs", nil, map[string]string{"Authorization": "new-key"}).status; got != http.StatusOK {
		t.Errorf("the new key: %d", got)
	}
}
