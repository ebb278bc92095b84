package prober

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/netbackup-exporter/netbackup_exporter/config"
)

// Keys for the fault suite. Each is distinctive, so finding it anywhere in the output means it
// leaked, and every fault server echoes the Authorization header it receives back into its
// answer (status line, error body, HTML page, Location...), as a proxy or a broken server may.
const (
	faultInlineKey = "inline-secret-key-4f1d8e0b93"
	faultFileKey   = "file-secret-key-7a2c5e9d11"
)

// faultDeadline is the probe's deadline in the fault suite, set through Prometheus's
// scrape-timeout header (the handler's timeout offset is 0). The faults that fail at once must
// show their own cause, not the deadline's, on a CI machine loaded under -race: the deadline is
// far above what they take; the faults that hang end on it, all at once, so the suite takes one.
const faultDeadline = 5 * time.Second

// rawServer is a TCP server for faults net/http would not produce: it hands each connection to
// serve, and Close closes the listener and every connection and waits for the goroutines.
type rawServer struct {
	tl    *trackingListener
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]bool
	once  sync.Once
}

func startRaw(t *testing.T, serve func(net.Conn)) *rawServer {
	t.Helper()
	s := &rawServer{tl: newTrackingListener(t), conns: map[net.Conn]bool{}}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := s.tl.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns[c] = true
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer func() {
					c.Close()
					s.mu.Lock()
					delete(s.conns, c)
					s.mu.Unlock()
				}()
				serve(c)
			}()
		}
	}()
	t.Cleanup(s.Close)
	return s
}

func (s *rawServer) URL() string { return "http://" + s.tl.Addr().String() }

