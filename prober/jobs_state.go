package prober

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

type jobKey struct{ action, policyType, status string }
type policyKey struct{ action, policyType string }
type actionStatusKey struct{ action, status string }

// jobStats aggregates finished jobs that share a label set. Integers, so that a bucket leaving
// the window can be subtracted from the window's running sums exactly.
type jobStats struct {
	count, bytes, files int64
	durCount, durMillis int64
	durBuckets          [len(jobDurationBucketsArr)]int64 // per bucket, not cumulative
}

// Job durations span seconds (image cleanup) to a day (large full backups).
var jobDurationBucketsArr = [...]float64{60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400}

func (s *jobStats) add(j *nbu.Job) {
	s.count++
	s.bytes += j.KilobytesTransferred * 1024
	s.files += j.NumberOfFiles
	if !j.StartTime.IsZero() && !j.EndTime.Before(j.StartTime) {
		d := j.EndTime.Sub(j.StartTime)
		s.durCount++
		s.durMillis += d.Milliseconds()
		if i := sort.SearchFloat64s(jobDurationBucketsArr[:], d.Seconds()); i < len(s.durBuckets) {
			s.durBuckets[i]++
		}
	}
}

// merge adds o to s, or subtracts it when sign is -1.
func (s *jobStats) merge(o *jobStats, sign int64) {
	s.count += sign * o.count
	s.bytes += sign * o.bytes
	s.files += sign * o.files
	s.durCount += sign * o.durCount
	s.durMillis += sign * o.durMillis
	for i := range s.durBuckets {
		s.durBuckets[i] += sign * o.durBuckets[i]
	}
}

// minuteBucket holds the finished jobs whose end time falls in one minute: their aggregates, and
// their ids, so that a job seen again (updated after it finished, or re-read by an overlapping
// query) is never counted twice. A job's bucket follows from its end time, which NetBackup does not
// change once the job is DONE, so one bucket is all there is to check.
type minuteBucket struct {
	ids   map[int64]struct{}
	stats map[jobKey]*jobStats
}

// jobsState is what the jobs collector keeps of one target between probes, so that a probe reads
// only the jobs NetBackup changed since the previous one. Its size follows the jobs that ended
// inside the look-back window (an id and a share of a bucket each); buckets that leave the window
// are dropped, and the whole state goes with its session when the target is no longer probed.
type jobsState struct {
	lookback time.Duration
	// followedSince: when the exporter began following the target; the counters count jobs that
	// ended from then on.
	followedSince time.Time
	// watermark: every job update with a lastUpdateTime before it has been read. Zero until the
	// first read; a read starts at watermark minus updateOverlap.
	watermark time.Time
	// pending: ranges of lastUpdateTime a probe planned but could not finish before its deadline.
	pending []timeRange
	pace    readPace
	// complete: the last probe read every update up to its own time. backfilled: one probe did;
	// from then on the window gauges are reported (a probe cut short later leaves them a little
	// behind, which nbu_jobs_updates_read_until_timestamp_seconds shows).
	complete, backfilled bool
	buckets              map[int64]*minuteBucket
	window               map[jobKey]*jobStats // the sum of the buckets, kept as jobs come and buckets go
	totals               map[jobKey]*countBytesTotal
	readAt               time.Time // when NetBackup was last read completely
	unfinished           unfinishedJobs
	// reseededAt: when the unfinished jobs were last read in full (zero: never).
	reseededAt time.Time
	overlapAt  time.Time // when a read last started updateOverlap before the watermark
	// changed is set by whatever alters the exported series; cached holds the series built when
	// it was last clear, so a probe of a master where nothing changed rebuilds nothing.
	changed bool
	cached  []*encodedFamily
}

// pendingFrom returns the pending ranges that still matter for a window starting at since.
func (s *jobsState) pendingFrom(since time.Time) []timeRange {
	var out []timeRange
	for _, r := range s.pending {
		if !r.hi.After(since) {
			continue
		}
		if r.lo.Before(since) {
			r.lo = since
		}
		out = append(out, r)
	}
	return out
}

type countBytesTotal struct{ count, bytes int64 }

func newJobsState(lookback time.Duration, now time.Time) *jobsState {
	return &jobsState{lookback: lookback, followedSince: now, buckets: map[int64]*minuteBucket{}, window: map[jobKey]*jobStats{},
		totals:     map[jobKey]*countBytesTotal{},
		unfinished: unfinishedJobs{}}
}

func minuteOf(t time.Time) int64 {
	s := t.Unix()
	if s < 0 {
		return (s - 59) / 60
	}
	return s / 60
}

// windowStart is the oldest end time the window gauges count: the look-back, widened to the start
// of its minute so that the per-minute buckets cover the window exactly.
func windowStart(now time.Time, lookback time.Duration) time.Time {
	return now.Add(-lookback).Truncate(time.Minute)
}

