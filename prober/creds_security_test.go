package prober

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// Secrets of the credentials suite, each distinctive so that finding one anywhere means a leak.
const (
	credsEnvKey       = "env-secret-key-61c0a9d4"
	credsFilePassword = "file-secret-pw-0d5e17"
	credsWrongPw      = "wrong-secret-pw-a4b8c2"
	credsEchoToken    = "echo-secret-token-93f1"
)

// authRecorder remembers every Authorization value a server receives, so the test knows the
// tokens the fake issued without asking it.
type authRecorder struct {
	next http.Handler
	mu   sync.Mutex
	seen map[string]bool
}

func (a *authRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if v := r.Header.Get("Authorization"); v != "" {
		a.mu.Lock()
		a.seen[strings.TrimPrefix(v, "Bearer ")] = true
		a.mu.Unlock()
	}
	a.next.ServeHTTP(w, r)
}

func (a *authRecorder) tokens() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for v := range a.seen {
		if v != credsEnvKey {
			out = append(out, v)
		}
	}
	return out
}

// echoServer hands out credsEchoToken and then answers every request with a 500 that echoes its
// Authorization header; with refuseLogin, it answers the login with a 401 echoing the body.
func echoServer(t *testing.T, refuseLogin bool) string {
	srv, _ := startTracked(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.netbackup+json;version=14.0")
		msg := "you sent " + r.Header.Get("Authorization")
		switch {
		case strings.HasSuffix(r.URL.Path, "/login") && refuseLogin:
			body, _ := io.ReadAll(r.Body)
			w.WriteHeader(http.StatusUnauthorized)
			msg = "refused " + string(body)
		case strings.HasSuffix(r.URL.Path, "/login"):
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"token":"`+credsEchoToken+`","tokenType":"BEARER","validity":3600}`)
			return
		default:
			w.WriteHeader(http.StatusInternalServerError)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"errorCode": 1, "errorMessage": msg, "errorDetails": []string{msg}})
	}))
	return srv.URL
}

// TestCredentialsAppearNowhere runs every credential path with debug logging and debug=true
// answers: a key from the environment, logins with passwords from the environment, a file and an
// inline wrong one, a token expired and renewed, and servers that echo the token or the login
// body back. No password, key or token may appear in a log line, an answer, /config, /metrics or
// the probe history.
func TestCredentialsAppearNowhere(t *testing.T) {
	t.Setenv("NBU_TEST_ENV_KEY", credsEnvKey)
	t.Setenv("NBU_TEST_PW", credsPassword)
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte(credsFilePassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{credsEnvKey}, Now: func() time.Time { return fixtureNow },
		Users: []fakenbu.User{{Name: credsUser, Password: credsPassword}, {Name: "filer", Password: credsFilePassword}}})
	fake.SetJobs(fixtureJobs())
	fake.SetStorageUnits(fixtureStorage())
	rec := &authRecorder{next: fake, seen: map[string]bool{}}
	srv, _ := startTracked(t, rec)

	login := func(name, user, pw string) string {
		return "  " + name + ":\n    username: " + user + "\n    " + pw + "\n    allowed_targets: [\"127.0.0.1\"]\n    insecure_http: true\n"
	}
	cfg := mustConfig(t, "modules:\n  envkey:\n    api_key_env: NBU_TEST_ENV_KEY\n    allowed_targets: [\"127.0.0.1\"]\n    insecure_http: true\n"+
		login("envpw", credsUser, "password_env: NBU_TEST_PW")+
		login("filepw", "filer", "password_file: "+pwFile)+
		login("wrong", credsUser, "password: "+credsWrongPw))
	env := newSecEnv(t, cfg)

	var answers []string
	probe := func(module, target string, ok bool) {
		t.Helper()
		for _, q := range []string{"debug=true&" + probeQuery(module, target), probeQuery(module, target)} {
			body := env.serve(t, q, nil, 30*time.Second).Body.String()
			answers = append(answers, body)
			if got := strings.Contains(body, "probe_success 1"); got != ok {
				t.Errorf("module %s against %s: success %v, want %v:\n%s", module, target, got, ok, body)
			}
		}
	}
	for _, m := range []string{"envkey", "envpw", "filepw"} {
		probe(m, srv.URL, true)
	}
	fake.ExpireTokens()
	probe("envpw", srv.URL, true)
	probe("wrong", srv.URL, false)
	probe("envpw", echoServer(t, false), false)
	probe("filepw", echoServer(t, true), false)

	tokens := rec.tokens()
	if len(tokens) < 3 {
		t.Fatalf("the fake saw %d tokens, want at least 3: the checks below would prove little", len(tokens))
	}
	if joined := strings.Join(answers, "\n"); !strings.Contains(joined, "you sent <redacted>") || !strings.Contains(joined, "refused {") {
		t.Error("the echo servers' answers did not reach the output: the checks below would prove little")
	}
	assertNoCredentials(t, env, answers, append(tokens, credsEnvKey, credsPassword, credsFilePassword, credsWrongPw, credsEchoToken))
}

func assertNoCredentials(t *testing.T, env *secEnv, answers, secrets []string) {
	t.Helper()
	shown, err := yaml.Marshal(env.cfg.Load())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(shown), "api_key_env: NBU_TEST_ENV_KEY") || !strings.Contains(string(shown), "password: <secret>") {
		t.Errorf("/config does not show the variable name and <secret>:\n%s", shown)
	}
	sources := map[string]string{
		"exporter log":          env.logs.String(),
		"/probe answers":        strings.Join(answers, "\n"),
		"/config":               string(shown),
		"/metrics":              env.exporterMetrics(t),
		"probe history (/logs)": env.history(),
	}
	for name, text := range sources {
		for _, s := range secrets {
			if i := strings.Index(text, s); i >= 0 {
				t.Errorf("%s contains a secret: ...%s...", name, text[max(0, i-200):min(len(text), i+len(s)+50)])
			}
		}
	}
	if !strings.Contains(env.logs.String(), "level=debug") || !strings.Contains(env.logs.String(), "logged in to NetBackup") {
		t.Error("the exporter log has no debug lines about logins: the check above did not cover them")
	}
}
