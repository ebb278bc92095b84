package prober

import (
	"runtime"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

func activeJob(id int64, start, updated time.Time, kb int64) *nbu.Job {
	return &nbu.Job{JobID: id, JobType: "BACKUP", State: "ACTIVE", StartTime: start, LastUpdateTime: updated, KilobytesTransferred: kb}
}

// When an unfinished job's bytes last moved is the update time of the oldest record showing its
// byte count: records that repeat the count keep it, a new count moves it, and a full read that
// replaces the set keeps it for the jobs whose count it shows unchanged.
func TestUnfinishedBytesMoved(t *testing.T) {
	st := newJobsState(time.Hour, fixtureNow)
	t0 := fixtureNow.Add(-3 * time.Hour)
	steps := []struct {
		at    time.Duration
		kb    int64
		moved time.Duration
	}{
		{0, 10, 0},
		{time.Hour, 10, 0},                 // the same count: still 3 hours
		{2 * time.Hour, 50, 2 * time.Hour}, // moved
		{150 * time.Minute, 50, 2 * time.Hour},
	}
	for i, s := range steps {
		st.observeUnfinished(activeJob(1, t0, t0.Add(s.at), s.kb))
		if got := st.unfinished[1].moved; got != secondsOf(t0.Add(s.moved)) {
			t.Errorf("step %d: moved %d, want %d", i, got, secondsOf(t0.Add(s.moved)))
		}
	}
	// An older record read late changes nothing.
	st.observeUnfinished(activeJob(1, t0, t0.Add(time.Minute), 99))
	if e := st.unfinished[1]; e.kb != 50 || e.moved != secondsOf(t0.Add(2*time.Hour)) {
		t.Errorf("an older record changed the job: %+v", e)
	}
	// A full read: job 1 unchanged keeps its move, job 2 is new.
	fresh := unfinishedJobs{}
	fresh.record(activeJob(1, t0, t0.Add(170*time.Minute), 50), st.labels)
	fresh.record(activeJob(2, t0, t0.Add(170*time.Minute), 7), st.labels)
	st.replaceUnfinished(fresh)
	if got := st.unfinished[1].moved; got != secondsOf(t0.Add(2*time.Hour)) {
		t.Errorf("after a full read, job 1 moved at %d, want its earlier move", got)
	}
	if got := st.unfinished[2].moved; got != secondsOf(t0.Add(170*time.Minute)) {
		t.Errorf("a new job moved at %d, want its update time", got)
	}
}

// hungSeries builds the state's job series and returns the hung-jobs gauges.
func hungSeries(t *testing.T, st *jobsState, now time.Time) (stalled, oldest map[string]float64) {
	t.Helper()
	st.watchStalls(now, time.Hour)
	out := newMetricSet(1000, nil)
	if err := st.exportProbe(out, windowStart(now, st.lookback), 1000, nil); err != nil {
		t.Fatal(err)
	}
	fams := gatherFamilies(t, out)
	return seriesValues(fams, "nbu_jobs_stalled"), seriesValues(fams, "nbu_jobs_oldest_active_start_timestamp_seconds")
}

// The gauges count the ACTIVE jobs still for jobs.stalled_after and give the oldest start per
// action. They are rebuilt when a job becomes stalled on the clock alone, and not on a probe where
// nothing changed and no job crossed the line.
func TestStalledJobsOnTheClock(t *testing.T) {
	st := newJobsState(time.Hour, fixtureNow)
	st.unfinishedKnown = true
	now := fixtureNow
	st.observeUnfinished(activeJob(1, now.Add(-5*time.Hour), now.Add(-2*time.Hour), 100))    // still for 2h
	st.observeUnfinished(activeJob(2, now.Add(-3*time.Hour), now.Add(-50*time.Minute), 100)) // still for 50m
	st.observeUnfinished(activeJob(3, now.Add(-time.Hour), now.Add(-time.Minute), 100))      // moving
	st.observeUnfinished(&nbu.Job{JobID: 4, JobType: "BACKUP", State: "QUEUED", StartTime: now.Add(-9 * time.Hour),
		LastUpdateTime: now.Add(-9 * time.Hour), JobQueueReason: 2}) // queued: neither stalled nor active
	st.observeUnfinished(&nbu.Job{JobID: 5, JobType: "DUPLICATE", State: "ACTIVE", LastUpdateTime: now.Add(-time.Minute)}) // no start time

	stalled, oldest := hungSeries(t, st, now)
	if stalled["action=BACKUP,"] != 1 || stalled["action=DUPLICATE,"] != 0 || len(stalled) != 2 {
		t.Errorf("stalled = %v, want BACKUP 1 and DUPLICATE 0", stalled)
	}
	if want := float64(now.Add(-5 * time.Hour).Unix()); oldest["action=BACKUP,"] != want || len(oldest) != 1 {
		t.Errorf("oldest = %v, want BACKUP %v only (the DUPLICATE has no start)", oldest, want)
	}
	built := st.cached.version

	// Five minutes on, nothing changed and no job crossed: the series built before are served.
	if stalled, _ = hungSeries(t, st, now.Add(5*time.Minute)); stalled["action=BACKUP,"] != 1 || st.cached.version != built {
		t.Errorf("a quiet probe: stalled %v, rebuilt %v", stalled, st.cached.version != built)
	}
	// A moving job moves on: what the series show does not change, they are not rebuilt.
	st.observeUnfinished(activeJob(3, now.Add(-time.Hour), now.Add(6*time.Minute), 900))
	if stalled, _ = hungSeries(t, st, now.Add(7*time.Minute)); stalled["action=BACKUP,"] != 1 || st.cached.version != built {
		t.Errorf("a moving job's progress: stalled %v, rebuilt %v", stalled, st.cached.version != built)
	}
	// Ten minutes on, job 2 has been still for an hour.
	if stalled, _ = hungSeries(t, st, now.Add(10*time.Minute)); stalled["action=BACKUP,"] != 2 {
		t.Errorf("after job 2 crossed the line: stalled %v, want 2", stalled)
	}
	// Job 1 moves again: counted no more.
	st.observeUnfinished(activeJob(1, now.Add(-5*time.Hour), now.Add(11*time.Minute), 200))
	if stalled, _ = hungSeries(t, st, now.Add(12*time.Minute)); stalled["action=BACKUP,"] != 1 {
		t.Errorf("after job 1 moved: stalled %v, want 1", stalled)
	}
}

// Through a probe of the fake: the fake's generated jobs hang their oldest running backup, which a
// probe once stalled_after has passed reports, until NetBackup shows its bytes moving again.
func TestStalledJobsProbe(t *testing.T) {
	jobs := fakenbu.GenerateJobs(3, 300, 3*time.Hour, fixtureNow)
	var hung fakenbu.Job
	for _, j := range jobs {
		if j.JobType == "BACKUP" && j.State == "ACTIVE" {
			hung = j
			break
		}
	}
	if hung.JobID == 0 || fixtureNow.Sub(hung.LastUpdateTime) < time.Hour {
		t.Fatalf("the generated jobs hang no backup for an hour: %+v", hung)
	}
	e := newIncEnv(t, jobs)
	env := e.exporter(t)
	fams := e.scrape(t, env)
	if got := sumFamily(fams, "nbu_jobs_stalled", map[string]string{"action": "BACKUP"}); got != 1 {
		t.Errorf("nbu_jobs_stalled{action=BACKUP} = %v, want the hung backup", got)
	}
	if got := sumFamily(fams, "nbu_jobs_oldest_active_start_timestamp_seconds", map[string]string{"action": "BACKUP"}); got != float64(hung.StartTime.Unix()) {
		t.Errorf("oldest active backup started at %v, want %v", got, hung.StartTime.Unix())
	}
	e.clock.Advance(time.Minute)
	hung.LastUpdateTime, hung.KilobytesTransferred = e.clock.Now(), hung.KilobytesTransferred+1024
	e.fake.UpsertJob(hung)
	e.clock.Advance(15 * time.Second)
	fams = e.scrape(t, env)
	if got := sumFamily(fams, "nbu_jobs_stalled", map[string]string{"action": "BACKUP"}); got != 0 {
		t.Errorf("after its bytes moved: nbu_jobs_stalled{action=BACKUP} = %v, want 0", got)
	}
}

// BenchmarkUnfinishedBytesPerJob reports what an unfinished job costs the state: the heap after GC
// with n jobs not DONE in the set, less the heap with none, over n.
//
//	go test -run '^$' -bench UnfinishedBytesPerJob -benchtime 1x ./prober/
func BenchmarkUnfinishedBytesPerJob(b *testing.B) {
	const n = 100_000
	heap := func(jobs int) (uint64, *jobsState) {
		st := newJobsState(time.Hour, fixtureNow)
		for i := range jobs {
			st.observeUnfinished(activeJob(int64(i+1), fixtureNow.Add(-time.Hour), fixtureNow.Add(-time.Duration(i)*time.Millisecond), int64(i)))
		}
		var ms runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc, st
	}
	var perJob float64
	for b.Loop() {
		empty, st0 := heap(0)
		full, st := heap(n)
		runtime.KeepAlive(st0)
		runtime.KeepAlive(st)
		perJob = (float64(full) - float64(empty)) / n
	}
	b.ReportMetric(perJob, "bytes/job")
}

// gatherFamilies gathers a metric set through a registry, by family name.
func gatherFamilies(t *testing.T, s *metricSet) map[string]*dtoFamily {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(s)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*dtoFamily{}
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}
