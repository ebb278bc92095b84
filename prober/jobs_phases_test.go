package prober

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-kit/log"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

func TestPlan(t *testing.T) {
	now := fixtureNow
	since := windowStart(now, time.Hour)
	watermark := now.Add(-time.Minute)
	tests := []struct {
		name       string
		setup      func(s *jobsState)
		wantReseed reseedKind
		wantSample bool
		wantRanges []timeRange
		wantOverAt time.Time
	}{
		{"nothing read: whole window, sample, reseed before the window", func(s *jobsState) {},
			reseedBeforeWindow, true, []timeRange{{lo: since}}, now},
		{"backfill, a first read cut before its tail read anything: whole window on its pace", func(s *jobsState) {
			s.overlapAt, s.pace = now.Add(-time.Minute), readPace{pageLatency: time.Millisecond}
		}, reseedBeforeWindow, false, []timeRange{{lo: since}}, now.Add(-time.Minute)},
		{"watermark before the window (not probed for longer than it): from the window's start", func(s *jobsState) {
			s.phase, s.watermark, s.overlapAt = phaseFollowing, since.Add(-time.Hour), now.Add(-time.Minute)
			s.pace, s.unfinishedKnown, s.reseededAt = readPace{updatesPerSecond: 1, pageLatency: time.Millisecond}, true, now.Add(-time.Minute)
		}, reseedNone, false, []timeRange{{lo: since}}, now.Add(-time.Minute)},
		{"following: from the watermark", func(s *jobsState) {
			s.phase, s.watermark, s.overlapAt = phaseFollowing, watermark, now.Add(-time.Minute)
			s.pace, s.unfinishedKnown, s.reseededAt = readPace{updatesPerSecond: 1, pageLatency: time.Millisecond}, true, now.Add(-time.Minute)
		}, reseedNone, false, []timeRange{{lo: watermark}}, now.Add(-time.Minute)},
		{"overlap due: 30 s before the watermark", func(s *jobsState) {
			s.phase, s.watermark, s.overlapAt = phaseFollowing, watermark, now.Add(-overlapInterval)
			s.pace, s.unfinishedKnown, s.reseededAt = readPace{updatesPerSecond: 1, pageLatency: time.Millisecond}, true, now.Add(-time.Minute)
		}, reseedNone, false, []timeRange{{lo: watermark.Add(-updateOverlap)}}, now},
		{"reseed due", func(s *jobsState) {
			s.phase, s.watermark, s.overlapAt = phaseFollowing, watermark, now
			s.pace, s.unfinishedKnown, s.reseededAt = readPace{updatesPerSecond: 1, pageLatency: time.Millisecond}, true, now.Add(-reseedInterval)
		}, reseedFull, false, []timeRange{{lo: watermark}}, now},
		{"backfill: pending ranges first, clipped to the window", func(s *jobsState) {
			s.phase, s.watermark, s.overlapAt = phaseBackfill, watermark, now
			s.pace, s.unfinishedKnown, s.reseededAt = readPace{updatesPerSecond: 1, pageLatency: time.Millisecond}, true, now
			s.pending = []timeRange{{since.Add(-time.Hour), since.Add(-time.Minute)}, {since.Add(-time.Minute), since.Add(time.Minute)}}
		}, reseedNone, false, []timeRange{{since, since.Add(time.Minute)}, {lo: watermark}}, now},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newJobsState(time.Hour, now.Add(-time.Hour))
			tc.setup(s)
			before := s.version
			p := s.plan(now)
			if p.reseed != tc.wantReseed || p.sample != tc.wantSample || !p.overlapAt.Equal(tc.wantOverAt) || !slices.Equal(p.ranges, tc.wantRanges) {
				t.Errorf("plan = reseed %v sample %v ranges %v overlapAt %v", p.reseed, p.sample, p.ranges, p.overlapAt)
			}
			if s.version != before {
				t.Error("planning changed the state")
			}
		})
	}
}

func TestApplyMovesThePhase(t *testing.T) {
	now := fixtureNow
	since := windowStart(now, time.Hour)
	cut := shardResult{rng: timeRange{since, since.Add(time.Minute)}, newest: since.Add(time.Second), err: context.DeadlineExceeded}
	tailDone := shardResult{rng: timeRange{lo: since.Add(time.Minute)}, newest: now.Add(-time.Second), done: true}
	tailCut := shardResult{rng: timeRange{lo: since.Add(time.Minute)}, newest: now.Add(-time.Hour / 2), err: context.DeadlineExceeded}
	tests := []struct {
		name        string
		results     []shardResult
		wantPhase   windowPhase
		wantPending int
		wantLeft    int
	}{
		{"everything read", []shardResult{tailDone}, phaseFollowing, 0, 0},
		{"a closed range cut", []shardResult{cut, tailDone}, phaseBackfill, 1, 1},
		{"the tail cut", []shardResult{tailCut}, phaseBackfill, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newJobsState(time.Hour, now)
			p := s.plan(now)
			before := s.version
			res := s.apply(p, jobsRead{results: tc.results}, s.newFolder(p, nil))
			if s.phase != tc.wantPhase || len(s.pending) != tc.wantPending || res.rangesLeft != tc.wantLeft || res.complete != (tc.wantPhase == phaseFollowing) {
				t.Errorf("phase %v, pending %v, left %d, complete %v", s.phase, s.pending, res.rangesLeft, res.complete)
			}
			if s.version == before {
				t.Error("a phase change did not touch the state")
			}
			if !res.complete && !errors.Is(res.incompleteError(nil), context.DeadlineExceeded) {
				t.Errorf("incomplete error %v does not say why", res.incompleteError(nil))
			}
		})
	}
}

