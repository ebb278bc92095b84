package prober

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

func TestPlanShards(t *testing.T) {
	now := fixtureNow
	hourAgo := now.Add(-time.Hour)
	tail := []timeRange{{lo: hourAgo}}
	tests := []struct {
		name        string
		ranges      []timeRange
		pace        readPace
		budget      time.Duration
		maxShards   int
		wantReaders int
	}{
		{"pace unknown: as given", tail, readPace{}, 30 * time.Second, 8, 1},
		{"small master: one shard", tail, readPace{updatesPerSecond: 0.01, pageLatency: 100 * time.Millisecond}, 30 * time.Second, 8, 1},
		// 100k updates an hour, 100 a page, 100ms a page: 100 s of pages, 70% of 30 s -> 5.
		{"busy master: enough shards", tail, readPace{updatesPerSecond: 100_000.0 / 3600, pageLatency: 100 * time.Millisecond}, 30 * time.Second, 8, 5},
		{"capped", tail, readPace{updatesPerSecond: 100_000.0 / 3600, pageLatency: time.Second}, 30 * time.Second, 8, 8},
		{"cap 1: no split", tail, readPace{updatesPerSecond: 100_000.0 / 3600, pageLatency: time.Second}, 30 * time.Second, 1, 1},
		{"pending ranges kept apart", []timeRange{{hourAgo, hourAgo.Add(time.Minute)}, {lo: now.Add(-time.Second)}},
			readPace{updatesPerSecond: 1, pageLatency: time.Millisecond}, 30 * time.Second, 8, 1},
		{"pending ranges split too", []timeRange{{hourAgo, hourAgo.Add(30 * time.Minute)}, {lo: now.Add(-30 * time.Minute)}},
			readPace{updatesPerSecond: 100_000.0 / 3600, pageLatency: 100 * time.Millisecond}, 30 * time.Second, 8, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			readers, got := planShards(tc.ranges, now, tc.pace, 100, tc.budget, tc.maxShards)
			if readers != tc.wantReaders {
				t.Fatalf("%d readers, want %d", readers, tc.wantReaders)
			}
			if wantSlices := max(len(tc.ranges), readers*slicesPerWorker); readers > 1 && len(got) != wantSlices || readers == 1 && len(got) != len(tc.ranges) {
				t.Errorf("%d slices for %d readers and %d ranges", len(got), readers, len(tc.ranges))
			}
			// The shards tile the ranges: no gap, no overlap, and only the last one is open.
			for i, s := range got {
				if s.open() != (i == len(got)-1 && tc.ranges[len(tc.ranges)-1].open()) {
					t.Errorf("shard %d open = %v", i, s.open())
				}
				if i > 0 && got[i-1].hi.After(s.lo) {
					t.Errorf("shards %d and %d overlap", i-1, i)
				}
			}
		})
	}
}

