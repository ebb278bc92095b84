package nbu

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// A refused login holds off every client with the same credentials at the same primary: a new
// client (a session made again after an eviction or a reload) and another spelling of the host
// (localhost for 127.0.0.1) send no second login during the hold-off; other credentials do.
func TestLoginHoldoffOutlivesTheClient(t *testing.T) {
	fake := fakenbu.New(fakenbu.Options{Users: []fakenbu.User{{Name: "monitor", Password: "the-right-password"}}})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	store := NewLoginHoldoffs(16)
	wrong := Login{UserName: "monitor", Password: "a-wrong-password"}
	check := func(base string, login Login) error {
		t.Helper()
		c, err := NewClient(Options{BaseURL: base, Login: login, APIVersion: "13.0", LoginHoldoffs: store})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_, err = c.Check(testCtx(t))
		return err
	}
	if err := check(srv.URL+"/netbackup", wrong); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("first login: %v, want it refused", err)
	}
	for _, base := range []string{
		srv.URL + "/netbackup",                     // a new session for the same target
		"http://127.0.0.1:" + port + "/netbackup/", // the same, spelled with a slash
		"http://LOCALHOST:" + port + "/netbackup",  // another name for it
		"http://localhost:" + port + "/netbackup",  // again, now known by its name too
	} {
		err := check(base, wrong)
		if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "not logging in again before") {
			t.Errorf("%s: %v, want the hold-off", base, err)
		}
	}
	if n := fake.Logins(); n != 1 {
		t.Errorf("logins = %d, want 1 during the hold-off", n)
	}
	if err := check(srv.URL+"/netbackup", Login{UserName: "monitor", Password: "the-right-password"}); err != nil {
		t.Errorf("other credentials: %v, want them to log in", err)
	}
	if n := fake.Logins(); n != 2 {
		t.Errorf("logins = %d, want 2", n)
	}
}

// The hold-off doubles while the same credentials keep being refused, up to the cap, and the store
// keeps at most its capacity.
func TestLoginHoldoffsDoubleAndAreBounded(t *testing.T) {
	h := NewLoginHoldoffs(2)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	key := h.at(h.digest(Login{UserName: "u", Password: "p-12345678"}), "nbu:1556")
	refusal := errors.New("refused")
	var waits []time.Duration
	for range 7 {
		held := h.refuse([]holdoffKey{key}, refusal, now)
		waits = append(waits, held.until.Sub(now))
		if _, ok := h.active(key, now.Add(held.wait-time.Second)); !ok {
			t.Fatal("not held off within the wait")
		}
		now = held.until
		if _, ok := h.active(key, now); ok {
			t.Fatal("still held off at the end of the wait")
		}
	}
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 30 * time.Minute, 30 * time.Minute}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits = %v, want %v", waits, want)
		}
	}
	for i := range 5 {
		h.refuse([]holdoffKey{h.at(key, strings.Repeat("x", i))}, refusal, now)
	}
	if n := h.lru.Len(); n != 2 {
		t.Errorf("Len = %d, want the capacity 2", n)
	}
	if h.digest(Login{UserName: "u", Password: "p"}) == NewLoginHoldoffs(1).digest(Login{UserName: "u", Password: "p"}) {
		t.Error("two stores key the same credentials alike: the hash is not salted")
	}
}

func TestLoginHoldoffsCapacityChanges(t *testing.T) {
	h := NewLoginHoldoffs(4)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	base := h.digest(Login{UserName: "u", Password: "p-12345678"})
	for i := range 4 {
		h.refuse([]holdoffKey{h.at(base, strings.Repeat("x", i))}, errors.New("refused"), now)
	}
	h.SetCapacity(2)
	if n := h.lru.Len(); n != 2 {
		t.Fatalf("Len = %d after lowering the capacity to 2", n)
	}
	if _, ok := h.active(h.at(base, "xxx"), now); !ok {
		t.Error("the most recent refusal was forgotten instead of the oldest")
	}
	h.SetCapacity(8)
	for i := range 8 {
		h.refuse([]holdoffKey{h.at(base, strings.Repeat("y", i))}, errors.New("refused"), now)
	}
	if n := h.lru.Len(); n != 8 {
		t.Errorf("Len = %d, want the raised capacity 8", n)
	}
}