// The output cache is rebuilt exactly when what the state exports changed.
func TestExportCacheFollowsTheVersion(t *testing.T) {
	s := newJobsState(time.Hour, fixtureNow.Add(-time.Hour))
	since := windowStart(fixtureNow, time.Hour)
	job := nbu.Job{JobID: 1, JobType: "BACKUP", State: "DONE", EndTime: fixtureNow.Add(-time.Minute), LastUpdateTime: fixtureNow.Add(-time.Minute)}
	export := func() *prometheus.Metric {
		out := newMetricSet(0, nil)
		if err := s.exportCached(out, 0, nil); err != nil {
			t.Fatal(err)
		}
		return &s.cached.metrics[0] // the built slice: the same one while nothing was rebuilt
	}
	s.add(&job, since)
	first := export()
	s.add(&job, since) // seen before: nothing changes
	s.observeUnfinished(&job)
	if again := export(); again != first {
		t.Error("an unchanged state rebuilt its series")
	}
	job.JobID = 2
	s.add(&job, since)
	if again := export(); again == first {
		t.Error("a new job did not rebuild the series")
	}
}

// sliceSource is a jobsSource without HTTP: the jobs in lastUpdateTime order, one page each call
// of pageSize, ignoring filters (every range here covers them all) but the one on the state: a read
// of the jobs not DONE gets none of the DONE ones.
type sliceSource struct {
	jobs  []nbu.Job
	calls atomic.Int32 // the full reseed reads beside the walk
	// failUnfinished: a read of the jobs not DONE fails after its first record.
	failUnfinished bool
}

// CountJobs: a sliceSource cannot count; reads plan on the pages' pace.
func (s *sliceSource) CountJobs(context.Context, string) (int64, error) {
	return 0, errors.New("sliceSource does not count")
}

func (s *sliceSource) Jobs(_ context.Context, q nbu.JobsQuery, fn func(*nbu.Job) error) (nbu.PageStats, error) {
	s.calls.Add(1)
	var st nbu.PageStats
	for i := range s.jobs {
		if s.jobs[i].State == "DONE" && strings.Contains(q.Filter, "state ne 'DONE'") {
			continue
		}
		st.Records++
		if err := fn(&s.jobs[i]); err != nil {
			return st, err
		}
		if s.failUnfinished && strings.Contains(q.Filter, "state ne 'DONE'") {
			return st, errors.New("HTTP 503")
		}
	}
	st.Pages = 1
	return st, nil
}

func TestReadFoldsEveryRecordAndFeedsObservers(t *testing.T) {
	var jobs []nbu.Job
	for i := range 5 {
		end := fixtureNow.Add(-time.Duration(50-i) * time.Minute)
		jobs = append(jobs, nbu.Job{JobID: int64(i + 1), JobType: "BACKUP", State: "DONE", EndTime: end, LastUpdateTime: end})
	}
	src := &sliceSource{jobs: jobs}
	s := newJobsState(time.Hour, fixtureNow.Add(-2*time.Hour))
	p := s.plan(fixtureNow)
	obs := &testState{}
	f := s.newFolder(p, []JobObserver{obs})
	rd := jobsReader{src: src, pageSize: 100, maxReaders: 4, logger: log.NewNopLogger(), labels: s.labels}
	got := rd.read(t.Context(), p, s.pace, f.fold)
	res := s.apply(p, got, f)
	if !res.complete || s.phase != phaseFollowing || f.counted != 5 || src.calls.Load() != 2 {
		t.Errorf("complete %v phase %v counted %d calls %d; want one page of the unfinished jobs, one to read all 5", res.complete, s.phase, f.counted, src.calls.Load())
	}
	if !slices.Equal(obs.seen, []int64{1, 2, 3, 4, 5}) {
		t.Errorf("observer saw %v", obs.seen)
	}
	if !s.watermark.Equal(jobs[4].LastUpdateTime) {
		t.Errorf("watermark %v, want the newest update %v", s.watermark, jobs[4].LastUpdateTime)
	}
}

// A full read of the unfinished jobs that fails part way replaces nothing: the set keeps the jobs
// it knew (the walk's records still apply), and the read is due again.
func TestFailedFullReseedKeepsTheUnfinishedJobs(t *testing.T) {
	now := fixtureNow
	s := newJobsState(time.Hour, now.Add(-2*time.Hour))
	s.jobsPhase = jobsPhase{phase: phaseFollowing, readAt: now.Add(-time.Minute), unfinishedKnown: true, reseededAt: now.Add(-reseedInterval)}
	s.watermark, s.overlapAt, s.pace = now.Add(-time.Minute), now, readPace{updatesPerSecond: 1, pageLatency: time.Millisecond}
	for _, id := range []int64{100, 101} {
		s.observeUnfinished(&nbu.Job{JobID: id, JobType: "BACKUP", State: "QUEUED", LastUpdateTime: now.Add(-2 * time.Hour)})
	}
	src := &sliceSource{failUnfinished: true, jobs: []nbu.Job{{JobID: 200, JobType: "BACKUP", State: "ACTIVE", LastUpdateTime: now.Add(-time.Second)}}}
	p := s.plan(now)
	if p.reseed != reseedFull {
		t.Fatalf("planned %v, want a full reseed", p.reseed)
	}
	f := s.newFolder(p, nil)
	got := jobsReader{src: src, pageSize: 100, maxReaders: 1, logger: log.NewNopLogger(), labels: s.labels}.read(t.Context(), p, s.pace, f.fold)
	s.apply(p, got, f)
	if got.reseedErr == nil || len(s.unfinished) != 3 || !s.reseededAt.Equal(now.Add(-reseedInterval)) {
		t.Errorf("err %v, unfinished %v, reseeded at %v: want the error, jobs 100, 101 and 200, the reseed still due", got.reseedErr, s.unfinished, s.reseededAt)
	}
}