// prune drops the buckets that ended before the window.
func (s *jobsState) prune(since time.Time) {
	first := minuteOf(since)
	for m, b := range s.buckets {
		if m >= first {
			continue
		}
		for k, st := range b.stats {
			w := s.window[k]
			w.merge(st, -1)
			if w.count == 0 {
				delete(s.window, k)
			}
		}
		delete(s.buckets, m)
		s.changed = true
	}
}

// add folds one job into the state if it is a finished job, inside the window, not seen before. It
// reports whether the job was counted.
func (s *jobsState) add(j *nbu.Job, since time.Time) bool {
	if j.State != "DONE" || j.EndTime.IsZero() || j.EndTime.Before(since) {
		return false
	}
	m := minuteOf(j.EndTime)
	b := s.buckets[m]
	if b == nil {
		b = &minuteBucket{ids: map[int64]struct{}{}, stats: map[jobKey]*jobStats{}}
		s.buckets[m] = b
	}
	if _, seen := b.ids[j.JobID]; seen {
		return false
	}
	b.ids[j.JobID] = struct{}{}
	k := jobKey{j.JobType, j.PolicyType, strconv.FormatInt(j.Status, 10)}
	st := b.stats[k]
	if st == nil {
		st = &jobStats{}
		b.stats[k] = st
	}
	st.add(j)
	w := s.window[k]
	if w == nil {
		w = &jobStats{}
		s.window[k] = w
	}
	w.add(j)
	t := s.totals[k]
	if t == nil {
		t = &countBytesTotal{} // a backfilled label set starts at 0, so that increase() sees its first job
		s.totals[k] = t
	}
	// The counters count what happens while the exporter follows the target: jobs that ended
	// before (the backfill) are in the window gauges only. Counting them too would make every
	// restart look like the window's jobs happened again to increase() and rate().
	if !j.EndTime.Before(s.followedSince) {
		t.count++
		t.bytes += j.KilobytesTransferred * 1024
	}
	s.changed = true
	return true
}

// exportCached writes the job series, rebuilding and gathering them only when the state changed:
// on a master where nothing changed, a probe serves the families it gathered before.
func (s *jobsState) exportCached(out *metricSet) error {
	if s.changed || s.cached == nil {
		var built metricSet
		s.export(&built, s.backfilled)
		if !s.reseededAt.IsZero() {
			s.unfinished.export(&built)
		}
		mfs, err := gatherOnce(built.metrics)
		if err != nil {
			s.cached = nil
			return fmt.Errorf("building the job metrics: %w", err)
		}
		s.cached, s.changed = mfs, false
	}
	out.mu.Lock()
	out.families = append(out.families, s.cached...)
	out.mu.Unlock()
	return nil
}

// export writes the counters and, when window is true, the window gauges. The window's sums are
// kept up to date by add and prune, so a probe pays for the label sets, not for the jobs.
func (s *jobsState) export(out *metricSet, window bool) {
	for k, t := range s.totals {
		out.counter(descJobsTotal, float64(t.count), k.action, k.policyType, k.status)
		out.counter(descJobsBytesTotal, float64(t.bytes), k.action, k.policyType, k.status)
	}
	if !window {
		return
	}
	byStatus := map[actionStatusKey]int64{}
	byPolicy := map[policyKey]*jobStats{}
	done := map[string]int64{}
	for k, st := range s.window {
		out.gauge(descJobsCount, float64(st.count), k.action, k.policyType, k.status)
		out.gauge(descJobsBytes, float64(st.bytes), k.action, k.policyType, k.status)
		byStatus[actionStatusKey{k.action, k.status}] += st.count
		done[k.action] += st.count
		pk := policyKey{k.action, k.policyType}
		acc := byPolicy[pk]
		if acc == nil {
			acc = &jobStats{}
			byPolicy[pk] = acc
		}
		acc.merge(st, 1)
	}
	for k, n := range byStatus {
		out.gauge(descStatusCount, float64(n), k.action, k.status)
	}
	for action, n := range done {
		out.gauge(descJobsState, float64(n), action, "DONE")
	}
	for k, st := range byPolicy {
		out.gauge(descJobsFiles, float64(st.files), k.action, k.policyType)
		buckets := make(map[float64]uint64, len(jobDurationBucketsArr))
		var cum int64
		for i, ub := range jobDurationBucketsArr {
			cum += st.durBuckets[i]
			buckets[ub] = uint64(cum)
		}
		out.add(prometheus.MustNewConstHistogram(descJobDuration, uint64(st.durCount), float64(st.durMillis)/1000, buckets, k.action, k.policyType))
	}
}

// jobsInWindow counts the finished jobs the state holds inside the window.
func (s *jobsState) jobsInWindow(since time.Time) int {
	first, n := minuteOf(since), 0
	for m, b := range s.buckets {
		if m >= first {
			n += len(b.ids)
		}
	}
	return n
}
