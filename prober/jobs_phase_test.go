package prober

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestPhaseTransitions: from each phase, on each event a probe can meet there, the read of the
// unfinished jobs the probe plans and the phase it leaves the state in, through plan and apply as
// Collect runs them; and whether the exported series had to be built again. A transition that
// changes fails it.
func TestPhaseTransitions(t *testing.T) {
	now := fixtureNow
	earlier, due := now.Add(-time.Minute), now.Add(-reseedInterval)
	backfill := jobsPhase{}
	backfillKnown := jobsPhase{unfinishedKnown: true, reseededAt: earlier}
	following := jobsPhase{phase: phaseFollowing, readAt: earlier}
	followingKnown := jobsPhase{phase: phaseFollowing, readAt: earlier, unfinishedKnown: true, reseededAt: earlier}
	reseedDue := jobsPhase{phase: phaseFollowing, readAt: earlier, unfinishedKnown: true, reseededAt: due}

	type event struct {
		name           string
		windowRead     bool // the update walk reached the probe's time (else the deadline cut it)
		unfinishedFail bool // the read of the unfinished jobs the plan made failed
	}
	complete := event{"read complete", true, false}
	cut := event{"read cut by the deadline", false, false}
	completeUnfinishedFailed := event{"read complete, unfinished jobs failed", true, true}
	cutUnfinishedFailed := event{"read cut, unfinished jobs failed", false, true}

	tests := []struct {
		from        string
		phase       jobsPhase
		ev          event
		wantReseed  reseedKind
		want        jobsPhase
		wantRebuild bool // what the state exports changed
	}{
		{"backfill, unfinished unread", backfill, complete, reseedBeforeWindow,
			jobsPhase{phase: phaseFollowing, readAt: now, unfinishedKnown: true, reseededAt: now}, true},
		{"backfill, unfinished unread", backfill, cut, reseedBeforeWindow,
			jobsPhase{unfinishedKnown: true, reseededAt: now}, true},
		{"backfill, unfinished unread", backfill, completeUnfinishedFailed, reseedBeforeWindow,
			jobsPhase{phase: phaseFollowing, readAt: now}, true},
		{"backfill, unfinished unread", backfill, cutUnfinishedFailed, reseedBeforeWindow,
			backfill, false},

		{"backfill, unfinished known", backfillKnown, complete, reseedNone,
			jobsPhase{phase: phaseFollowing, readAt: now, unfinishedKnown: true, reseededAt: earlier}, true},
		{"backfill, unfinished known", backfillKnown, cut, reseedNone,
			backfillKnown, false},

		{"following, unfinished unread", following, complete, reseedBeforeWindow,
			jobsPhase{phase: phaseFollowing, readAt: now, unfinishedKnown: true, reseededAt: now}, true},
		{"following, unfinished unread", following, cut, reseedBeforeWindow,
			jobsPhase{phase: phaseFollowing, readAt: earlier, unfinishedKnown: true, reseededAt: now}, true},
		{"following, unfinished unread", following, completeUnfinishedFailed, reseedBeforeWindow,
			jobsPhase{phase: phaseFollowing, readAt: now}, false},
		{"following, unfinished unread", following, cutUnfinishedFailed, reseedBeforeWindow,
			following, false},

		{"following, unfinished known", followingKnown, complete, reseedNone,
			jobsPhase{phase: phaseFollowing, readAt: now, unfinishedKnown: true, reseededAt: earlier}, false},
		{"following, unfinished known", followingKnown, cut, reseedNone,
			followingKnown, false},

		// The full read replaces the set (a rebuild); a failed one is due again at the next probe.
		{"following, reseed due", reseedDue, complete, reseedFull,
			jobsPhase{phase: phaseFollowing, readAt: now, unfinishedKnown: true, reseededAt: now}, true},
		{"following, reseed due", reseedDue, cut, reseedFull,
			jobsPhase{phase: phaseFollowing, readAt: earlier, unfinishedKnown: true, reseededAt: now}, true},
		{"following, reseed due", reseedDue, completeUnfinishedFailed, reseedFull,
			jobsPhase{phase: phaseFollowing, readAt: now, unfinishedKnown: true, reseededAt: due}, false},
		{"following, reseed due", reseedDue, cutUnfinishedFailed, reseedFull,
			reseedDue, false},
	}
	since := windowStart(now, time.Hour)
	for _, tc := range tests {
		t.Run(tc.from+": "+tc.ev.name, func(t *testing.T) {
			s := newJobsState(time.Hour, now.Add(-2*time.Hour))
			s.jobsPhase = tc.phase
			if tc.phase.phase == phaseFollowing {
				s.watermark, s.overlapAt = earlier, earlier
			}
			p := s.plan(now)
			if p.reseed != tc.wantReseed {
				t.Fatalf("planned reseed %v, want %v", p.reseed, tc.wantReseed)
			}
			tail := shardResult{rng: p.ranges[len(p.ranges)-1], newest: now.Add(-time.Second), done: true}
			if !tc.ev.windowRead {
				tail.newest, tail.done, tail.err = since.Add(time.Minute), false, context.DeadlineExceeded
			}
			got := jobsRead{results: []shardResult{tail}}
			switch {
			case tc.ev.unfinishedFail:
				got.reseedErr = errors.New("unfinished jobs: 503")
			case p.reseed == reseedFull:
				got.fresh = unfinishedJobs{}
			}
			before := s.version
			s.apply(p, got, s.newFolder(p, nil))
			if s.jobsPhase != tc.want {
				t.Errorf("phase %+v, want %+v", s.jobsPhase, tc.want)
			}
			if rebuilt := s.version != before; rebuilt != tc.wantRebuild {
				t.Errorf("series rebuilt: %v, want %v", rebuilt, tc.wantRebuild)
			}
		})
	}
}

// TestPhaseOnRestartOrLookbackChange: a state starts in backfill with the unfinished jobs unread,
// whatever phase the one it replaces was in; the same look-back goes on with the same state.
func TestPhaseOnRestartOrLookbackChange(t *testing.T) {
	now := fixtureNow
	for _, from := range []jobsPhase{
		{},
		{unfinishedKnown: true, reseededAt: now},
		{phase: phaseFollowing, readAt: now, unfinishedKnown: true, reseededAt: now},
	} {
		prev := newJobsState(time.Hour, now.Add(-time.Hour))
		prev.jobsPhase, prev.watermark = from, now
		if got := jobsStateFor(prev, time.Hour, 100, now); got != prev {
			t.Errorf("from %+v: the same look-back started a new state", from)
		}
		for name, prev := range map[string]*jobsState{"restart": nil, "look-back changed": prev} {
			s := jobsStateFor(prev, 2*time.Hour, 100, now)
			if s.jobsPhase != (jobsPhase{}) || !s.watermark.IsZero() || s.maxKeys != 50 || !s.followedSince.Equal(now) {
				t.Errorf("from %+v, %s: phase %+v, watermark %v, maxKeys %d", from, name, s.jobsPhase, s.watermark, s.maxKeys)
			}
		}
	}
}
