package prober

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

const benchModulesYAML = `
modules:
  default:
    timeout: 5m
    api_key: ` + testKey + `
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    jobs: {lookback: 1h}
`

// BenchmarkAggregateJobs folds 100k decoded jobs into a target's job state.
func BenchmarkAggregateJobs(b *testing.B) {
	src := fakenbu.GenerateJobs(1, 100_000, time.Hour, fixtureNow)
	jobs := make([]nbu.Job, len(src))
	for i, j := range src {
		jobs[i] = nbu.Job{JobID: j.JobID, JobType: j.JobType, PolicyType: j.PolicyType, State: j.State, Status: j.Status,
			KilobytesTransferred: j.KilobytesTransferred, NumberOfFiles: j.NumberOfFiles,
			StartTime: j.StartTime, EndTime: j.EndTime, LastUpdateTime: j.LastUpdateTime}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		st := newJobsState(time.Hour, fixtureNow.Add(-2*time.Hour))
		since := windowStart(fixtureNow, time.Hour)
		for i := range jobs {
			st.add(&jobs[i], since)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(jobs)), "ns/job")
}

// BenchmarkProbe runs whole probes against the in-process fake primary. first: a new exporter
// (empty state) each time; steady: the same exporter again and again, nothing changed in between.
// Reports NetBackup requests per probe and the heap the probe needed above what the fake holds.
func BenchmarkProbe(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: func() time.Time { return fixtureNow }})
		fake.SetJobs(fakenbu.GenerateJobs(1, n, time.Hour, fixtureNow))
		fake.SetStorageUnits(fixtureStorage())
		srv := httptest.NewServer(fake)
		cfg := mustConfigB(b, benchModulesYAML)
		query := probeQuery("default", srv.URL+"/netbackup")
		for _, mode := range []string{"first", "steady"} {
			b.Run(fmt.Sprintf("jobs=%d/%s", n, mode), func(b *testing.B) {
				env := newBenchEnv(b, cfg)
				if mode == "steady" {
					env.mustProbe(b, query)
				}
				fake.ResetCounters()
				nbuWait.Store(0)
				peak := newHeapPeak()
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					if mode == "first" {
						b.StopTimer()
						env.handler.Sessions.Close()
						env = newBenchEnv(b, cfg)
						runtime.GC()
						peak.reset()
						b.StartTimer()
					}
					env.mustProbe(b, query)
				}
				b.StopTimer()
				b.ReportMetric(float64(fake.TotalRequests())/float64(b.N), "requests/probe")
				// Wall time less the time spent waiting for NetBackup's answers (to their headers;
				// the fake encodes a page before it sends them): what the exporter itself spent.
				waited := time.Duration(nbuWait.Load())
				b.ReportMetric(float64(b.Elapsed()-waited)/float64(b.N)/1e6, "exporter-ms/probe")
				b.ReportMetric(float64(peak.stop())/(1<<20), "peak-heap-MiB")
				env.handler.Sessions.Close()
			})
		}
		srv.Close()
	}
}

func mustConfigB(b *testing.B, yml string) *cfgT {
	b.Helper()
	c, err := parseConfig(yml)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// nbuWait adds up the time benchmark probes spent waiting for NetBackup.
var nbuWait atomic.Int64

func newBenchEnv(b *testing.B, cfg *cfgT) *testEnv {
	m := NewExporterMetrics(newTestRegistry())
	sessions := NewSessions(time.Hour, func(endpoint string, code int, d time.Duration) {
		nbuWait.Add(int64(d))
		m.ObserveRequest(endpoint, code, d)
	})
	h := &Handler{
		Config:   func() *cfgT { return cfg },
		Logger:   nopLogger{},
		Sessions: sessions,
		Metrics:  m,
		History:  NewHistory(10),
		Now:      func() time.Time { return fixtureNow },
	}
	return &testEnv{handler: h, metrics: m}
}

func (e *testEnv) mustProbe(b *testing.B, query string) {
	r := httptest.NewRequest("GET", "/probe?"+query, nil)
	w := httptest.NewRecorder()
	e.handler.ServeHTTP(w, r)
	if !strings.Contains(w.Body.String(), "probe_success 1") {
		b.Fatalf("probe failed:\n%s", w.Body)
	}
}

type nopLogger struct{}

func (nopLogger) Log(...any) error { return nil }

// heapPeak samples the live heap while a benchmark runs and reports the peak above the level at
// reset: what the probe itself needed, not what the in-process fake holds.
type heapPeak struct {
	mu         sync.Mutex
	base, peak uint64
	done       chan struct{}
	wg         sync.WaitGroup
}

func newHeapPeak() *heapPeak {
	h := &heapPeak{done: make(chan struct{})}
	h.reset()
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.done:
				return
			case <-t.C:
				metrics.Read(sample)
				v := sample[0].Value.Uint64()
				h.mu.Lock()
				if v > h.peak {
					h.peak = v
				}
				h.mu.Unlock()
			}
		}
	}()
	return h
}

