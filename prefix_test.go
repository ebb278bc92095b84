package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
	"github.com/netbackup-exporter/netbackup_exporter/internal/web"
)

func withPaths(t *testing.T, externalURL, routePrefix string) appOption {
	paths, err := web.NewPaths(externalURL, routePrefix, defaultListenAddress)
	if err != nil {
		t.Fatal(err)
	}
	return func(p *testAppParams) { p.paths = paths }
}

var landingLinks = regexp.MustCompile(`(?:href|action)="([^"]*)"`)

// Behind a reverse proxy (--web.external-url, --web.route-prefix): every route is served under the
// prefix, every link of the landing page starts with the external URL's path and leads to a page
// the exporter serves there, and "/" is redirected to the prefix.
func TestLandingPageLinksUnderAPrefix(t *testing.T) {
	_, target := newFake(t, fakenbu.Options{}, nil)
	for _, tc := range []struct {
		name, external, prefix string
		served, links          string // the prefix the routes answer under, the links' start
	}{
		{"proxy keeps its path", "https://proxy.example.com/netbackup-exporter/", "", "/netbackup-exporter/", "/netbackup-exporter/"},
		{"proxy strips its path", "https://proxy.example.com/nbu", "/", "/", "/nbu/"},
		{"prefix only, no proxy", "", "/nbu", "/nbu/", "/nbu/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newTestApp(t, configYAML(moduleYAML("default", "api_key: "+testKey, "collectors: [storage]")), withPaths(t, tc.external, tc.prefix))
			if code, body := a.do(t, "GET", probeURL(tc.served+"probe", "default", target)); code != http.StatusOK || !strings.Contains(body, "\nprobe_success 1\n") {
				t.Fatalf("probe under %s: %d\n%s", tc.served, code, body)
			}
			code, page := a.do(t, "GET", tc.served)
			if code != http.StatusOK {
				t.Fatalf("landing page at %s: %d", tc.served, code)
			}
			links := landingLinks.FindAllStringSubmatch(page, -1)
			var sawLogs bool
			for _, m := range links {
				link := strings.ReplaceAll(m[1], "&amp;", "&")
				rest, ok := strings.CutPrefix(link, tc.links)
				if !ok || strings.Contains(link, "://") {
					t.Errorf("link %q does not start with %q", link, tc.links)
					continue
				}
				// What the exporter gets for that link, through the proxy.
				path := tc.served + rest
				if strings.HasPrefix(rest, "probe") || strings.HasPrefix(rest, "health") {
					path = tc.served + strings.Replace(rest, "nbu-primary.example.com", url.QueryEscape(target), 1)
				}
				sawLogs = sawLogs || strings.HasPrefix(rest, "logs?id=")
				if code, body := a.do(t, "GET", path); code == http.StatusNotFound || code >= 500 {
					t.Errorf("link %q (the exporter gets %q): %d %.200s", link, path, code, body)
				}
			}
			if len(links) < 6 || !sawLogs {
				t.Errorf("%d links, logs link %v, in the landing page:\n%s", len(links), sawLogs, page)
			}
			for _, route := range []string{"metrics", "config", "-/healthy", "-/ready", "logs?target=" + url.QueryEscape(target)} {
				if code, _ := a.do(t, "GET", tc.served+route); code != http.StatusOK {
					t.Errorf("GET %s%s: %d", tc.served, route, code)
				}
			}
			if tc.served == "/" {
				return
			}
			if code, _ := a.do(t, "GET", "/metrics"); code != http.StatusNotFound {
				t.Errorf("GET /metrics outside the prefix: %d, want 404", code)
			}
			r, w := newRecorder("GET", "/")
			a.mux.ServeHTTP(w, r)
			if w.Code != http.StatusFound || w.Header().Get("Location") != tc.served {
				t.Errorf("GET /: %d to %q, want a redirect to %s", w.Code, w.Header().Get("Location"), tc.served)
			}
		})
	}
}

