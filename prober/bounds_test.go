package prober

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// boundsModule is one module against the test's fake, with a small series cap.
func boundsModule(collectors string, maxSeries int) string {
	return fmt.Sprintf(`
modules:
  default:
    timeout: 10s
    api_key: %s
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    collectors: [%s]
    max_series: %d
`, testKey, collectors, maxSeries)
}

// Distinct target paths on one live primary cost at most --probe.max-sessions sessions, and the
// sessions that go close their connections: the fds held stay bounded.
func TestSessionsAreCappedAndCloseTheirConnections(t *testing.T) {
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: func() time.Time { return fixtureNow }})
	fake.SetStorageUnits(fixtureStorage())
	ln := newTrackingListener(t)
	// The fake serves /netbackup; a reverse proxy in front of it would serve each prefix.
	strip := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if i := strings.Index(r.URL.Path, "/netbackup"); i > 0 {
			r.URL.Path = r.URL.Path[i:]
		}
		fake.ServeHTTP(w, r)
	})
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: strip}}
	srv.Start()
	t.Cleanup(srv.Close)
	const maxSessions, paths = 20, 200
	var apiPaths []string
	for i := range paths {
		apiPaths = append(apiPaths, fmt.Sprintf("/x%d/netbackup", i))
	}
	// A module that lists that many prefixes is the worst case the cap must hold.
	env := newTestEnv(t, mustConfig(t, boundsModule("storage", 1000)+"    api_paths: ["+strings.Join(apiPaths, ", ")+"]\n"))
	env.handler.Sessions.SetMax(maxSessions)
	var full uint64 // the heap once the store is full
	for i := range paths {
		w := env.probe(t, probeQuery("default", fmt.Sprintf("%s/x%d/netbackup", srv.URL, i)), nil)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "probe_success 1") {
			t.Fatalf("probe %d: %d %s", i, w.Code, w.Body)
		}
		if i == maxSessions-1 {
			full = heapAfterGC()
		}
	}
	// Ten times as many paths again cost no more heap than a few sessions' worth (each session,
	// with its client and transport, is some 100 KiB: uncapped, the 180 more would be 18 MiB).
	if grown := int64(heapAfterGC()) - int64(full); grown > 4<<20 {
		t.Errorf("the heap grew by %d KiB past a full store", grown>>10)
	}
	if n := env.handler.Sessions.Len(); n != maxSessions {
		t.Errorf("%d sessions kept, want the cap %d", n, maxSessions)
	}
	if got := counterValue(t, env.handler.Sessions, "netbackup_exporter_session_evictions_total", "capacity"); got != paths-maxSessions {
		t.Errorf("%v evictions for capacity, want %d", got, paths-maxSessions)
	}
	// Each kept session holds at most its pool of idle connections (max_concurrent_requests).
	ln.waitFor(t, "connections of evicted sessions closed", 10*time.Second, func() bool { return ln.open <= maxSessions*4 })

	// A path below the API base is not another primary, nor is a prefix the module does not list.
	if w := env.probe(t, probeQuery("default", srv.URL+"/netbackup/x1"), nil); w.Code != http.StatusBadRequest {
		t.Errorf("a path below the API base: %d, want 400", w.Code)
	}
	accepted := ln.acceptedBefore(t) + 1 // the sentinel itself
	if w := env.probe(t, probeQuery("default", srv.URL+"/other/netbackup"), nil); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "api_paths") {
		t.Errorf("a prefix outside api_paths: %d %s, want 403", w.Code, w.Body)
	}
	if n := ln.acceptedBefore(t); n != accepted {
		t.Errorf("%d connections for a refused path", n-accepted)
	}
}

