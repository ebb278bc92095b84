package nbu

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

const loginPassword = "pw-9c1f-secret"

var loginUser = Login{UserName: "monitor", Password: loginPassword, DomainType: "NT", DomainName: "CORP"}

// testClock is the clock of both the client and the fake in these tests.
type testClock struct{ ns atomic.Int64 }

func (c *testClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *testClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

type loginEnv struct {
	fake   *fakenbu.Server
	client *Client
	clock  *testClock
	log    *requestLog
}

func newLoginEnv(t *testing.T, opts fakenbu.Options, login Login, version string) *loginEnv {
	t.Helper()
	clock := &testClock{}
	clock.ns.Store(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC).UnixNano())
	opts.Now = clock.now
	if opts.Users == nil {
		opts.Users = []fakenbu.User{{Name: "monitor", Password: loginPassword, DomainType: "NT", DomainName: "CORP"}}
	}
	fake := fakenbu.New(opts)
	rl := &requestLog{next: fake}
	srv := httptest.NewServer(rl)
	t.Cleanup(srv.Close)
	c, err := NewClient(Options{BaseURL: srv.URL + "/netbackup", Login: login, APIVersion: version})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	c.now = clock.now
	return &loginEnv{fake: fake, client: c, clock: clock, log: rl}
}

// assertNoSecret fails if text holds the password or any token the fake issued.
func assertNoSecret(t *testing.T, text string, tokens ...string) {
	t.Helper()
	for _, s := range append([]string{loginPassword}, tokens...) {
		if s != "" && strings.Contains(text, s) {
			t.Fatalf("text contains a secret: %q", text)
		}
	}
}

// The client logs in once, with the version ladder, and reuses the token for later requests.
func TestLoginOnceForManyRequests(t *testing.T) {
	e := newLoginEnv(t, fakenbu.Options{Versions: []string{"12.0"}}, loginUser, "auto")
	for i := range 10 {
		if v, err := e.client.Check(testCtx(t)); err != nil || v != "12.0" {
			t.Fatalf("Check #%d = %q, %v", i, v, err)
		}
	}
	if n := e.fake.Logins(); n != 3 {
		// 14.0 and 13.0 are refused with 406 at the login, 12.0 logs in.
		t.Fatalf("logins = %d, want the ladder's 3 (two 406, one 201)", n)
	}
	if n := e.fake.Requests("/admin/jobs"); n != 11 {
		t.Errorf("/admin/jobs requests = %d, want 11 (one detection, ten checks: the login walked the ladder)", n)
	}
}

// A token is replaced shortly before the end of its validity: the login answer's, or token_ttl's
// when the answer gives none.
func TestLoginRenewsBeforeExpiry(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     fakenbu.Options
		ttl      time.Duration
		keep     time.Duration // still the first token after this long
		renewed  time.Duration // a new login after this long
		validity time.Duration
	}{
		{"validity from the answer", fakenbu.Options{TokenValidity: 10 * time.Minute}, time.Hour, 8 * time.Minute, 9*time.Minute + time.Second, 10 * time.Minute},
		{"token_ttl fallback", fakenbu.Options{OmitValidity: true, TokenValidity: time.Hour}, 2 * time.Minute, 100 * time.Second, 108 * time.Second, 2 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			login := loginUser
			login.TokenTTL = tc.ttl
			e := newLoginEnv(t, tc.opts, login, "13.0")
			check := func() {
				t.Helper()
				if _, err := e.client.Check(testCtx(t)); err != nil {
					t.Fatal(err)
				}
			}
			check()
			e.clock.advance(tc.keep)
			check()
			if n := e.fake.Logins(); n != 1 {
				t.Fatalf("logins after %v = %d, want 1", tc.keep, n)
			}
			e.clock.advance(tc.renewed - tc.keep)
			check()
			if n := e.fake.Logins(); n != 2 {
				t.Fatalf("logins after %v = %d, want 2", tc.renewed, n)
			}
		})
	}
}

