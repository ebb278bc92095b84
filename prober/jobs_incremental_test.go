package prober

import (
	"maps"
	"math/rand/v2"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// clock is a test clock shared by the fake primary and the exporter.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock        { c := &clock{}; c.ns.Store(t.UnixNano()); return c }
func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

const incrementalYAML = `
modules:
  default:
    timeout: 30s
    api_key: ` + testKey + `
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    jobs: {lookback: 1h, page_size: 7}
    collectors: [jobs]
`

type incEnv struct {
	clock *clock
	fake  *fakenbu.Server
	url   string
	cfg   *config.Config
}

func newIncEnv(t *testing.T, jobs []fakenbu.Job) *incEnv {
	t.Helper()
	c := newClock(fixtureNow)
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: c.Now})
	fake.SetJobs(jobs)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return &incEnv{clock: c, fake: fake, url: srv.URL + "/netbackup", cfg: mustConfig(t, incrementalYAML)}
}

func (e *incEnv) exporter(t *testing.T) *testEnv {
	env := newTestEnv(t, e.cfg)
	env.handler.Now = e.clock.Now
	return env
}

func (e *incEnv) scrape(t *testing.T, env *testEnv) map[string]*dtoFamily {
	t.Helper()
	w := env.probe(t, probeQuery("default", e.url), nil)
	body := w.Body.String()
	fams := parseExposition(t, body)
	if sumFamily(fams, "probe_success", nil) != 1 {
		t.Fatalf("probe failed:\n%s\n%s", body, env.logs)
	}
	return fams
}

// A job ending now, updated at its end.
func finished(id int64, end time.Time, status int64) fakenbu.Job {
	return fakenbu.Job{JobID: id, JobType: "BACKUP", PolicyType: "STANDARD", PolicyName: "p", ClientName: "c",
		State: "DONE", Status: status, KilobytesTransferred: id, NumberOfFiles: 1,
		StartTime: end.Add(-time.Minute), EndTime: end, LastUpdateTime: end}
}

func TestJobsCountedOnceAcrossProbes(t *testing.T) {
	e := newIncEnv(t, fixtureJobs())
	env := e.exporter(t)
	fams := e.scrape(t, env)
	if got := sumFamily(fams, "nbu_jobs_count", nil); got != 4 {
		t.Fatalf("first probe reads the 4 jobs of the window, got %v", got)
	}
	if got, series := sumFamily(fams, "nbu_jobs_total", nil), len(seriesValues(fams, "nbu_jobs_total")); got != 0 || series != 3 {
		t.Fatalf("the counters start at 0 for the window's label sets (%d of them): %v over %d series", 3, got, series)
	}

	// A running job finishes, a new job starts and finishes, a finished job is updated, the
	// fake's data is reloaded as after a restart: only the two new finishes may be counted.
	e.clock.Advance(2 * time.Minute)
	now := e.clock.Now()
	running := fixtureJobs()[5]
	running.State, running.EndTime, running.LastUpdateTime, running.Status = "DONE", now, now, 0
	e.fake.UpsertJob(running)
	e.fake.UpsertJob(finished(100, now.Add(-time.Second), 0))
	updated := fixtureJobs()[0]
	updated.LastUpdateTime = now
	e.fake.UpsertJob(updated)
	e.fake.SetJobs(e.fake.Jobs()) // a restart of the primary's data: same jobs
	fams = e.scrape(t, env)
	if got := sumFamily(fams, "nbu_jobs_total", nil); got != 2 {
		t.Errorf("after 2 new finishes and an update of a counted job: nbu_jobs_total = %v, want 2", got)
	}
	for i := 0; i < 3; i++ {
		e.clock.Advance(15 * time.Second)
		fams = e.scrape(t, env)
	}
	if got := sumFamily(fams, "nbu_jobs_total", nil); got != 2 {
		t.Errorf("probes with nothing new changed nbu_jobs_total to %v, want 2", got)
	}
	if got := sumFamily(fams, "nbu_jobs_count", nil); got != 6 {
		t.Errorf("window gauge = %v, want 6", got)
	}
	// The window moves past the first jobs: the gauge drops, the counter does not.
	e.clock.Advance(55 * time.Minute)
	fams = e.scrape(t, env)
	if got := sumFamily(fams, "nbu_jobs_total", nil); got != 2 {
		t.Errorf("counter must not drop when jobs leave the window: %v", got)
	}
	if got := sumFamily(fams, "nbu_jobs_count", nil); got != 2 {
		t.Errorf("window gauge after 57 minutes = %v, want the 2 recent jobs", got)
	}
}

