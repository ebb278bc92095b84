package prober

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

const (
	credsUser     = "monitor"
	credsPassword = "login-pw-3e7b-secret"
)

var credsFakeUser = fakenbu.User{Name: credsUser, Password: credsPassword, DomainType: "NT", DomainName: "CORP"}

// loginModule is a module that logs in with password, with extra lines appended.
func loginModule(name, password string, extra ...string) string {
	lines := append([]string{
		"  " + name + ":",
		"    timeout: 10s",
		"    username: " + credsUser,
		"    password: " + password,
		"    domain_type: NT",
		"    domain_name: CORP",
		`    allowed_targets: ["127.0.0.1"]`,
		"    insecure_http: true",
	}, extra...)
	return strings.Join(lines, "\n") + "\n"
}

func (e *secEnv) probeOK(t *testing.T, module, target string) string {
	t.Helper()
	body := e.serve(t, "debug=true&"+probeQuery(module, target), nil, 30*time.Second).Body.String()
	if !strings.Contains(body, "probe_success 1") {
		t.Fatalf("probe failed:\n%s", body)
	}
	return body
}

// A module with a login logs in once and reuses the token: one login for ten probes.
func TestLoginThenProbeOneLoginForTen(t *testing.T) {
	fake, srv := newFake(t, fakenbu.Options{Users: []fakenbu.User{credsFakeUser}})
	env := newSecEnv(t, mustConfig(t, "modules:\n"+loginModule("login", credsPassword)))
	body := env.probeOK(t, "login", srv.URL)
	if !strings.Contains(body, `nbu_jobs_count`) {
		t.Errorf("the logged-in probe has no job metrics:\n%s", body)
	}
	for range 9 {
		env.probeOK(t, "login", srv.URL)
	}
	if n := fake.Logins(); n != 1 {
		t.Errorf("ten probes made %d logins, want 1", n)
	}
}

// A token that expires between two probes is answered 401; the second probe logs in again, once,
// and succeeds.
func TestLoginExpiredTokenRenewedInProbe(t *testing.T) {
	fake, srv := newFake(t, fakenbu.Options{Users: []fakenbu.User{credsFakeUser}})
	env := newSecEnv(t, mustConfig(t, "modules:\n"+loginModule("login", credsPassword)))
	env.probeOK(t, "login", srv.URL)
	fake.ExpireTokens()
	env.probeOK(t, "login", srv.URL)
	if n := fake.Logins(); n != 2 {
		t.Errorf("logins = %d, want 2 (the first, and one after the token expired)", n)
	}
}

// A wrong password fails the probe with NetBackup's answer, after one login attempt, whether the
// version is detected (the login is in the ladder) or pinned (both collectors need the token).
func TestLoginWrongPasswordFailsProbe(t *testing.T) {
	for _, version := range []string{"auto", `"13.0"`} {
		t.Run(version, func(t *testing.T) {
			fake, srv := newFake(t, fakenbu.Options{Users: []fakenbu.User{credsFakeUser}})
			env := newSecEnv(t, mustConfig(t, "modules:\n"+loginModule("wrong", "not-the-pw-7b2e", "    api_version: "+version)))
			body := env.serve(t, "debug=true&"+probeQuery("wrong", srv.URL), nil, 30*time.Second).Body.String()
			for _, want := range []string{"probe_success 0", `logging in to NetBackup as \"monitor\"`, "The user name, password or API Key is wrong."} {
				if !strings.Contains(body, want) {
					t.Errorf("the answer does not say %q:\n%s", want, body)
				}
			}
			if n := fake.Logins(); n != 1 {
				t.Errorf("the probe made %d login attempts, want 1", n)
			}
			if strings.Contains(body, "not-the-pw-7b2e") {
				t.Error("the answer shows the password")
			}
		})
	}
}

// Fifty concurrent first probes of one target share one login.
func TestLoginConcurrentFirstProbesLogInOnce(t *testing.T) {
	fake, srv := newFake(t, fakenbu.Options{Users: []fakenbu.User{credsFakeUser}})
	env := newSecEnv(t, mustConfig(t, "modules:\n"+loginModule("login", credsPassword)))
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			w, err := env.try(probeQuery("login", srv.URL), nil, 60*time.Second)
			if err != nil {
				t.Error(err)
				return
			}
			if body := w.Body.String(); !strings.Contains(body, "probe_success 1") {
				t.Errorf("probe failed:\n%s", body)
			}
		})
	}
	wg.Wait()
	if n := fake.Logins(); n != 1 {
		t.Errorf("50 concurrent first probes made %d logins, want 1", n)
	}
}

// rotationEnv probes a jobs-only module whose credentials live in a file, with a clock shared by
// the fake and the exporter so that jobs can finish between probes.
type rotationEnv struct {
	clock  *clock
	fake   *fakenbu.Server
	url    string
	env    *secEnv
	file   string
	module string // the module's YAML with $FILE for the credentials file
}

func newRotationEnv(t *testing.T, opts fakenbu.Options, module, secret string) *rotationEnv {
	t.Helper()
	c := newClock(fixtureNow)
	opts.Now = c.Now
	fake := fakenbu.New(opts)
	fake.SetJobs(fixtureJobs())
	srv, _ := startTracked(t, fake)
	e := &rotationEnv{clock: c, fake: fake, url: srv.URL, file: filepath.Join(t.TempDir(), "secret"), module: module}
	e.rotate(t, secret)
	e.env = newSecEnv(t, e.load(t))
	e.env.handler.Now = c.Now
	return e
}