// A token the server expires early is answered 401; the client logs in again once and the request
// succeeds.
func TestLoginExpiredTokenRenewedOnce(t *testing.T) {
	e := newLoginEnv(t, fakenbu.Options{}, loginUser, "13.0")
	if _, err := e.client.Check(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	e.fake.ExpireTokens()
	if _, err := e.client.Check(testCtx(t)); err != nil {
		t.Fatalf("Check after the token expired: %v", err)
	}
	if n := e.fake.Logins(); n != 2 {
		t.Errorf("logins = %d, want 2", n)
	}
	if n := e.fake.Requests("/admin/jobs"); n != 3 {
		t.Errorf("/admin/jobs requests = %d, want 3 (ok, 401, ok)", n)
	}
}

// A wrong password fails with NetBackup's answer, and is not tried again until the hold-off ends
// or the credentials change.
func TestLoginWrongPassword(t *testing.T) {
	wrong := loginUser
	wrong.Password = "not-the-pw-4e1d"
	e := newLoginEnv(t, fakenbu.Options{}, wrong, "13.0")
	_, err := e.client.Check(testCtx(t))
	want := `logging in to NetBackup as "monitor": POST /login: HTTP 401: errorCode 401: The user name, password or API Key is wrong.`
	if err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v, want it to contain %q and wrap ErrUnauthorized", err, want)
	}
	for range 3 {
		if _, err := e.client.Check(testCtx(t)); err == nil || !strings.Contains(err.Error(), "not logging in again before") {
			t.Fatalf("err = %v, want the refused login repeated", err)
		}
	}
	if n := e.fake.Logins(); n != 1 {
		t.Fatalf("logins = %d, want 1: a refused password is not retried at once", n)
	}
	e.clock.advance(refusedHoldOff)
	if _, err := e.client.Check(testCtx(t)); err == nil {
		t.Fatal("the wrong password worked")
	}
	if n := e.fake.Logins(); n != 2 {
		t.Fatalf("logins after the hold-off = %d, want 2", n)
	}
	e.clock.advance(refusedHoldOff) // the second hold-off is twice as long
	if _, err := e.client.Check(testCtx(t)); err == nil || e.fake.Logins() != 2 {
		t.Fatalf("after one more minute: err %v, logins %d; want still held off", err, e.fake.Logins())
	}
	if err := e.client.SetCredentials(Credentials{Login: loginUser}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.Check(testCtx(t)); err != nil {
		t.Fatalf("the right password, set on the live client: %v", err)
	}
}

// Concurrent first requests share one login.
func TestLoginOnceUnderConcurrency(t *testing.T) {
	e := newLoginEnv(t, fakenbu.Options{}, loginUser, "13.0")
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, err := e.client.Check(testCtx(t)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := e.fake.Logins(); n != 1 {
		t.Errorf("logins = %d, want 1", n)
	}
}

// A 401 to a token that has never worked is the account's problem (say, no permission on the
// endpoint): no login again, neither in this request nor in the next.
func TestLoginTokenThatNeverWorked(t *testing.T) {
	var logins atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/login") {
			logins.Add(1)
			writeJSON(w, http.StatusCreated, `{"token":"tok-never-works","tokenType":"BEARER","validity":3600}`)
			return
		}
		writeJSON(w, http.StatusUnauthorized, errorJSON(401, "no permission"))
	})
	c, _, _ := newTestClient(t, h, func(o *Options) { o.APIKey, o.Login = "", loginUser })
	for i := range 2 {
		tr := &Trace{}
		_, err := c.Check(ContextWithTrace(testCtx(t), tr))
		// The login's 201 is a request but not an answer to an authenticated one (nbu_up).
		if want := int64(2 - i); tr.Requests() != want || tr.Answered() != 0 {
			t.Errorf("check %d: trace %d requests, %d answered; want %d, 0", i, tr.Requests(), tr.Answered(), want)
		}
		if err == nil || !strings.Contains(err.Error(), "HTTP 401") || !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("err = %v", err)
		}
	}
	if n := logins.Load(); n != 1 {
		t.Errorf("logins = %d, want 1", n)
	}
}

