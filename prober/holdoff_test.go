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