func (s *rawServer) Close() {
	s.once.Do(func() {
		s.tl.Close()
		s.mu.Lock()
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
}

// resolverIsLocal reports whether a DNS lookup stays on this machine: every nameserver in
// /etc/resolv.conf is a loopback address (a local stub resolver answers the reserved .invalid
// domain without asking anyone, RFC 6761).
func resolverIsLocal() (bool, string) {
	b, err := os.ReadFile("/etc/resolv.conf")
	if err != nil {
		return false, "cannot read /etc/resolv.conf: " + err.Error()
	}
	var servers []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "nameserver" {
			servers = append(servers, f[1])
		}
	}
	for _, s := range servers {
		if ip := net.ParseIP(strings.Split(s, "%")[0]); ip == nil || !ip.IsLoopback() {
			return false, fmt.Sprintf("nameserver %s in /etc/resolv.conf is not on this machine: the lookup would leave it", s)
		}
	}
	return true, ""
}

// A fault is one way a NetBackup primary (or what answers in its name) can misbehave.
type fault struct {
	name string
	// deadline overrides faultDeadline: a fault that must end on a cap, not on the deadline, gets
	// one long enough for that under -race.
	deadline time.Duration
	// module, when set, is the only module the fault runs with.
	module string
	target string
	cause  []string // what the debug output must say
	skip   string
	closer func() // stops the server
	tl     *trackingListener
}

// startFaults starts one server per fault. seen records each Authorization value a server got.
func startFaults(t *testing.T, seen func(string)) []*fault {
	t.Helper()
	var faults []*fault
	httpFault := func(name string, cause []string, h http.HandlerFunc) *fault {
		srv, tl := startTracked(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen(r.Header.Get("Authorization"))
			h(w, r)
		}))
		f := &fault{name: name, target: srv.URL, cause: cause, closer: srv.Close, tl: tl}
		faults = append(faults, f)
		return f
	}
	rawFault := func(name string, cause []string, serve func(c net.Conn, r *http.Request)) {
		s := startRaw(t, func(c net.Conn) {
			br := bufio.NewReader(c)
			r, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			seen(r.Header.Get("Authorization"))
			serve(c, r)
		})
		faults = append(faults, &fault{name: name, target: s.URL(), cause: cause, closer: s.Close, tl: s.tl})
	}
	echoError := func(w http.ResponseWriter, r *http.Request, code int) {
		w.Header().Set("Content-Type", "application/vnd.netbackup+json;version=13.0")
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"errorCode":%d,"errorMessage":"request with key %s refused","errorDetails":["Authorization: %s"]}`,
			code, r.Header.Get("Authorization"), r.Header.Get("Authorization"))
	}

	rawFault("accepts and never answers", []string{"context deadline exceeded"}, func(c net.Conn, r *http.Request) {
		_, _ = io.Copy(io.Discard, c) // until the client hangs up
	})
	httpFault("drips bytes slowly", []string{"reading response: context deadline exceeded"}, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		_, _ = io.WriteString(w, `{"data":[`)
		w.(http.Flusher).Flush()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
				if _, err := io.WriteString(w, " "); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
		}
	})
	httpFault("429 with Retry-After past the deadline", []string{"HTTP 429", "server asked to retry in 1h0m0s, which is past the context deadline"},
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "3600")
			echoError(w, r, http.StatusTooManyRequests)
		})
	httpFault("5xx for ever", []string{"HTTP 503", "request with key <redacted> refused"}, func(w http.ResponseWriter, r *http.Request) {
		echoError(w, r, http.StatusServiceUnavailable)
	})
	httpFault("truncated JSON", []string{"truncated JSON"}, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.netbackup+json;version=13.0")
		fmt.Fprintf(w, `{"data":[{"id":"1","attributes":{"jobId":1,"policyName":"%s`, r.Header.Get("Authorization"))
	})
	httpFault("HTML page with status 200", []string{`HTTP 200 with content type \"text/html; charset=utf-8\", want JSON`}, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<html><body>Please log in. Your key %s has expired.</body></html>", r.Header.Get("Authorization"))
	})
	httpFault("body far larger than any page", []string{"response body exceeds 33554432 bytes"}, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.FormatInt(1<<40, 10))
		chunk := []byte(`{"data":[` + strings.Repeat(" ", 32<<10))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	streamed := httpFault("body far larger than any page, streamed", []string{"response body exceeds 33554432 bytes"}, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.(http.Flusher).Flush() // chunked: the size is known only by reading
		_, _ = io.WriteString(w, `{"data":[{"id":"1","attributes":{"policyName":"`)
		chunk := []byte(strings.Repeat("x", 32<<10))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	// Through the version check, which reads the body without decoding it: the cap is what ends
	// it. The decoder's path to the cap takes ten seconds under -race; the declared-length fault
	// above covers it here, and nbu's TestResponseBodyProblems with a small cap.
	streamed.deadline, streamed.module = 20*time.Second, "inline"
	rawFault("malformed status line echoing the key", []string{"malformed HTTP status code", "<redacted>"}, func(c net.Conn, r *http.Request) {
		fmt.Fprintf(c, "HTTP/1.1 %s OK\r\nContent-Length: 0\r\n\r\n", r.Header.Get("Authorization"))
	})
	httpFault("redirect carrying the key", []string{`redirect to host \"127.0.0.1:1\" not followed`}, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.1:1/netbackup?key="+r.Header.Get("Authorization"), http.StatusFound)
	})

	refused := newTrackingListener(t)
	refusedURL := "http://" + refused.Addr().String()
	refused.Close()
	faults = append(faults, &fault{name: "connection refused", target: refusedURL, cause: []string{"connection refused"}})

	nx := &fault{name: "name does not resolve", target: "https://nbu.invalid:1556", cause: []string{"lookup nbu.invalid", "no such host"}}
	if ok, why := resolverIsLocal(); !ok {
		nx.skip = why
	}
	// A name no resolver will even ask about (a label over 63 bytes): "does not resolve" on any
	// machine, without a packet leaving it.
	long := strings.Repeat("x", 64) + ".invalid"
	faults = append(faults, nx, &fault{name: "name no resolver will look up", target: "https://" + long + ":1556", cause: []string{"lookup " + long, "no such host"}})
	return faults
}

// TestFaultsEndByDeadlineAndKeepTheKeyHome drives every broken-server fault, for a module with an
// inline key (API version detected) and one with a key file (version pinned, collectors in
// parallel), with the exporter logging at debug level and debug=true output. Each probe must
// answer probe_success 0 by its deadline plus a margin, naming the cause; no key may appear in any
// log line, answer, exposition, /config, /metrics or the probe history; and once the sessions and
// servers are closed, no connection and no goroutine may be left.
func TestFaultsEndByDeadlineAndKeepTheKeyHome(t *testing.T) {
	before := takeGoroutines()

	cfg := faultModules(t)
	env := newSecEnv(t, cfg)

	var mu sync.Mutex
	keysSeen := map[string]bool{}
	var outputs []string
	faults := startFaults(t, func(key string) {
		mu.Lock()
		keysSeen[key] = true
		mu.Unlock()
	})

	// Every fault with every module at once, so the suite takes about one deadline whatever
	// -parallel is; each probe is asked twice in a row, for the debug answer and the plain
	// exposition. The answers are checked afterwards, one subtest each.
	type run struct {
		f        *fault
		module   string
		dbg, exp *httptest.ResponseRecorder
		err      error
		elapsed  time.Duration
		deadline time.Duration
		skip     string
	}
	var runs []*run
	var wg sync.WaitGroup
	for _, f := range faults {
		for _, module := range []string{"inline", "keyfile"} {
			r := &run{f: f, module: module, deadline: faultDeadline, skip: f.skip}
			runs = append(runs, r)
			if f.module != "" && f.module != module {
				r.skip = "runs with module " + f.module + " only"
			}
			if f.deadline > 0 {
				r.deadline = f.deadline
			}
			if r.skip != "" {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				header := http.Header{scrapeTimeoutHeader: {strconv.FormatFloat(r.deadline.Seconds(), 'f', -1, 64)}}
				q := probeQuery(module, f.target)
				start := time.Now()
				if r.dbg, r.err = env.try("debug=true&"+q, header, r.deadline+probeLimit); r.err != nil {
					return
				}
				r.elapsed = time.Since(start)
				r.exp, r.err = env.try(q, header, r.deadline+probeLimit)
			}()
		}
	}
	wg.Wait()
	for _, r := range runs {
		t.Run(r.f.name+"/"+r.module, func(t *testing.T) {
			if r.skip != "" {
				t.Skip(r.skip)
			}
			if r.err != nil {
				t.Fatal(r.err)
			}
			body := r.dbg.Body.String()
			outputs = append(outputs, body, r.exp.Body.String())
			if r.dbg.Code != http.StatusOK || r.exp.Code != http.StatusOK {
				t.Fatalf("status %d / %d, want 200 (a failed probe is still an answer):\n%s", r.dbg.Code, r.exp.Code, body)
			}
			if !strings.Contains(body, "probe_success 0") || !strings.Contains(r.exp.Body.String(), "probe_success 0") {
				t.Errorf("want probe_success 0:\n%s", body)
			}
			for _, c := range r.f.cause {
				if !strings.Contains(body, c) {
					t.Errorf("debug output does not name the cause %q:\n%s", c, body)
				}
			}
			t.Logf("answered in %v (deadline %v)", r.elapsed.Round(time.Millisecond), r.deadline)
		})
	}

	// The suite proves something only if the servers really were handed the keys.
	mu.Lock()
	seenInline, seenFile := keysSeen[faultInlineKey], keysSeen[faultFileKey]
	mu.Unlock()
	for key, seen := range map[string]bool{faultInlineKey: seenInline, faultFileKey: seenFile} {
		if !seen {
			t.Errorf("no fault server received key %q: the leak checks below would prove nothing", key[:10]+"...")
		}
	}
	shown, err := yaml.Marshal(env.cfg.Load())
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string]string{
		"exporter log":          env.logs.String(),
		"/probe answers":        strings.Join(outputs, "\n"),
		"/config":               string(shown),
		"/metrics":              env.exporterMetrics(t),
		"probe history (/logs)": env.history(),
	}
	for name, text := range sources {
		for _, key := range []string{faultInlineKey, faultFileKey} {
			if i := strings.Index(text, key); i >= 0 {
				t.Errorf("%s contains the API key: ...%s...", name, text[max(0, i-200):min(len(text), i+len(key)+50)])
			}
		}
	}
	if !strings.Contains(env.logs.String(), "level=debug") {
		t.Error("the exporter log has no debug lines: the check above did not cover debug logging")
	}

	// Nothing left open: the exporter closes its side of every connection once its sessions are
	// closed, before the servers go away.
	env.handler.Sessions.Close()
	for _, f := range faults {
		if f.tl != nil {
			f.tl.waitClosed(t, 10*time.Second)
		}
	}
	for _, f := range faults {
		if f.closer != nil {
			f.closer()
		}
	}
	checkNoLeaks(t, before)
}

// faultModules are the fault suite's two modules: one with an inline key (API version detected),
// one with a key file (version pinned).
func faultModules(t *testing.T) *config.Config {
	t.Helper()
	keyFile := filepath.Join(t.TempDir(), "api.key")
	if err := os.WriteFile(keyFile, []byte(faultFileKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return mustConfig(t, `
modules:
  inline:
    api_key: `+faultInlineKey+`
    allowed_targets: ["127.0.0.1", "*.invalid"]
    insecure_http: true
  keyfile:
    api_key_file: `+keyFile+`
    api_version: "13.0"
    allowed_targets: ["127.0.0.1", "*.invalid"]
    insecure_http: true
`)
}