// rotate writes secret to the credentials file and reloads the config, as the file watch does.
func (e *rotationEnv) rotate(t *testing.T, secret string) {
	t.Helper()
	if err := os.WriteFile(e.file, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if e.env != nil {
		e.env.cfg.Store(e.load(t))
	}
}

func (e *rotationEnv) load(t *testing.T) *config.Config {
	return mustConfig(t, strings.ReplaceAll(e.module, "$FILE", e.file))
}

// finishJob adds a job that finishes now and probes: the counter must count it.
func (e *rotationEnv) finishJobAndProbe(t *testing.T, id int64) map[string]*dtoFamily {
	t.Helper()
	e.clock.Advance(time.Minute)
	e.fake.UpsertJob(finished(id, e.clock.Now().Add(-time.Second), 0))
	body := e.env.serve(t, probeQuery("default", e.url), nil, 30*time.Second).Body.String()
	fams := parseExposition(t, body)
	if sumFamily(fams, "probe_success", nil) != 1 {
		t.Fatalf("probe failed:\n%s\n%s", body, e.env.logs)
	}
	return fams
}

// Rotating the key (api_key_file) or the password (password_file), with the old one revoked,
// keeps the target's session: nbu_jobs_total counts on, nothing is read again from the start of
// the window, and the new credentials are what the next probe sends.
func TestCredentialRotationKeepsJobCounters(t *testing.T) {
	const keyModule = "modules:\n  default:\n    api_key_file: $FILE\n    allowed_targets: [\"127.0.0.1\"]\n    insecure_http: true\n    collectors: [jobs]\n"
	const pwModule = "modules:\n  default:\n    username: " + credsUser + "\n    password_file: $FILE\n    allowed_targets: [\"127.0.0.1\"]\n    insecure_http: true\n    collectors: [jobs]\n"
	for _, tc := range []struct {
		name, module, before, after string
		opts                        fakenbu.Options
		revoke                      func(f *fakenbu.Server, secret string)
	}{
		{"api_key_file", keyModule, "key-before-7c1d", "key-after-2b9e", fakenbu.Options{APIKeys: []string{"key-before-7c1d"}},
			func(f *fakenbu.Server, s string) { f.SetAPIKeys(s) }},
		{"password_file", pwModule, "pw-before-5a0f", "pw-after-8d3c", fakenbu.Options{Users: []fakenbu.User{{Name: credsUser, Password: "pw-before-5a0f"}}},
			func(f *fakenbu.Server, s string) {
				f.SetUsers(fakenbu.User{Name: credsUser, Password: s})
				f.ExpireTokens()
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newRotationEnv(t, tc.opts, tc.module, tc.before)
			e.env.probeOK(t, "default", e.url) // the backfill
			fams := e.finishJobAndProbe(t, 100)
			if got := sumFamily(fams, "nbu_jobs_total", nil); got != 1 {
				t.Fatalf("before the rotation: nbu_jobs_total = %v, want 1", got)
			}
			e.fake.ResetCounters()
			steady := e.finishJobAndProbe(t, 101)
			steadyRequests := e.fake.Requests("/admin/jobs")

			tc.revoke(e.fake, tc.after)
			e.rotate(t, tc.after)
			e.fake.ResetCounters()
			fams = e.finishJobAndProbe(t, 102)
			if got := sumFamily(fams, "nbu_jobs_total", nil); got != 3 {
				t.Errorf("after the rotation: nbu_jobs_total = %v, want 3 (counting on)", got)
			}
			if got := sumFamily(fams, "nbu_jobs_backfill_complete", nil); got != 1 {
				t.Errorf("nbu_jobs_backfill_complete = %v after the rotation", got)
			}
			if got := e.fake.Requests("/admin/jobs"); got > steadyRequests {
				t.Errorf("the probe after the rotation sent %d /admin/jobs requests, a steady probe %d: it read again", got, steadyRequests)
			}
			if got := sumFamily(steady, "nbu_jobs_total", nil); got != 2 {
				t.Errorf("steady probe before the rotation: nbu_jobs_total = %v, want 2", got)
			}
			if n := e.env.handler.Sessions.Len(); n != 1 {
				t.Errorf("%d sessions after the rotation, want the one kept", n)
			}
		})
	}
}

// Changing what the module collects still starts afresh: only credentials are left out of the
// session key.
func TestModuleChangeStillResetsSession(t *testing.T) {
	const module = "modules:\n  default:\n    api_key_file: $FILE\n    allowed_targets: [\"127.0.0.1\"]\n    insecure_http: true\n    collectors: [jobs]\n"
	e := newRotationEnv(t, fakenbu.Options{APIKeys: []string{"key-1-0a5b"}}, module, "key-1-0a5b")
	e.env.probeOK(t, "default", e.url)
	e.module = strings.Replace(module, "collectors: [jobs]", "collectors: [jobs]\n    jobs: {page_size: 50}", 1)
	e.rotate(t, "key-1-0a5b")
	fams := e.finishJobAndProbe(t, 100)
	if got := sumFamily(fams, "nbu_jobs_total", nil); got != 0 {
		t.Errorf("after a jobs.page_size change: nbu_jobs_total = %v, want 0 (a fresh session)", got)
	}
	if n := e.env.handler.Sessions.Len(); n != 2 {
		t.Errorf("%d sessions, want 2 (the old one idles out)", n)
	}
}