// Steady state: the version and the storage units are cached, and nothing changed, so a probe
// costs the two job reads, one page each.
func TestJobsSteadyStateRequests(t *testing.T) {
	e := newIncEnv(t, fakenbu.GenerateJobs(3, 2000, time.Hour, fixtureNow))
	e.fake.SetStorageUnits(fixtureStorage())
	e.cfg = mustConfig(t, `
modules:
  default:
    api_key: `+testKey+`
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
`)
	env := e.exporter(t)
	e.scrape(t, env)
	for i := 0; i < 3; i++ {
		e.clock.Advance(15 * time.Second)
		e.fake.ResetCounters()
		e.scrape(t, env)
		if n := e.fake.TotalRequests(); n > 2 {
			t.Errorf("steady-state probe %d made %d NetBackup requests, want at most 2", i, n)
		}
	}
}

// The incremental state must give the same window gauges as an exporter reading the window afresh,
// through a random history of jobs starting, finishing and being updated, and the counter must
// equal the number of distinct jobs that finished.
func TestJobsIncrementalMatchesFullRead(t *testing.T) {
	e := newIncEnv(t, fakenbu.GenerateJobs(11, 300, time.Hour, fixtureNow))
	env := e.exporter(t)
	rng := rand.New(rand.NewPCG(1, 2))
	counted := map[int64]bool{} // jobs that finished after the exporter's first probe
	nextID := int64(1_000_000)
	for round := 0; round < 12; round++ {
		if round > 0 {
			e.clock.Advance(time.Duration(10+rng.IntN(300)) * time.Second)
			now := e.clock.Now()
			jobs := e.fake.Jobs()
			for i := 0; i < 20; i++ {
				switch rng.IntN(3) {
				case 0: // a new job finishes
					nextID++
					e.fake.UpsertJob(finished(nextID, now.Add(-time.Duration(rng.IntN(5000))*time.Millisecond), int64(rng.IntN(3))))
					counted[nextID] = true
				case 1: // a job not yet done finishes
					j := jobs[rng.IntN(len(jobs))]
					if j.State != "DONE" {
						j.State, j.EndTime, j.LastUpdateTime = "DONE", now, now
						e.fake.UpsertJob(j)
						counted[j.JobID] = true
					}
				case 2: // any job is touched
					j := jobs[rng.IntN(len(jobs))]
					j.LastUpdateTime = now
					e.fake.UpsertJob(j)
				}
			}
		}
		inc := e.scrape(t, env)
		fresh := e.scrape(t, e.exporter(t))
		for _, name := range []string{"nbu_jobs_count", "nbu_jobs_bytes", "nbu_status_count", "nbu_jobs_files_count", "nbu_jobs_state_count", "nbu_jobs_queued_count"} {
			a, b := seriesValues(inc, name), seriesValues(fresh, name)
			if len(a) == 0 || !maps.Equal(a, b) {
				t.Errorf("round %d: %s incremental %v, full read %v", round, name, a, b)
			}
		}
		if got := sumFamily(inc, "nbu_jobs_total", nil); got != float64(len(counted)) {
			t.Errorf("round %d: nbu_jobs_total = %v, want the %d distinct jobs that finished since the first probe", round, got, len(counted))
		}
	}
}

// seriesValues maps each series of a family (by its label pairs) to its value.
func seriesValues(fams map[string]*dtoFamily, name string) map[string]float64 {
	out := map[string]float64{}
	mf := fams[name]
	if mf == nil {
		return out
	}
	for _, m := range mf.GetMetric() {
		key := ""
		for _, lp := range m.GetLabel() {
			key += lp.GetName() + "=" + lp.GetValue() + ","
		}
		out[key] = m.GetGauge().GetValue() + m.GetCounter().GetValue() + m.GetUntyped().GetValue()
	}
	return out
}