func (h *heapPeak) reset() {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	h.mu.Lock()
	h.base, h.peak = sample[0].Value.Uint64(), sample[0].Value.Uint64()
	h.mu.Unlock()
}

func (h *heapPeak) stop() uint64 {
	close(h.done)
	h.wg.Wait()
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.peak - h.base
}

// steadyModulesYAML are the modules `make bench-scale` scrapes.
const steadyModulesYAML = `
modules:
  jobs:    {timeout: 10s, api_key: ` + testKey + `, allowed_targets: ["127.0.0.1"], insecure_http: true, collectors: [jobs]}
  storage: {timeout: 10s, api_key: ` + testKey + `, allowed_targets: ["127.0.0.1"], insecure_http: true, collectors: [storage]}
  devices: {timeout: 10s, api_key: ` + testKey + `, allowed_targets: ["127.0.0.1"], insecure_http: true, collectors: [disk_pools, tape, media_servers]}
  default: {timeout: 10s, api_key: ` + testKey + `, allowed_targets: ["127.0.0.1"], insecure_http: true, collectors: [jobs, storage]}
`

// prometheusAccept is what Prometheus 2 asks a target for.
var prometheusAccept = http.Header{
	"Accept":          {"application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"},
	"Accept-Encoding": {"gzip"},
}

// BenchmarkSteadyProbe is a steady probe of each of the modules `make bench-scale` scrapes, asked
// for as Prometheus asks (OpenMetrics, gzip), of a primary where jobs end between two probes (5
// every 15 s): what a probe costs the exporter and the in-process fake, per probe.
func BenchmarkSteadyProbe(b *testing.B) {
	c := newClock(fixtureNow)
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: c.Now})
	jobs := fakenbu.GenerateJobs(1, 500, time.Hour, fixtureNow)
	fake.SetJobs(jobs)
	fake.SetStorageUnits(fakenbu.DemoStorageUnits())
	fake.SetDevices()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	env := newBenchEnv(b, mustConfigB(b, steadyModulesYAML))
	env.handler.Now = c.Now
	defer env.handler.Sessions.Close()
	var next int64
	for _, j := range jobs {
		next = max(next, j.JobID+1)
	}
	modules := []string{"jobs", "storage", "devices", "default"}
	probeAll := func() {
		for _, m := range modules {
			r := httptest.NewRequest("GET", "/probe?"+probeQuery(m, srv.URL+"/netbackup"), nil)
			r.Header = prometheusAccept.Clone()
			w := httptest.NewRecorder()
			env.handler.ServeHTTP(w, r)
			if w.Code != http.StatusOK || w.Header().Get("Content-Encoding") != "gzip" {
				b.Fatalf("module %s: %d %v", m, w.Code, w.Header())
			}
		}
	}
	probeAll() // the first probes read the whole window
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		c.Advance(15 * time.Second)
		for range 5 {
			j := fakenbu.Job{JobID: next, JobType: "BACKUP", PolicyType: "STANDARD", PolicyName: fmt.Sprintf("policy-%d", next%7),
				ClientName: fmt.Sprintf("client-%d", next%50), State: "DONE", Status: next % 10 / 9, KilobytesTransferred: next,
				StartTime: c.Now().Add(-time.Minute), EndTime: c.Now(), LastUpdateTime: c.Now()}
			fake.UpsertJob(j)
			next++
		}
		b.StartTimer()
		probeAll()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(modules)), "µs/probe")
}
