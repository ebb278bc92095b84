package prober

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// requestLog classifies the requests a fake primary answers, so that a benchmark can say what
// each kind of request costs: a page of the walk that came back short is a request the ideal read
// (ceil(jobs/100) full pages) does not make.
type requestLog struct {
	mu    sync.Mutex
	kinds map[string]int
	// short: job pages of the walk that came back with fewer records than asked for.
	short, records int
}

func (l *requestLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &bodyRecorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		kind := strings.TrimPrefix(r.URL.Path, "/netbackup")
		q := r.URL.Query()
		n := bytes.Count(rec.body.Bytes(), []byte(`"type":"job"`))
		if kind == "/admin/jobs" {
			switch {
			case strings.HasPrefix(q.Get("sort"), "-"):
				kind += " (newest page)"
			case strings.Contains(q.Get("filter"), "state ne"):
				kind += " (unfinished)"
			default:
				kind += " (walk)"
			}
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		l.kinds[kind]++
		if strings.HasSuffix(kind, "(walk)") {
			l.records += n
			if n < 100 {
				l.short++
			}
		}
	})
}

func (l *requestLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var keys []string
	for k := range l.kinds {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%d ", k, l.kinds[k])
	}
	fmt.Fprintf(&b, "walk-records=%d short-walk-pages=%d", l.records, l.short)
	return b.String()
}

type bodyRecorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (w *bodyRecorder) Write(p []byte) (int, error) {
	w.body.Write(p)
	return w.ResponseWriter.Write(p)
}

// BenchmarkFirstRead is the first probe of 100k (and 10k) jobs against a master answering a page in the
// given latency, with max_concurrent_requests 8 and a 30s scrape: it reports the requests it sent
// against the ideal ceil(jobs/100), what kind they were (-v logs them), and how long it took.
func BenchmarkFirstRead(b *testing.B) {
	for _, c := range []struct {
		jobs int
		lat  time.Duration
	}{{100_000, 20 * time.Millisecond}, {100_000, 100 * time.Millisecond}, {10_000, 20 * time.Millisecond}, {10_000, 100 * time.Millisecond}} {
		jobs, lat := c.jobs, c.lat
		b.Run(fmt.Sprintf("jobs=%d/latency=%s", jobs, lat), func(b *testing.B) {
			fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: func() time.Time { return fixtureNow }, PageLatency: lat})
			fake.SetJobs(fakenbu.GenerateJobs(1, jobs, time.Hour, fixtureNow))
			log := &requestLog{kinds: map[string]int{}}
			srv := httptest.NewServer(log.wrap(fake))
			defer srv.Close()
			cfg := mustConfigB(b, fmt.Sprintf(`
modules:
  default:
    timeout: 30s
    api_key: %s
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    max_concurrent_requests: 8
    collectors: [jobs]
`, testKey))
			var took time.Duration
			for b.Loop() {
				env := newBenchEnv(b, cfg)
				fake.ResetCounters()
				log.kinds, log.short, log.records = map[string]int{}, 0, 0
				start := time.Now()
				r := httptest.NewRequest("GET", "/probe?"+probeQuery("default", srv.URL+"/netbackup"), nil)
				r.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "30")
				w := httptest.NewRecorder()
				env.handler.ServeHTTP(w, r)
				took = time.Since(start)
				if fams := parseExposition(b, w.Body.String()); sumFamily(fams, "nbu_jobs_backfill_complete", nil) != 1 {
					b.Fatalf("the first probe did not complete the window in %s", took)
				}
				env.handler.Sessions.Close()
			}
			ideal := math.Ceil(float64(jobs) / 100)
			b.Logf("%s", log)
			b.ReportMetric(float64(fake.TotalRequests()), "requests")
			b.ReportMetric(float64(fake.TotalRequests())-ideal, "extra-requests")
			b.ReportMetric(float64(log.short), "short-pages")
			b.ReportMetric(took.Seconds(), "probe-s")
		})
	}
}
