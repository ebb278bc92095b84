package prober

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// bigAnswerEnv is a fake primary whose storage units have long names (six series each, of a
// 256-byte label: an answer of some hundreds of kilobytes), and an exporter probing it whose first
// probe has run: its session knows what an answer weighs. It returns that weight.
func bigAnswerEnv(t *testing.T, units int) (env *testEnv, query string, weight int64) {
	t.Helper()
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: func() time.Time { return fixtureNow }})
	var stus []fakenbu.StorageUnit
	for i := range units {
		stus = append(stus, fakenbu.StorageUnit{Name: fmt.Sprintf("stu-%04d-%s", i, strings.Repeat("n", 300)), StorageType: "DISK",
			StorageServerType: "PureDisk", StorageCategory: "MSDP", TotalCapacityBytes: 100})
	}
	fake.SetStorageUnits(stus)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	cfg := mustConfig(t, boundsModule("storage", 100_000))
	env = newTestEnv(t, cfg)
	query = probeQuery("default", srv.URL+"/netbackup")
	if w := env.probe(t, query, nil); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "\nprobe_success 1\n") {
		t.Fatalf("first probe: %d\n%s", w.Code, env.logs)
	}
	target, err := ParseTarget(srv.URL + "/netbackup")
	if err != nil {
		t.Fatal(err)
	}
	weight = env.handler.Sessions.answerEstimate(cfg.Modules["default"], target)
	if weight < int64(units)*6*256 {
		t.Fatalf("the answer weighs %d bytes; the test wants %d units' series", weight, units)
	}
	return env, query, weight
}

// serveWithSmallBuffers serves h on loopback with small kernel send buffers, so that a client that
// does not read blocks the answer's writes after a few kilobytes rather than after the megabytes
// loopback would buffer. closed receives each connection the server closes.
func serveWithSmallBuffers(t *testing.T, h http.Handler) (addr string, closed <-chan struct{}) {
	t.Helper()
	ch := make(chan struct{}, 1024)
	ts := httptest.NewUnstartedServer(h)
	ts.Listener = smallBufferListener{ts.Listener}
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateClosed {
			ch <- struct{}{}
		}
	}
	ts.Start()
	t.Cleanup(ts.Close)
	return ts.Listener.Addr().String(), ch
}

type smallBufferListener struct{ net.Listener }

func (l smallBufferListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(4096)
	}
	return c, err
}

// nonReadingClient asks for a probe, as a scraper would, and never reads the answer.
func nonReadingClient(t *testing.T, addr, query string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.(*net.TCPConn).SetReadBuffer(4096)
	if _, err := fmt.Fprintf(c, "GET /probe?%s HTTP/1.1\r\nHost: exporter\r\n\r\n", query); err != nil {
		t.Fatal(err)
	}
	return c
}

// Clients that never read their answers hold at most the answer budget together, each is cut off
// once it has read nothing for the idle timeout, and the probes past the budget wait their turn.
func TestNonReadingClientsAreBoundedAndCutOff(t *testing.T) {
	env, query, weight := bigAnswerEnv(t, 400)
	b := NewAnswerBudget(2*(weight+answerShare) + answerShare/2) // room for two answers
	env.handler.Budget = b
	env.handler.AnswerIdleTimeout = 500 * time.Millisecond
	addr, closed := serveWithSmallBuffers(t, env.handler)

	const clients = 8
	for range clients {
		nonReadingClient(t, addr, query)
	}
	timeout := time.NewTimer(60 * time.Second)
	defer timeout.Stop()
	for i := range clients {
		select {
		case <-closed:
		case <-timeout.C:
			t.Fatalf("%d of %d non-reading clients cut off after 60s (cut off: %d, budget used %d)", i, clients, b.cutOff.Load(), b.used.Load())
		}
	}
	if got := b.cutOff.Load(); got != clients {
		t.Errorf("%d answers cut off for not being read, want %d", got, clients)
	}
	if b.peak.Load() > b.max || b.peak.Load() < 2*(weight+answerShare) {
		t.Errorf("answers in flight weighed %d at most; want the budget (%d) reached and never passed", b.peak.Load(), b.max)
	}
	if b.waits.Load() == 0 || b.refused.Load() != 0 {
		t.Errorf("%d probes waited and %d were refused: want the probes past the budget to wait their turn", b.waits.Load(), b.refused.Load())
	}
	if b.used.Load() != 0 {
		t.Errorf("%d bytes still held once every client is gone", b.used.Load())
	}
	if !strings.Contains(env.logs.String(), "the client stopped reading the answer") {
		t.Errorf("no log line for the clients cut off:\n%s", env.logs)
	}
}

// A probe that finds no room before its deadline is answered 503 with Retry-After; one that finds
// room before its deadline waits, and is answered in full.
func TestProbePastTheAnswerBudgetWaitsOrIsTurnedAway(t *testing.T) {
	env, query, weight := bigAnswerEnv(t, 400)
	b := NewAnswerBudget(weight + answerShare + answerShare/2) // room for one answer
	env.handler.Budget = b
	env.handler.AnswerIdleTimeout = time.Hour // the first client holds the budget until it goes
	addr, _ := serveWithSmallBuffers(t, env.handler)
	holder := nonReadingClient(t, addr, query)
	eventuallyTrue(t, "the non-reading client's answer holding the budget", func() bool { return b.used.Load() >= weight+answerShare })

	req, _ := http.NewRequest("GET", "http://"+addr+"/probe?"+query, nil)
	req.Header.Set(scrapeTimeoutHeader, "1") // a budget of 0.5 s
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "--probe.max-answers-bytes") {
		t.Fatalf("probe past the budget: %d %q (Retry-After %q), want 503", resp.StatusCode, body, resp.Header.Get("Retry-After"))
	}
	if b.refused.Load() != 1 {
		t.Errorf("refused %d, want 1", b.refused.Load())
	}

	type answer struct {
		code int
		body string
	}
	got := make(chan answer)
	go func() {
		resp, err := http.Get("http://" + addr + "/probe?" + query)
		if err != nil {
			t.Error(err)
			got <- answer{}
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		got <- answer{resp.StatusCode, string(body)}
	}()
	eventuallyTrue(t, "a probe waiting for room", func() bool { return b.waiting.Load() == 1 })
	holder.Close() // its answer's write fails: the room is given back
	a := <-got
	if a.code != http.StatusOK || !strings.Contains(a.body, "\nprobe_success 1\n") || strings.Count(a.body, "nbu_disk_capacity_bytes{") != 400 {
		t.Fatalf("the probe that waited: %d, %d bytes; want its whole answer", a.code, len(a.body))
	}
}