// A primary with more label values than max_series costs a bounded answer, says what it cut, and
// the history keeps the metrics of its newest probes only.
func TestSeriesCapBoundsTheAnswer(t *testing.T) {
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: func() time.Time { return fixtureNow }})
	var units []fakenbu.StorageUnit
	for i := range 700 {
		units = append(units, fakenbu.StorageUnit{Name: fmt.Sprintf("stu-%05d", i), StorageType: "DISK", StorageServerType: "PureDisk",
			StorageCategory: "MSDP", TotalCapacityBytes: 100, FreeCapacityBytes: 50, UsedCapacityBytes: 50})
	}
	fake.SetStorageUnits(units)
	var jobs []fakenbu.Job
	for i := range 700 {
		j := finished(int64(i+1), fixtureNow.Add(-time.Minute), 0)
		j.JobType = fmt.Sprintf("TYPE_%05d", i)
		jobs = append(jobs, j)
	}
	fake.SetJobs(jobs)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	const maxSeries = 200
	env := newTestEnv(t, mustConfig(t, boundsModule("jobs, storage", maxSeries)))
	var ids []int64
	for range keptRenders + 2 {
		w := env.probe(t, probeQuery("default", srv.URL+"/netbackup"), nil)
		fams := parseExposition(t, w.Body.String())
		series := 0
		for name, mf := range fams {
			if strings.HasPrefix(name, "nbu_disk") || strings.HasPrefix(name, "nbu_storage") || strings.HasPrefix(name, "nbu_jobs_") {
				series += len(mf.GetMetric())
			}
		}
		if series > 2*maxSeries+20 {
			t.Fatalf("%d series in the answer, want at most max_series per collector", series)
		}
		for _, c := range []string{"jobs", "storage"} {
			if v := gaugeValue(fams, "nbu_series_dropped", "collector", c); v <= 0 {
				t.Errorf("nbu_series_dropped{collector=%q} = %v, want the series left out", c, v)
			}
		}
		ids = append(ids, env.handler.History.List()[0].ID)
	}
	old, ok := env.handler.History.Get(ids[0])
	if !ok || !strings.Contains(old.DebugOutput, "no longer kept") {
		t.Error("the history still holds the metrics of an old probe")
	}
	recent, _ := env.handler.History.Get(ids[len(ids)-1])
	if !strings.Contains(recent.DebugOutput, "nbu_series_dropped") {
		t.Error("the newest probe's metrics are not in the history")
	}
}

// Label values are cut, and the module's key never reaches a label or the log, whatever the
// primary copies into its names.
func TestLabelValuesCutAndScrubbed(t *testing.T) {
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: func() time.Time { return fixtureNow }})
	huge := strings.Repeat("x", 1<<20)
	fake.SetStorageUnits([]fakenbu.StorageUnit{
		{Name: "stu-" + testKey, StorageType: "DISK", StorageServerType: "PureDisk", StorageCategory: "MSDP", TotalCapacityBytes: 1},
		{Name: huge, StorageType: "DISK", StorageServerType: "PureDisk", StorageCategory: "MSDP", TotalCapacityBytes: 1},
	})
	j1, j2, j3 := finished(1, fixtureNow.Add(-time.Minute), 0), finished(2, fixtureNow.Add(-time.Minute), 0), finished(3, fixtureNow.Add(-time.Minute), 0)
	// j3's type has the key across the 256 bytes a label value keeps: cut first, a piece of it
	// would pass the scrub.
	j1.JobType, j2.JobType, j3.JobType = "T-"+testKey, huge, strings.Repeat("s", maxLabelValueBytes-len(testKey)/2)+testKey
	fake.SetJobs([]fakenbu.Job{j1, j2, j3})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	env := newTestEnv(t, mustConfig(t, boundsModule("jobs, storage", 1000)))
	w := env.probe(t, probeQuery("default", srv.URL+"/netbackup")+"&debug=true", nil)
	body := w.Body.String()
	if strings.Contains(body, testKey) || strings.Contains(env.logs.String(), testKey) || strings.Contains(body, testKey[:len(testKey)/2]) {
		t.Error("the API key, or a piece of it, reached the answer or the log")
	}
	if !strings.Contains(body, "stu-<redacted>") || !strings.Contains(body, "T-<redacted>") {
		t.Errorf("scrubbed names missing from the answer")
	}
	if len(body) > 256<<10 {
		t.Errorf("answer of %d bytes for two 1 MB names", len(body))
	}
	plain := parseExposition(t, env.probe(t, probeQuery("default", srv.URL+"/netbackup"), nil).Body.String())
	for _, c := range []string{"jobs", "storage"} {
		if v := gaugeValue(plain, "nbu_label_values_truncated", "collector", c); v < 1 {
			t.Errorf("nbu_label_values_truncated{collector=%q} = %v, want the cut counted", c, v)
		}
	}
}

func gaugeValue(fams map[string]*dtoFamily, name, label, value string) float64 {
	return sumFamily(fams, name, map[string]string{label: value})
}

// counterValue reads one series of a collector's family.
func counterValue(t *testing.T, c prometheus.Collector, name, reason string) float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetValue() == reason {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return -1
}

