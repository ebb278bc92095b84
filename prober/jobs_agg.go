package prober

import (
	"sort"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

type jobKey struct{ action, policyType, status string }
type policyKey struct{ action, policyType string }
type actionStatusKey struct{ action, status string }
type stateKey struct{ action, state string }
type queueKey struct{ action, reason string }

type countBytes struct{ count, bytes float64 }

type durationHist struct {
	count   uint64
	sum     float64
	buckets []uint64 // cumulative counts are built at export time
}

// windowAgg folds the jobs that ended inside the look-back window into the gauges' label sets,
// one job at a time, so no job is kept after it has been counted.
type windowAgg struct {
	jobs     map[jobKey]*countBytes
	statuses map[actionStatusKey]float64
	files    map[policyKey]float64
	duration map[policyKey]*durationHist
	done     map[string]float64 // DONE jobs by action, for nbu_jobs_state_count
	seen     map[int64]struct{} // job ids already counted in this walk (pages may overlap)
}

func newWindowAgg() *windowAgg {
	return &windowAgg{
		jobs:     map[jobKey]*countBytes{},
		statuses: map[actionStatusKey]float64{},
		files:    map[policyKey]float64{},
		duration: map[policyKey]*durationHist{},
		done:     map[string]float64{},
		seen:     map[int64]struct{}{},
	}
}

func (a *windowAgg) add(j *nbu.Job) {
	if _, dup := a.seen[j.JobID]; dup {
		return
	}
	a.seen[j.JobID] = struct{}{}
	status := strconv.FormatInt(j.Status, 10)
	k := jobKey{j.JobType, j.PolicyType, status}
	cb := a.jobs[k]
	if cb == nil {
		cb = &countBytes{}
		a.jobs[k] = cb
	}
	cb.count++
	cb.bytes += float64(j.KilobytesTransferred) * 1024
	a.statuses[actionStatusKey{j.JobType, status}]++
	pk := policyKey{j.JobType, j.PolicyType}
	a.files[pk] += float64(j.NumberOfFiles)
	if j.State == "DONE" {
		a.done[j.JobType]++
	}
	if !j.EndTime.IsZero() && !j.StartTime.IsZero() && !j.EndTime.Before(j.StartTime) {
		h := a.duration[pk]
		if h == nil {
			h = &durationHist{buckets: make([]uint64, len(jobDurationBuckets))}
			a.duration[pk] = h
		}
		d := j.EndTime.Sub(j.StartTime).Seconds()
		h.count++
		h.sum += d
		if i := sort.SearchFloat64s(jobDurationBuckets, d); i < len(h.buckets) {
			h.buckets[i]++
		}
	}
}

func (a *windowAgg) export(out *metricSet) {
	for k, cb := range a.jobs {
		out.gauge(descJobsCount, cb.count, k.action, k.policyType, k.status)
		out.gauge(descJobsBytes, cb.bytes, k.action, k.policyType, k.status)
	}
	for k, n := range a.statuses {
		out.gauge(descStatusCount, n, k.action, k.status)
	}
	for k, n := range a.files {
		out.gauge(descJobsFiles, n, k.action, k.policyType)
	}
	for k, h := range a.duration {
		buckets := make(map[float64]uint64, len(jobDurationBuckets))
		var cum uint64
		for i, ub := range jobDurationBuckets {
			cum += h.buckets[i]
			buckets[ub] = cum
		}
		out.add(prometheus.MustNewConstHistogram(descJobDuration, h.count, h.sum, buckets, k.action, k.policyType))
	}
	for action, n := range a.done {
		out.gauge(descJobsState, n, action, "DONE")
	}
}

// currentAgg counts the jobs that are not DONE now: they have no end time, so the window's filter
// on endTime cannot see them.
type currentAgg struct {
	states map[stateKey]float64
	queued map[queueKey]float64
	seen   map[int64]struct{}
}

func newCurrentAgg() *currentAgg {
	return &currentAgg{states: map[stateKey]float64{}, queued: map[queueKey]float64{}, seen: map[int64]struct{}{}}
}

func (a *currentAgg) add(j *nbu.Job) {
	if j.State == "DONE" { // the server filtered them out; a lenient reader still checks
		return
	}
	if _, dup := a.seen[j.JobID]; dup {
		return
	}
	a.seen[j.JobID] = struct{}{}
	state := j.State
	if state == "" {
		state = "UNKNOWN"
	}
	a.states[stateKey{j.JobType, state}]++
	if state == "QUEUED" || state == "REQUEUED" {
		a.queued[queueKey{j.JobType, strconv.FormatInt(j.JobQueueReason, 10)}]++
	}
}

func (a *currentAgg) export(out *metricSet) {
	for k, n := range a.states {
		out.gauge(descJobsState, n, k.action, k.state)
	}
	for k, n := range a.queued {
		out.gauge(descJobsQueued, n, k.action, k.reason)
	}
}
