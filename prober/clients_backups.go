package prober

import (
	"cmp"
	"hash/maphash"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/internal/redact"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

var (
	descBackupLastStatus = newDesc("nbu_backup_last_status",
		"Status code of the newest finished BACKUP job of the policy, client and schedule type seen in the job stream.",
		"policy", "client", "schedule_type")
	descBackupLastEnd = newDesc("nbu_backup_last_end_timestamp_seconds",
		"End time of the newest finished BACKUP job of the policy, client and schedule type seen in the job stream, whatever its status.",
		"policy", "client", "schedule_type")
	descBackupLastSuccess = newDesc("nbu_backup_last_success_timestamp_seconds",
		"End time of the newest BACKUP job of the policy, client and schedule type seen in the job stream with a status in clients.success_statuses; no series while the stream has shown none.",
		"policy", "client", "schedule_type")
	descBackupsDropped = newDesc("nbu_backups_dropped",
		"(policy, client, schedule type) triples of the job stream left out because the target has more than clients.max_series.")
)

// backupRetention is how long a (policy, client, schedule type) triple is kept after its newest
// backup ended: longer than a monthly schedule's interval, so that a failed monthly full stays
// reported until the next one runs, and short enough that a client or policy taken out of service
// does not stay on for ever.
const backupRetention = 35 * 24 * time.Hour

// maxStoredLabelBytes cuts the names the clients collector keeps of a record, so that a hostile
// primary's names cost a bounded amount each. It leaves room beyond maxLabelValueBytes for the
// longest secret, so that the set's scrubbing, which reads that far, still recognises one at the cut.
const maxStoredLabelBytes = 1024

// defaultClientCap is clients.max_series when no Collect has set it yet.
const defaultClientCap = 20000

type backupKey struct{ policy, client, schedule string }

// backupRec is what the series of one triple need: the newest backup (end, status, job id for
// ties) and the newest successful one, in Unix nanoseconds (0: none).
type backupRec struct {
	lastEnd, lastGood     int64
	lastStatus, lastJobID int64
}

// backupTriples follows the newest backups of every (policy, client, schedule type) the job stream
// shows, at most clients.max_series of them; guarded by clientsState.mu.
type backupTriples struct {
	recs    map[backupKey]*backupRec
	sorted  []backupKey // recs' keys in label order; nil when a key came or went
	labels  *interner
	dropped hashSet // triples refused by the cap
}

// hashSet counts distinct keys by a hash of each, in bounded room: past maxDroppedTracked the
// count stops growing rather than the memory.
type hashSet struct {
	seed maphash.Seed
	set  map[uint64]struct{}
}

func (h *hashSet) add(parts ...string) {
	if h.set == nil {
		h.seed, h.set = maphash.MakeSeed(), map[uint64]struct{}{}
	}
	if len(h.set) >= maxDroppedTracked {
		return
	}
	var m maphash.Hash
	m.SetSeed(h.seed)
	for _, p := range parts {
		m.WriteString(p)
		m.WriteByte(0)
	}
	h.set[m.Sum64()] = struct{}{}
}

func (h *hashSet) len() int { return len(h.set) }

// setupJobs takes the module's success statuses and cap before the jobs run hands records over.
func (s *clientsState) setupJobs(m *config.Module) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.success, s.cap = m.Clients.SuccessStatuses, m.Clients.MaxSeries
}

// exportStream writes what the clients collector derives from the job stream besides the clients'
// last backups (the triples and the copies) and each client's promised frequency.
func (s *clientsState) exportStream(out *metricSet, r *Run) {
	freqs := clientFrequenciesOf(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.backups.export(out, r.Now())
	s.copies.export(out)
	s.exportFrequencies(out, freqs)
}

// observeBackup folds a finished BACKUP job into its triple; the caller holds mu. A job without a
// policy or schedule type has no triple.
func (s *clientsState) observeBackup(j *nbu.Job) {
	if j.PolicyName == "" || j.ScheduleType == "" {
		return
	}
	b := &s.backups
	k := backupKey{redact.CutUTF8(j.PolicyName, maxStoredLabelBytes), redact.CutUTF8(j.ClientName, maxStoredLabelBytes), redact.CutUTF8(j.ScheduleType, maxStoredLabelBytes)}
	rec := b.recs[k]
	if rec == nil {
		if rec = b.add(k, s.limit()); rec == nil {
			return
		}
	}
	end := j.EndTime.UnixNano()
	if end > rec.lastEnd || (end == rec.lastEnd && j.JobID > rec.lastJobID) {
		rec.lastEnd, rec.lastStatus, rec.lastJobID = end, j.Status, j.JobID
	}
	if slices.Contains(s.success, int(j.Status)) && end > rec.lastGood {
		rec.lastGood = end
	}
}

// add keeps a new triple, unless the cap is reached (then nil, and the triple is counted).
func (b *backupTriples) add(k backupKey, limit int) *backupRec {
	if len(b.recs) >= limit {
		b.dropped.add(k.policy, k.client, k.schedule)
		return nil
	}
	if b.recs == nil {
		b.recs, b.labels = map[backupKey]*backupRec{}, newInterner()
	}
	// Interned: the decoded job's strings would otherwise be kept for as long as the triple.
	k = backupKey{b.labels.value(k.policy), b.labels.value(k.client), b.labels.value(k.schedule)}
	rec := &backupRec{}
	b.recs[k], b.sorted = rec, nil
	return rec
}

// export writes the triples' series in label order, after forgetting those whose newest backup
// ended more than backupRetention before now.
func (b *backupTriples) export(out *metricSet, now time.Time) {
	oldest := now.Add(-backupRetention).UnixNano()
	for k, rec := range b.recs {
		if rec.lastEnd < oldest {
			delete(b.recs, k)
			b.sorted = nil
		}
	}
	if b.sorted == nil && len(b.recs) > 0 {
		b.sorted = slices.SortedFunc(maps.Keys(b.recs), func(x, y backupKey) int {
			return cmp.Or(strings.Compare(x.policy, y.policy), strings.Compare(x.client, y.client), strings.Compare(x.schedule, y.schedule))
		})
	}
	for _, k := range b.sorted {
		rec := b.recs[k]
		out.gauge(descBackupLastStatus, float64(rec.lastStatus), k.policy, k.client, k.schedule)
		out.gauge(descBackupLastEnd, float64(rec.lastEnd)/1e9, k.policy, k.client, k.schedule)
		if rec.lastGood != 0 {
			out.gauge(descBackupLastSuccess, float64(rec.lastGood)/1e9, k.policy, k.client, k.schedule)
		}
	}
	out.gauge(descBackupsDropped, float64(b.dropped.len()))
}
