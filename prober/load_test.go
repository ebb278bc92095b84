package prober

import (
	"fmt"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-kit/log"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

func heapInuse() uint64 {
	runtime.GC()
	runtime.GC() // the first may leave finalizer-held objects for the second
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// 200 concurrent probes over 20 healthy primaries while another goroutine keeps swapping the live
// config between two equivalent loads, as reloads do: under -race, no race, every probe succeeds,
// and once the sessions are closed the heap and the goroutines are back where they started.
func TestLoadConcurrentProbesWithReloads(t *testing.T) {
	if testing.Short() {
		t.Skip("load test skipped in -short mode")
	}
	const targets, probes = 20, 200
	goroutinesBefore := takeGoroutines()
	var servers []*httptest.Server
	var listeners []*trackingListener
	for range targets {
		fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: func() time.Time { return fixtureNow }})
		fake.SetJobs(fixtureJobs())
		fake.SetStorageUnits(fixtureStorage())
		srv, tl := startTracked(t, fake)
		servers, listeners = append(servers, srv), append(listeners, tl)
	}
	closeServers := sync.OnceFunc(func() {
		for _, s := range servers {
			s.Close()
		}
		servers = nil // the fakes' data is no part of the exporter's heap
	})

	yml := func(comment string) string {
		return `# ` + comment + `
modules:
  default:
    timeout: 30s
    api_key: ` + testKey + `
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    jobs: {page_size: 3} # several pages per walk
  storageonly:
    timeout: 30s
    api_key: ` + testKey + `
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    collectors: [storage]
`
	}
	cfgs := [2]*config.Config{mustConfig(t, yml("load A")), mustConfig(t, yml("load B"))}

	var live atomic.Pointer[config.Config]
	live.Store(cfgs[0])
	m := NewExporterMetrics(prometheus.NewRegistry())
	sessions := NewSessions(time.Hour, m.ObserveRequest)
	h := &Handler{
		Config:   live.Load,
		Logger:   log.NewNopLogger(),
		Sessions: sessions,
		Metrics:  m,
		History:  NewHistory(10),
		Now:      func() time.Time { return fixtureNow },
	}
	heapBefore := heapInuse()

	// The reloader swaps the config pointer every millisecond for as long as probes run (a pace,
	// not a synchronisation); the probes start once it has swapped, so reloads fall among them.
	stop, started := make(chan struct{}), make(chan struct{})
	var swaps atomic.Int64
	reloaderDone := make(chan struct{})
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	go func() {
		defer close(reloaderDone)
		for i := 1; ; i++ {
			live.Store(cfgs[i%2])
			if swaps.Add(1) == 1 {
				close(started)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	<-started

	var wg sync.WaitGroup
	var failed atomic.Int64
	failures := make(chan string, probes)
	for i := range probes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			module := "default"
			if (i/targets)%4 == 3 { // every target gets both modules
				module = "storageonly"
			}
			r := httptest.NewRequest("GET", "/probe?"+probeQuery(module, servers[i%targets].URL), nil)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if body := w.Body.String(); w.Code != 200 || !strings.Contains(body, "probe_success 1") {
				if failed.Add(1) <= 3 {
					failures <- fmt.Sprintf("probe %d (%s, target %d): HTTP %d\n%s", i, module, i%targets, w.Code, body)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-reloaderDone
	close(failures)
	for f := range failures {
		t.Error(f)
	}
	if n := failed.Load(); n > 0 {
		t.Fatalf("%d of %d probes failed against healthy primaries", n, probes)
	}
	if swaps.Load() < 2 {
		t.Errorf("the config was swapped %d time(s) during the probes", swaps.Load())
	}
	// Equivalent configs share sessions (keyed by the module's fingerprint, not its pointer): a
	// reload that changes nothing must not start every target afresh.
	if n := sessions.Len(); n != 2*targets {
		t.Errorf("%d sessions for %d targets and 2 modules over two equivalent configs", n, targets)
	}

	// Closing the sessions closes the exporter's side of every connection, before any server goes.
	sessions.Close()
	for _, l := range listeners {
		l.waitClosed(t, 10*time.Second)
	}
	listeners = nil
	closeServers()
	checkNoLeaks(t, goroutinesBefore)
	heapAfter := heapInuse()
	if limit := 2*heapBefore + 8<<20; heapAfter > limit {
		t.Errorf("heap in use %d KiB after the load and Sessions.Close, was %d KiB before (limit %d KiB)",
			heapAfter>>10, heapBefore>>10, limit>>10)
	}
	t.Logf("%d probes, %d config swaps, heap in use %d KiB before, %d KiB after", probes, swaps.Load(), heapBefore>>10, heapAfter>>10)
}