// /logs?target=&module= is the newest probe of that target (with that module, or any), as
// blackbox_exporter's; the target may be given as /probe took it or as the landing page shows it.
func TestLogsByTargetAndModule(t *testing.T) {
	_, target := newFake(t, fakenbu.Options{}, nil)
	a := newTestApp(t, configYAML(
		moduleYAML("default", "api_key: "+testKey, "collectors: [storage]"),
		moduleYAML("badkey", "api_key: "+otherKey, "collectors: [storage]"),
	))
	probeFailureThenSuccesses(t, a, target, 2)
	canonical := a.history.List()[0].Target
	host := strings.TrimPrefix(strings.TrimSuffix(target, "/netbackup"), "http://")
	newestID := a.history.List()[0].ID
	_, newest := a.do(t, "GET", "/logs?id="+itoa(newestID))

	for _, tc := range []struct {
		query string
		code  int
		want  string // in the body
	}{
		{"target=" + url.QueryEscape(target) + "&module=badkey", http.StatusOK, "HTTP 401"},
		{"target=" + url.QueryEscape(canonical) + "&module=default", http.StatusOK, "\nprobe_success 1\n"},
		{"target=" + url.QueryEscape(target), http.StatusOK, newest},
		{"id=" + itoa(newestID) + "&target=" + url.QueryEscape(target), http.StatusBadRequest, "cannot both"},
		{"", http.StatusBadRequest, "is needed"},
		{"module=default", http.StatusBadRequest, "is needed"},
		{"id=" + itoa(newestID) + "&module=default", http.StatusBadRequest, "give target too"},
		{"target=" + url.QueryEscape(target) + "&module=other", http.StatusNotFound, "no probe"},
		{"target=" + url.QueryEscape("http://"+host+"/elsewhere/netbackup"), http.StatusNotFound, "no probe"},
		{"id=12345", http.StatusNotFound, "not found"},
	} {
		code, body := a.do(t, "GET", "/logs?"+tc.query)
		if code != tc.code || !strings.Contains(body, tc.want) {
			t.Errorf("/logs?%s: %d %.300q; want %d with %.100q", tc.query, code, body, tc.code, tc.want)
		}
		assertNoSecret(t, "/logs?"+tc.query, body)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// The flags reach the exporter: the answer budget on /metrics, the links from the external URL.
func TestRunAnswerAndRouteFlags(t *testing.T) {
	file := filepath.Join(t.TempDir(), "modules.yml")
	writeFile(t, file, configYAML(moduleYAML("default", "api_key: "+testKey, "collectors: [storage]")))
	base, _, _, _ := runExporter(t, "--config.file="+file, "--probe.max-answers-bytes=64MiB", "--web.answer-idle-timeout=2s",
		"--web.external-url=https://proxy.example.com/nbu", "--web.route-prefix=/")
	get := func(path string) string {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	metrics := get("/metrics")
	for _, want := range []string{"\nnetbackup_exporter_answer_budget_bytes 6.7108864e+07\n", "\nnetbackup_exporter_answer_budget_used_bytes 0\n",
		"\nnetbackup_exporter_answer_budget_refused_total 0\n", "\nnetbackup_exporter_answer_writes_cut_off_total 0\n"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", strings.TrimSpace(want))
		}
	}
	if page := get("/"); !strings.Contains(page, `href="/nbu/metrics"`) {
		t.Errorf("the landing page's links do not start with the external URL's path:\n%s", page)
	}
}

// Under a prefix, the exporter's own health and metrics are still served past --web.max-requests.
func TestLimitRequestsExemptsHealthUnderThePrefix(t *testing.T) {
	release := make(chan struct{})
	inside := make(chan struct{})
	h := limitRequests(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/nbu/probe" {
			inside <- struct{}{}
			<-release
		}
	}), 1, "/nbu/")
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/nbu/probe", nil))
	}()
	<-inside
	defer func() { close(release); <-done }()
	for path, want := range map[string]int{"/nbu/-/healthy": http.StatusOK, "/nbu/metrics": http.StatusOK, "/-/healthy": http.StatusServiceUnavailable} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.Code != want {
			t.Errorf("GET %s with the requests at the cap: %d, want %d", path, w.Code, want)
		}
	}
}
