package nbu

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// Clients sharing a budget never hold more connections open than it allows: a client that needs
// one closes the idle connections of the least recently used, and every request is answered.
func TestConnBudgetClosesIdleConnectionsOfOthers(t *testing.T) {
	fake := fakenbu.New(fakenbu.Options{})
	fake.SetStorageUnits(fakenbu.DemoStorageUnits())
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	budget := NewConnBudget(3)
	var clients []*Client
	for range 10 {
		c, err := NewClient(Options{BaseURL: srv.URL + "/netbackup", APIKey: fakenbu.DefaultAPIKey, APIVersion: "13.0", Conns: budget})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		clients = append(clients, c)
	}
	for round := range 3 {
		for i, c := range clients {
			if _, err := c.StorageUnits(testCtx(t), 0); err != nil {
				t.Fatalf("round %d, client %d: %v", round, i, err)
			}
			budget.mu.Lock()
			listed := budget.lru.Len()
			budget.mu.Unlock()
			if n := len(budget.slots); n > cap(budget.slots) || listed > cap(budget.slots) {
				t.Fatalf("%d connections open and %d clients listed, budget %d", n, listed, cap(budget.slots))
			}
		}
	}
	// A steady client reuses its connection: ten more calls, no new one.
	c := clients[9]
	open := len(budget.slots)
	for range 10 {
		if _, err := c.StorageUnits(testCtx(t), 0); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(budget.slots); n != open {
		t.Errorf("open connections went from %d to %d for one client's steady calls", open, n)
	}
	for _, c := range clients {
		c.Close()
	}
	if n := len(budget.slots); n != 0 {
		t.Errorf("%d connections open after every client closed", n)
	}
	budget.mu.Lock()
	defer budget.mu.Unlock()
	if n := budget.lru.Len(); n != 0 {
		t.Errorf("the budget still lists %d clients after they closed", n)
	}
}

// When every connection of the budget is in use, a new one waits for one to close, within its
// request's deadline, instead of failing at once (or with "too many open files").
func TestConnBudgetWaitsWhenAllInUse(t *testing.T) {
	release := make(chan struct{})
	var entered sync.WaitGroup
	entered.Add(2)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("slow") != "" {
			entered.Done()
			<-release
		}
		writeJSON(w, http.StatusOK, cursorPage(""))
	})
	srv := httptest.NewUnstartedServer(h)
	var mu sync.Mutex
	conns := 0
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			mu.Lock()
			conns++
			mu.Unlock()
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	budget := NewConnBudget(2)
	c, err := NewClient(Options{BaseURL: srv.URL + "/netbackup", APIKey: testKey, APIVersion: "13.0", Conns: budget, MaxConcurrentRequests: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	get := func(ctx context.Context, slow string) error {
		return c.call(ctx, jobsEndpoint, map[string][]string{"slow": {slow}}, func(io.Reader) error { return nil })
	}
	done := make(chan error, 2)
	for range 2 {
		go func() { done <- get(testCtx(t), "1") }()
	}
	entered.Wait()
	ctx, cancel := context.WithTimeout(testCtx(t), 200*time.Millisecond)
	defer cancel()
	if err := get(ctx, ""); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("third request: %v, want it to wait for a connection until its deadline", err)
	}
	mu.Lock()
	if conns != 2 {
		t.Errorf("the server saw %d connections while two were in use, want 2", conns)
	}
	mu.Unlock()
	third := make(chan error, 2)
	go func() { third <- get(testCtx(t), "") }()
	// Another client of the budget: the connections freed are the first client's, idle.
	other, err := NewClient(Options{BaseURL: srv.URL + "/netbackup", APIKey: testKey, APIVersion: "13.0", Conns: budget})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Close)
	go func() {
		third <- other.call(testCtx(t), jobsEndpoint, nil, func(io.Reader) error { return nil })
	}()
	close(release)
	for range 2 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	for range 2 {
		if err := <-third; err != nil {
			t.Errorf("request after the connections freed: %v", err)
		}
	}
	if n := len(budget.slots); n > 2 {
		t.Errorf("%d connections open, budget 2", n)
	}
}