// Waiting for another request's login honours the waiter's own context.
func TestLoginWaitHonoursContext(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/login") {
			once.Do(func() { close(entered) })
			<-release
			writeJSON(w, http.StatusCreated, `{"token":"tok-1-5e2c9a","tokenType":"BEARER","validity":3600}`)
			return
		}
		writeJSON(w, http.StatusOK, cursorPage(""))
	})
	c, _, _ := newTestClient(t, h, func(o *Options) { o.APIKey, o.Login = "", loginUser })
	first := make(chan error, 1)
	go func() {
		_, err := c.Check(testCtx(t))
		first <- err
	}()
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Check(ctx); err == nil || !strings.Contains(err.Error(), "waiting for a concurrent NetBackup login") {
		t.Errorf("err = %v, want it to stop waiting for the login", err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
}

// Whatever the server echoes, the password and the token stay out of errors.
func TestLoginSecretsScrubbed(t *testing.T) {
	const token = "tok-echoed-3b8e1a"
	var loginOK atomic.Bool
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/login") {
			if !loginOK.Load() {
				writeJSON(w, http.StatusUnauthorized, errorJSON(401, "bad password "+loginPassword, "you sent "+loginPassword))
				return
			}
			writeJSON(w, http.StatusCreated, `{"token":"`+token+`","tokenType":"BEARER","validity":3600}`)
			return
		}
		writeJSON(w, http.StatusInternalServerError, errorJSON(500, "you sent "+r.Header.Get("Authorization")))
	})
	c, _, _ := newTestClient(t, h, func(o *Options) { o.APIKey, o.Login = "", loginUser })
	_, err := c.Check(testCtx(t))
	if err == nil || !strings.Contains(err.Error(), "bad password <redacted>") {
		t.Fatalf("err = %v, want the echoed password redacted", err)
	}
	assertNoSecret(t, err.Error())
	loginOK.Store(true)
	// Other credentials end the hold-off of the refused login (the same ones would not).
	other := loginUser
	other.DomainName = "OTHER"
	if err := c.SetCredentials(Credentials{Login: other}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Check(testCtx(t))
	if err == nil || !strings.Contains(err.Error(), "you sent <redacted>") {
		t.Fatalf("err = %v, want the echoed token redacted", err)
	}
	assertNoSecret(t, err.Error(), token)
}

// A key swapped on a live client is used from the next request on; the detected version and the
// connections stay.
func TestSetCredentialsRotatesKey(t *testing.T) {
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{"old-key"}, Versions: []string{"12.0"}})
	c, rl := newCheckClient(t, fake, "auto", "old-key")
	if _, err := c.Check(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	fake.SetAPIKeys("new-key")
	if err := c.SetCredentials(Credentials{APIKey: "new-key"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Check(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	// One ladder (14.0, 13.0, 12.0) and two checks: rotating the key did not detect again.
	if got := rl.requests(); len(got) != 5 {
		t.Errorf("requests = %v, want 5", got)
	}
	for _, bad := range []Credentials{{APIKey: "k", Login: loginUser}, {Login: Login{Password: "p"}}, {APIKey: "a\nb"}} {
		if err := c.SetCredentials(bad); err == nil {
			t.Errorf("SetCredentials(%v) accepted", bad)
		}
	}
}

func TestPrintingHidesPassword(t *testing.T) {
	opts := Options{BaseURL: "https://nbu/netbackup", Login: loginUser}
	c, err := NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	cr := Credentials{Login: loginUser}
	for _, s := range []string{
		fmt.Sprintf("%v", opts), fmt.Sprintf("%+v", opts), fmt.Sprintf("%#v", opts),
		fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c),
		fmt.Sprintf("%v %+v %#v", cr, cr, cr), fmt.Sprintf("%+v", loginUser),
	} {
		assertNoSecret(t, s)
	}
}

// A login that runs out of its caller's time does not fail the requests that were waiting for it
// with the caller's deadline: one of them logs in itself.
func TestLoginLeaderDeadlineDoesNotFailWaiters(t *testing.T) {
	entered := make(chan struct{})
	var logins atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/login") {
			if logins.Add(1) == 1 {
				// The server notices a client going away only once the body has been read.
				_, _ = io.Copy(io.Discard, r.Body)
				close(entered)
				<-r.Context().Done() // the first login hangs until its caller gives up
				return
			}
			writeJSON(w, http.StatusCreated, `{"token":"tok-2-8d3f1b","tokenType":"BEARER","validity":3600}`)
			return
		}
		writeJSON(w, http.StatusOK, cursorPage(""))
	})
	c, _, _ := newTestClient(t, h, func(o *Options) { o.APIKey, o.Login = "", loginUser })
	ctx, cancel := context.WithCancel(testCtx(t))
	leader := make(chan error, 1)
	go func() {
		_, err := c.Check(ctx)
		leader <- err
	}()
	<-entered
	waiter := make(chan error, 1)
	go func() {
		_, err := c.Check(testCtx(t))
		waiter <- err
	}()
	cancel()
	if err := <-leader; !errors.Is(err, context.Canceled) {
		t.Errorf("leader: %v, want its own cancellation", err)
	}
	if err := <-waiter; err != nil {
		t.Errorf("waiter: %v, want it to log in itself", err)
	}
}