// Jobs updated exactly on a shard boundary belong to the shard that starts there: each job is read
// once, none is lost.
func TestShardBoundariesReadEachJobOnce(t *testing.T) {
	lo := fixtureNow.Add(-time.Hour)
	shards := splitRange(timeRange{lo: lo}, fixtureNow, 6)
	var jobs []fakenbu.Job
	id := int64(1)
	for _, s := range shards {
		for _, at := range []time.Time{s.lo, s.lo.Add(time.Millisecond), s.lo.Add(-time.Millisecond)} {
			if at.Before(lo) {
				continue
			}
			jobs = append(jobs, finished(id, at, 0))
			id++
		}
	}
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: func() time.Time { return fixtureNow }})
	fake.SetJobs(jobs)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	client, err := nbu.NewClient(nbu.Options{BaseURL: srv.URL + "/netbackup", APIKey: testKey, APIVersion: "14.0", MaxConcurrentRequests: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	seen := map[int64]int{}
	results := readShards(t.Context(), client, shards, 3, 2, 0, fixtureNow, 0, func(j *nbu.Job) { seen[j.JobID]++ })
	for _, r := range results {
		if !r.done || r.err != nil {
			t.Fatalf("shard %v: done %v err %v", r.rng, r.done, r.err)
		}
	}
	for _, j := range jobs {
		if seen[j.JobID] != 1 {
			t.Errorf("job %d updated at %s read %d times", j.JobID, j.LastUpdateTime.Format(time.RFC3339Nano), seen[j.JobID])
		}
	}
}

// The window starts at a minute boundary and includes a job ending exactly on it.
func TestWindowBoundaryIsInclusive(t *testing.T) {
	since := windowStart(fixtureNow, time.Hour)
	e := newIncEnv(t, []fakenbu.Job{finished(1, since, 0), finished(2, since.Add(-time.Millisecond), 0), finished(3, fixtureNow, 0)})
	fams := e.scrape(t, e.exporter(t))
	if got := sumFamily(fams, "nbu_jobs_count", nil); got != 2 {
		t.Errorf("jobs in window = %v, want 2 (ending at %s and now)", got, since.Format(time.RFC3339))
	}
}

// With one request at a time and a slow master, the backfill takes several probes, each ending by
// its deadline; the master changes meanwhile; at the end the counts are exact.
func TestBackfillResumesAcrossProbes(t *testing.T) {
	c := newClock(fixtureNow)
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: c.Now, PageLatency: 20 * time.Millisecond})
	fake.SetJobs(fakenbu.GenerateJobs(5, 600, time.Hour, fixtureNow))
	srv := httptest.NewServer(fake)
	defer srv.Close()
	cfg := mustConfig(t, `
modules:
  spare:
    timeout: 30s
    api_key: `+testKey+`
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    max_concurrent_requests: 1
    collectors: [jobs]
    jobs: {lookback: 1h, page_size: 10}
  fresh:
    timeout: 60s
    api_key: `+testKey+`
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    max_concurrent_requests: 8
    collectors: [jobs]
    jobs: {lookback: 1h, page_size: 100}
`)
	env := newTestEnv(t, cfg)
	env.handler.Now = c.Now
	short := http.Header{"X-Prometheus-Scrape-Timeout-Seconds": {"1"}}

	counted := map[int64]bool{} // jobs that finish while the exporter follows the master
	var probes int
	var lastProgress float64
	for probes = 1; probes <= 60; probes++ {
		fams := parseExposition(t, env.probe(t, probeQuery("spare", srv.URL+"/netbackup"), short).Body.String())
		complete := sumFamily(fams, "nbu_jobs_backfill_complete", nil) == 1
		progress := sumFamily(fams, "nbu_jobs_updates_read_until_timestamp_seconds", nil)
		if progress < lastProgress {
			t.Errorf("probe %d: progress went back from %v to %v", probes, lastProgress, progress)
		}
		lastProgress = progress
		if complete {
			if sumFamily(fams, "probe_success", nil) != 1 {
				t.Errorf("probe %d: complete but probe_success != 1", probes)
			}
			break
		}
		if _, ok := fams["nbu_jobs_count"]; ok {
			t.Errorf("probe %d: window gauges reported before the window is complete", probes)
		}
		if sumFamily(fams, "probe_success", nil) != 0 {
			t.Errorf("probe %d: an incomplete backfill is not a successful probe", probes)
		}
		// The master changes while the backfill runs: jobs finish, old ones are touched.
		c.Advance(20 * time.Second)
		now := c.Now()
		id := int64(10_000 + probes)
		fake.UpsertJob(finished(id, now, 0))
		counted[id] = true
		old := fake.Jobs()[probes]
		old.LastUpdateTime = now
		fake.UpsertJob(old)
	}
	t.Logf("backfill completed in %d probes", probes)
	if probes < 3 {
		t.Fatalf("backfill finished in %d probes: the test needs a slower master to exercise resuming", probes)
	}
	if probes > 60 {
		t.Fatal("backfill never completed")
	}
	inc := parseExposition(t, env.probe(t, probeQuery("spare", srv.URL+"/netbackup"), nil).Body.String())
	if got := sumFamily(inc, "nbu_jobs_total", nil); got != float64(len(counted)) {
		t.Errorf("after a backfill over %d probes nbu_jobs_total = %v, want the %d jobs that finished meanwhile", probes, got, len(counted))
	}
	full := parseExposition(t, newTestEnvAt(t, cfg, c).probe(t, probeQuery("fresh", srv.URL+"/netbackup"), nil).Body.String())
	for _, name := range []string{"nbu_jobs_count", "nbu_jobs_bytes", "nbu_jobs_state_count", "nbu_jobs_queued_count"} {
		if a, b := seriesValues(inc, name), seriesValues(full, name); len(a) == 0 || !maps.Equal(a, b) {
			t.Errorf("%s after resumed backfill %v, full read %v", name, a, b)
		}
	}
}

func newTestEnvAt(t *testing.T, cfg *cfgT, c *clock) *testEnv {
	env := newTestEnv(t, cfg)
	env.handler.Now = c.Now
	return env
}

// A server that ignores sort=lastUpdateTime must not make a shard cut short skip what it did not
// read: such a shard resumes from its start.
func TestUnorderedShardResumesFromItsStart(t *testing.T) {
	lo := fixtureNow.Add(-time.Hour)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.netbackup+json;version=14.0")
		// Newest first, whatever was asked, and a next page that never comes (the walk is cut).
		_, _ = w.Write([]byte(`{"data":[` +
			`{"id":"2","attributes":{"jobId":2,"state":"ACTIVE","lastUpdateTime":"2026-11-26T11:50:00Z"}},` +
			`{"id":"1","attributes":{"jobId":1,"state":"ACTIVE","lastUpdateTime":"2026-11-26T11:10:00Z"}}],` +
			`"meta":{"pagination":{"next":"more"}}}`))
	}))
	defer srv.Close()
	client, err := nbu.NewClient(nbu.Options{BaseURL: srv.URL + "/netbackup", APIKey: testKey, APIVersion: "14.0"})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	res := readShards(t.Context(), client, []timeRange{{lo: lo}}, 1, 100, 2, fixtureNow, 0, func(*nbu.Job) {})[0]
	if !res.unordered || res.done {
		t.Fatalf("unordered %v done %v", res.unordered, res.done)
	}
	if got := res.rest().lo; !got.Equal(lo) {
		t.Errorf("resumes from %s, want the shard's start %s", got, lo)
	}
}
