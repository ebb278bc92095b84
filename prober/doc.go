// Package prober answers /probe: it runs one bounded collection against one NetBackup primary and
// turns what NetBackup says into metrics, in a fresh answer for each request.
//
// A probe (handler.go) parses the request (request.go), takes the session of its module and
// target (sessions.go), and runs the module's collectors (probe.go) through the collector seam
// (collector.go, collectors.go): one run per session at a time, shared by concurrent probes, its
// result cached for the collector's TTL in the session store's go-cache, keyed by the session.
// Each collector is one file (jobs.go, storage.go, ...) that reads NetBackup through the nbu
// client.
//
// The answer (metricset.go, handler.go): each probe has a fresh prometheus.Registry, with the
// probe_* gauges and one unchecked collector, the probe's metricSet, which sends the const metrics
// the collectors built; promhttp answers from it (text, OpenMetrics or protobuf, compressed as the
// client asks). A set admits each series before building it: label values cut and scrubbed,
// repeats and series past max_series left out and counted, so that the gather never fails on a
// duplicate. What is served unchanged to many probes (a TTL-cached
// collector's run, the job series while the state does not change) is kept as built metrics.
//
// Tracing (tracing.go): the probe's span comes from Handler.TracerProvider (no-op when nil), as
// a child of the request's W3C traceparent; collector and shard spans are started from the
// provider of the span in their context, and the sessions' clients add a span per HTTP attempt.
//
// # The jobs collector
//
// The jobs collector keeps, per session, what it has read of /admin/jobs (jobsState), so that a
// probe asks NetBackup only for what changed. Each probe goes through four steps: plan
// (jobs_plan.go, from the state and the clock), read (jobs_read.go and jobs_shards.go, the only
// part that talks to NetBackup), apply (jobs_apply.go, folding what was read into the state) and
// export (jobs_export.go). The state's phase (jobsPhase, jobs_phase.go) is all of it that decides
// what a probe reads and exports, and moves once a probe on what the read did; the rest of the
// state is data (watermark, overlap time, pending ranges, pace, buckets).
//
// Glossary:
//
//   - window: the look-back (jobs.lookback), widened to the start of its minute; the window
//     gauges (nbu_jobs_count, ...) describe the jobs that ended inside it.
//   - bucket: the finished jobs of the window that ended in one minute, with their ids, so that a
//     job read twice is counted once, and their sums by label set number (minuteBucket: a slice
//     sorted by number, 32-bit counts); buckets leave the window whole, subtracted exactly from
//     the window's running sums.
//   - update walk: the read of job records by lastUpdateTime, oldest first, from the watermark.
//   - watermark: every job update with a lastUpdateTime before it has been read.
//   - overlap: every overlapInterval, the walk starts updateOverlap before the watermark, for
//     updates NetBackup committed out of order.
//   - tail: the open range [watermark, ∞) of lastUpdateTime, where every new update lands.
//   - pending range: a closed range of lastUpdateTime a probe planned but could not finish by its
//     deadline; the next probes read it.
//   - phase: two parts. The window's: backfill, then following once a read reaches the probe's
//     time (never back). The unfinished jobs': unread, then known once a read of the jobs not DONE
//     succeeds. A new state (the exporter starts, a new session, another look-back) starts in
//     backfill with the unfinished jobs unread.
//   - backfill: reading the whole window, from its start (no watermark yet) or from where earlier
//     probes stopped, over as many probes as it takes; the window gauges are withheld until it is
//     done (nbu_jobs_backfill_complete).
//   - following: the window was read once; each probe reads what changed since the watermark.
//   - reseed: a read of the jobs not DONE, which the update walk cannot see when they have not
//     changed (queued for hours) or went away without an update (deleted): those not updated
//     since the window's start, before the walk, while the unfinished jobs are unread; all of them,
//     beside the walk, every reseedInterval once they are known.
//   - pace: how many updates a second of lastUpdateTime holds and how long a page takes, as seen
//     by earlier reads; it decides how many readers a read needs to fit its deadline.
//   - sample: the first page of a read whose pace is not known yet, read to learn it.
//   - shard: a slice of a range of lastUpdateTime, paged by one reader; ranges are cut into
//     two shards per reader (none planned under a few pages, each ends in a short page), taken
//     newest first.
//   - steal: an idle reader takes the upper half of what the busiest reader still has to read,
//     since updates bunch up in ways an even plan cannot foresee (the running jobs, all updated in
//     the last seconds, make the newest slice the densest); only when that rest is worth several
//     pages (a steal costs a request), else the idle reader waits for the others.
//   - id set: the ids a minute bucket has counted (idSet): those within 2^31 of its first id as
//     4-byte offsets from a base, any other as itself; each part sorted, with a short unsorted tail.
package prober
