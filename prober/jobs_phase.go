package prober

import "time"

// jobsPhase is where a target's job reading stands, and all of it that decides what a probe reads
// and what it exports: the rest of jobsState (watermark, overlap time, pending ranges, pace) is
// data that says from where and how fast to read, never what kind of read to make. It changes only
// through next, once a probe, or when the state starts afresh (newJobsState: the exporter starts,
// the session is new, the look-back changed).
//
// It has two parts, which move independently:
//
//	window:     backfill --read complete--> following(readAt)
//	            following --read complete--> following(readAt: now); a read cut short stays where it is
//	unfinished: unread --read of the jobs not DONE succeeded--> known(reseededAt)
//	            known --reseedInterval later, read in full again--> known(reseededAt: now); a failed read
//	            stays where it is (and is made again on the next probe)
//
// jobsState embeds it, so that phase, readAt and unfinishedKnown read as the state's own.
type jobsPhase struct {
	phase windowPhase
	// readAt (phaseFollowing): when a read last reached the probe's time; zero in phaseBackfill.
	readAt time.Time
	// unfinishedKnown: a read of the jobs not DONE has succeeded, so the unfinished jobs cover the
	// jobs the update walk cannot see (not updated in the window) and are exported. Until then,
	// each probe reads the unfinished jobs before the window.
	unfinishedKnown bool
	// reseededAt (unfinishedKnown): when the jobs not DONE were last read; zero while unread.
	reseededAt time.Time
}

// windowPhase is how far the update walk has read the window. It only moves forward: a probe cut
// short in phaseFollowing leaves the window gauges a little behind
// (nbu_jobs_updates_read_until_timestamp_seconds says how much), it does not withhold them again.
type windowPhase int

const (
	// phaseBackfill: the window is being read, from its start (nothing read yet: no watermark) or
	// from where earlier probes stopped, over as many probes as it takes; the window gauges are
	// withheld rather than reported short.
	phaseBackfill windowPhase = iota
	// phaseFollowing: every update of the window was read once; each probe reads what changed
	// since the watermark.
	phaseFollowing
)

func (p windowPhase) String() string { return [...]string{"backfill", "following"}[p] }

// probeEvents is what a probe's read did, as far as the phase is concerned.
type probeEvents struct {
	at time.Time // the probe's time
	// windowRead: every update up to the probe's time was read.
	windowRead bool
	// unfinishedRead: the read of the jobs not DONE that the phase asked for (reseedPlan) was
	// made and succeeded.
	unfinishedRead bool
}

// next is the phase after a probe that saw e.
func (p jobsPhase) next(e probeEvents) jobsPhase {
	if e.windowRead {
		p.phase, p.readAt = phaseFollowing, e.at
	}
	if e.unfinishedRead {
		p.unfinishedKnown, p.reseededAt = true, e.at
	}
	return p
}

// reseedPlan is the read of the jobs not DONE that a probe at now makes besides the update walk.
func (p jobsPhase) reseedPlan(now time.Time) reseedKind {
	switch {
	case !p.unfinishedKnown:
		return reseedBeforeWindow
	case now.Sub(p.reseededAt) >= reseedInterval:
		return reseedFull
	}
	return reseedNone
}

// exportsDiffer reports whether q exports other series than p: the window gauges follow the
// window's phase, the unfinished jobs' gauges their knowledge (readAt is a gauge built each probe).
func (p jobsPhase) exportsDiffer(q jobsPhase) bool {
	return p.phase != q.phase || p.unfinishedKnown != q.unfinishedKnown
}
