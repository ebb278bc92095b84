package prober

import (
	"fmt"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// jobFolder is the apply step for single records, as the read streams them: no page of jobs is
// ever held. It is called under the readers' lock.
type jobFolder struct {
	st        *jobsState
	plan      jobsPlan
	observers []JobObserver
	// held: while a full read of the unfinished jobs runs beside the walk, the walk's records are
	// kept (the newest of each job) and applied after it, so that the newer record wins.
	held    unfinishedJobs
	counted int // finished jobs newly counted
	// job is the record being folded, normalised (normalizeJob): a copy, so that the source's
	// record is never written to. fold runs under the readers' lock, one record at a time.
	job nbu.Job
}

func (s *jobsState) newFolder(plan jobsPlan, observers []JobObserver) *jobFolder {
	f := &jobFolder{st: s, plan: plan, observers: observers}
	if plan.reseed == reseedFull {
		f.held = unfinishedJobs{}
	}
	return f
}

func (f *jobFolder) fold(src *nbu.Job) {
	f.job = *src
	j := &f.job
	normalizeJob(j)
	if f.st.add(j, f.plan.since) {
		f.counted++
	}
	for _, o := range f.observers {
		o.ObserveJob(j)
	}
	if f.held != nil {
		f.held.record(j, f.st.labels)
	} else {
		f.st.observeUnfinished(j)
	}
}

// readOutcome is where a read left the state.
type readOutcome struct {
	complete    bool // every update up to the probe's time was read
	rangesLeft  int  // ranges the next probes read (the unfinished tail included)
	pages, jobs int
	rejected    int   // impossible field values NetBackup sent, passed on as 0
	err         error // why not complete
}

// apply folds where the read got to into the state: the open tail's progress becomes the
// watermark, closed ranges not finished stay pending for the next probe, a full read of the
// unfinished jobs replaces the set (then the walk's held records are merged over it), and the
// phase moves on. It talks to nothing.
func (s *jobsState) apply(plan jobsPlan, got jobsRead, f *jobFolder) readOutcome {
	s.overlapAt, s.pace = plan.overlapAt, got.pace
	s.pending = s.pending[:0]
	out := readOutcome{complete: true}
	if got.sample != nil && !got.sample.done { // its range was read on by the readers
		out.pages, out.jobs = got.sample.stats.Pages, got.sample.stats.Records
	}
	var tail shardResult
	for _, r := range got.results {
		out.pages += r.stats.Pages
		out.jobs += r.stats.Records
		out.rejected += r.stats.Rejected
		if r.rng.open() {
			tail = r
			continue
		}
		if !r.done {
			out.complete = false
			if rest := r.rest(); rest.lo.Before(rest.hi) {
				s.pending = append(s.pending, rest)
			}
		}
	}
	out.complete = out.complete && tail.done
	if w := tail.reached(); w.After(s.watermark) {
		s.watermark = w
	}
	if got.fresh != nil {
		s.replaceUnfinished(got.fresh)
	}
	if f.held != nil {
		s.mergeUnfinished(f.held)
	}
	s.enter(probeEvents{at: plan.now, windowRead: out.complete, unfinishedRead: plan.reseed != reseedNone && got.reseedErr == nil})
	if out.complete {
		return out
	}
	out.rangesLeft = len(s.pending)
	if !tail.done {
		out.rangesLeft++
	}
	out.err = shardErrors(got.results)
	return out
}

// incompleteError says what is left of a read cut short; cause is the read's own context error,
// for when the deadline came before some ranges started.
func (o readOutcome) incompleteError(cause error) error {
	err := o.err
	if err == nil {
		err = cause
	}
	return fmt.Errorf("job updates: %d ranges left, read by the next probes: %w", o.rangesLeft, err)
}