// Impossible byte counts never make a gauge negative nor a counter go down, nor do many jobs of
// the largest size a job may have.
func TestImpossibleCountsKeepCountersMonotonic(t *testing.T) {
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: func() time.Time { return fixtureNow }})
	env := newTestEnv(t, mustConfig(t, boundsModule("jobs", 1_000_000)))
	now := fixtureNow
	env.handler.Now = func() time.Time { return now }
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	query := probeQuery("default", srv.URL+"/netbackup")
	env.probe(t, query, nil) // from now on the counters count what finishes
	const maxKB = (1 << 53) / 1024
	rounds := [][]int64{{-1 << 40}, {1e16}, {10}, {-5}, slices.Repeat([]int64{maxKB}, 1100)}
	var jobs []fakenbu.Job
	last := 0.0
	for _, kbs := range rounds {
		for _, kb := range kbs {
			j := finished(int64(len(jobs)+1), now.Add(time.Duration(len(jobs)%50+1)*time.Millisecond), 0)
			j.KilobytesTransferred = kb
			jobs = append(jobs, j)
		}
		fake.SetJobs(jobs)
		now = now.Add(time.Minute)
		fams := parseExposition(t, env.probe(t, query, nil).Body.String())
		total := sumFamily(fams, "nbu_jobs_transferred_bytes_total", nil)
		if window := sumFamily(fams, "nbu_jobs_bytes", nil); window < 0 || total < last {
			t.Errorf("after %d jobs of %d KB: window bytes %v, total %v (was %v)", len(kbs), kbs[0], window, total, last)
		}
		last = total
	}
	if last < 1e18 {
		t.Errorf("total %v: the jobs of the largest size were not counted", last)
	}
}

// A primary that pages with long cursors, more pages than the probe's log can hold, costs a
// bounded debug answer and history entry. It stops paging after twice what overflows the log, so
// that the log is always truncated however slow the machine, and the probe ends without a deadline.
func TestEndlessCursorsCostABoundedLog(t *testing.T) {
	const cursorBytes = 4000 // just under the 4 KiB a cursor may have
	const pages = 2*maxProbeLogBytes/cursorBytes + 10
	var page atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.netbackup+json;version=14.0")
		p := page.Add(1)
		if p > pages {
			fmt.Fprint(w, `{"data":[],"meta":{"pagination":{}}}`)
			return
		}
		fmt.Fprintf(w, `{"data":[],"meta":{"pagination":{"next":"%04d%s"}}}`, p, strings.Repeat("c", cursorBytes))
	}))
	t.Cleanup(srv.Close)
	env := newTestEnv(t, mustConfig(t, boundsModule("jobs", 1000)))
	w := env.probe(t, probeQuery("default", srv.URL+"/netbackup")+"&debug=true", http.Header{"X-Prometheus-Scrape-Timeout-Seconds": {"120"}})
	body := w.Body.String()
	if len(body) > maxProbeLogBytes+256<<10 {
		t.Errorf("debug answer of %d bytes after %d pages", len(body), page.Load())
	}
	if !strings.Contains(body, "log truncated") {
		t.Errorf("%d pages logged in %d bytes without saying the log was truncated", page.Load(), len(body))
	}
	last := env.handler.History.List()[0]
	if got, _ := env.handler.History.Get(last.ID); len(got.DebugOutput) > maxHistoryLogBytes+256<<10 {
		t.Errorf("history entry of %d bytes", len(got.DebugOutput))
	}
}

// A probe's answer is bounded in bytes: a collector whose series would pass the bound is left out
// (and fails), the others are answered.
func TestAnswerSizeIsCapped(t *testing.T) {
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: func() time.Time { return fixtureNow }})
	var units []fakenbu.StorageUnit
	for i := range 400 {
		units = append(units, fakenbu.StorageUnit{Name: fmt.Sprintf("stu-%03d-%s", i, strings.Repeat("n", 200)), StorageType: "DISK",
			StorageServerType: "PureDisk", StorageCategory: "MSDP", TotalCapacityBytes: 100})
	}
	fake.SetStorageUnits(units)
	fake.SetJobs(fixtureJobs())
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	env := newTestEnv(t, mustConfig(t, boundsModule("jobs, storage", 100_000)))
	env.handler.MaxAnswerBytes = 64 << 10
	w := env.probe(t, probeQuery("default", srv.URL+"/netbackup"), nil)
	if int64(w.Body.Len()) > 2*env.handler.MaxAnswerBytes {
		t.Errorf("answer of %d bytes, bound %d", len(w.Body.String()), env.handler.MaxAnswerBytes)
	}
	fams := parseExposition(t, w.Body.String())
	if gaugeValue(fams, "nbu_collector_success", "collector", "storage") != 0 || gaugeValue(fams, "nbu_series_dropped", "collector", "storage") < 400 {
		t.Errorf("storage: success %v, dropped %v; want it left out and counted",
			gaugeValue(fams, "nbu_collector_success", "collector", "storage"), gaugeValue(fams, "nbu_series_dropped", "collector", "storage"))
	}
	if fams["nbu_jobs_count"] == nil || fams["nbu_disk_bytes"] != nil {
		t.Error("want the jobs series in the answer and no storage series")
	}
}

func heapAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
