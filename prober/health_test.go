package prober

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

func health(env *testEnv, method, query string, header http.Header) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/health?"+query, nil)
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	env.handler.ServeHealth(w, r)
	return w
}

func TestHealth(t *testing.T) {
	fake, srv := newFake(t, fakenbu.Options{})
	good := srv.URL + "/netbackup"
	// A primary that accepts connections and never answers: the check must end by its deadline.
	hang := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hang.Close)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + closed.Addr().String() + "/netbackup"
	closed.Close()

	env := newTestEnv(t, mustConfig(t, testModulesYAML))
	short := http.Header{"X-Prometheus-Scrape-Timeout-Seconds": {"1"}}
	tests := []struct {
		name, method, query string
		header              http.Header
		wantCode            int
		wantBody            string
		asksNetBackup       bool
	}{
		{"up", "GET", probeQuery("default", good), nil, 200, `answered an authenticated request in `, true},
		{"up, version shown", "GET", probeQuery("default", good), nil, 200, `(API version 14.0, module "default")`, true},
		{"pinned version", "GET", probeQuery("pinned", good), nil, 200, `(API version 12.0, module "pinned")`, true},
		{"wrong key", "GET", probeQuery("badkey", good), nil, 503, "HTTP 401", true},
		{"down", "GET", probeQuery("default", down), nil, 503, "connection refused", false},
		{"hangs", "GET", probeQuery("default", hang.URL+"/netbackup"), short, 503, "timeout 500ms): checking that NetBackup answers: ", false},
		{"unknown module", "GET", probeQuery("nope", good), nil, 400, `unknown module "nope"`, false},
		{"missing target", "GET", "module=default", nil, 400, `parameter "target" is missing`, false},
		{"bad target", "GET", probeQuery("default", "ftp://127.0.0.1"), nil, 400, `scheme "ftp" not supported`, false},
		{"target not allowed", "GET", probeQuery("elsewhere", good), nil, 403, "allowed_targets", false},
		{"post", "POST", probeQuery("default", good), nil, 405, "method POST not allowed", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := fake.TotalRequests()
			w := health(env, tc.method, tc.query, tc.header)
			body := w.Body.String()
			if w.Code != tc.wantCode || !strings.Contains(body, tc.wantBody) {
				t.Errorf("got %d %q, want %d containing %q", w.Code, body, tc.wantCode, tc.wantBody)
			}
			if asked := fake.TotalRequests() > before; asked != tc.asksNetBackup {
				t.Errorf("asked the fake NetBackup: %v, want %v", asked, tc.asksNetBackup)
			}
			if strings.Contains(body, testKey) || strings.Contains(body, "wrong-key-wrong-key") {
				t.Errorf("answer holds an API key: %q", body)
			}
		})
	}
	if strings.Contains(env.logs.String(), testKey) || strings.Contains(env.logs.String(), "wrong-key-wrong-key") {
		t.Error("the log holds an API key")
	}
}

// The version is cached after the first check; every check still sends a request of its own.
func TestHealthAsksEveryTime(t *testing.T) {
	fake, srv := newFake(t, fakenbu.Options{})
	env := newTestEnv(t, mustConfig(t, testModulesYAML))
	q := probeQuery("pinned", srv.URL+"/netbackup")
	for i := 1; i <= 3; i++ {
		if w := health(env, "GET", q, nil); w.Code != 200 {
			t.Fatalf("check %d: %d %s", i, w.Code, w.Body)
		}
		if got := fake.Requests("/admin/jobs"); got != i {
			t.Errorf("after check %d NetBackup saw %d requests, want %d", i, got, i)
		}
	}
	// A primary that stops answering is reported at once, whatever was cached.
	srv.Close()
	if w := health(env, "GET", q, nil); w.Code != http.StatusServiceUnavailable {
		t.Errorf("check after the primary went away: %d %s", w.Code, w.Body)
	}
}
