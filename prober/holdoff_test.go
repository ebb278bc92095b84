package prober

import (
	"strings"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// A refused login is not tried again during its hold-off by any session of the same credentials
// and primary: a new session key (another module with the same account), another spelling of the
// target, and a session made again after an eviction all fail at once, with one login sent.
func TestRefusedLoginHeldOffAcrossSessions(t *testing.T) {
	fake, srv := newFake(t, fakenbu.Options{Users: []fakenbu.User{credsFakeUser}})
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	module := func(name string) string {
		return strings.Join([]string{
			"  " + name + ":",
			"    username: " + credsUser,
			"    password: wrong-pw-4c1e9a",
			"    domain_type: NT",
			"    domain_name: CORP",
			`    allowed_targets: ["127.0.0.1", "localhost"]`,
			"    insecure_http: true",
			"    api_version: '13.0'",
			"    collectors: [storage]",
		}, "\n") + "\n"
	}
	env := newTestEnv(t, mustConfig(t, "modules:\n"+module("one")+module("two")))
	probe := func(mod, target string) string {
		t.Helper()
		body := env.probe(t, "debug=true&"+probeQuery(mod, target), nil).Body.String()
		if !strings.Contains(body, "probe_success 0") {
			t.Fatalf("probe %s %s succeeded with a wrong password", mod, target)
		}
		return body
	}
	probe("one", srv.URL)
	for _, p := range []struct{ module, target string }{
		{"one", srv.URL},                          // the same session
		{"two", srv.URL},                          // another session key, the same account
		{"one", "http://localhost:" + port},       // another spelling of the primary
		{"two", "http://LocalHost:" + port + "/"}, // and another
	} {
		if body := probe(p.module, p.target); !strings.Contains(body, "not logging in again before") {
			t.Errorf("probe %s %s: no hold-off in the answer:\n%s", p.module, p.target, body)
		}
	}
	env.handler.Sessions.SetMax(1) // evicts every session but the newest
	probe("two", "http://localhost:"+port)
	probe("one", srv.URL)
	if n := fake.Logins(); n != 1 {
		t.Errorf("%d logins during the hold-off, want 1", n)
	}
}

// The refused logins a store keeps follow --probe.max-sessions: a large session cap must not
// meet a hold-off store that forgets refusals sooner than the sessions go.
func TestHoldoffStoreFollowsTheSessionCap(t *testing.T) {
	s := NewSessions(time.Hour, nil)
	t.Cleanup(s.Close)
	for _, tc := range []struct{ sessions, want int }{{1, 2 * DefaultMaxSessions}, {5000, 10000}} {
		s.SetMax(tc.sessions)
		if got := s.holdoffs.Capacity(); got != tc.want {
			t.Errorf("max sessions %d: hold-off capacity %d, want %d", tc.sessions, got, tc.want)
		}
	}
}

// A reload that changes the module but keeps its credentials (so the session is made again) does
// not log in again during the hold-off; a reload that corrects the password logs in at once.
func TestRefusedLoginHeldOffAcrossReloads(t *testing.T) {
	fake, srv := newFake(t, fakenbu.Options{Users: []fakenbu.User{credsFakeUser}})
	config := func(password, collectors string) *cfgT {
		return mustConfig(t, strings.Join([]string{
			"modules:",
			"  one:",
			"    username: " + credsUser,
			"    password: " + password,
			"    domain_type: NT",
			"    domain_name: CORP",
			`    allowed_targets: ["127.0.0.1"]`,
			"    insecure_http: true",
			"    api_version: '13.0'",
			"    collectors: [" + collectors + "]",
		}, "\n")+"\n")
	}
	env := newTestEnv(t, config("wrong-pw-4c1e9a", "storage"))
	probe := func() string {
		t.Helper()
		return env.probe(t, probeQuery("one", srv.URL), nil).Body.String()
	}
	if !strings.Contains(probe(), "probe_success 0") {
		t.Fatal("a wrong password succeeded")
	}
	reloaded := config("wrong-pw-4c1e9a", "storage, tape")
	env.handler.Config = func() *cfgT { return reloaded }
	if body := probe(); !strings.Contains(body, "probe_success 0") {
		t.Fatal("the reloaded module succeeded with the wrong password")
	}
	if n := fake.Logins(); n != 1 {
		t.Errorf("%d logins after a reload that kept the refused password, want 1", n)
	}
	corrected := config(credsPassword, "storage, tape")
	env.handler.Config = func() *cfgT { return corrected }
	if body := probe(); !strings.Contains(body, "probe_success 1") {
		t.Errorf("the corrected password did not log in at once:\n%s", env.logs)
	}
	if n := fake.Logins(); n != 2 {
		t.Errorf("%d logins in all, want 2: the refusal and the corrected password", n)
	}
}
