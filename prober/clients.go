package prober

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

const (
	clientsCollectorName = "clients"
	// jobsEndpoint is what the clients and catalog lookups read (the jobs collector's list).
	jobsEndpoint = "/admin/jobs"
)

var (
	descClientLastSuccess = newDesc("nbu_client_last_successful_backup_timestamp_seconds",
		"End time of the client's newest finished BACKUP job with a status in clients.success_statuses; 0 = none found in the whole job history.", "client")
	descClientLastBackup = newDesc("nbu_client_last_backup_timestamp_seconds",
		"End time of the client's newest finished BACKUP job seen in the job stream, whatever its status.", "client")
	descClientLastStatus = newDesc("nbu_client_last_backup_status",
		"Status code of the client's newest finished BACKUP job seen in the job stream.", "client")
	descClientsBackfill = newDesc("nbu_clients_backfill_complete",
		"Share (0..1) of known clients whose last successful backup is known; clients the job window did not show are looked up within clients.max_requests_per_probe per probe.")
	descClientsDropped = newDesc("nbu_clients_dropped",
		"Clients left out because the target has more than clients.max_series.")
)

// clientsCollector reports every client's last backups from the job stream the jobs collector
// reads (no request of its own on a steady master), plus the clients of the policies collector.
// A client no job of the look-back window showed with a good backup is looked up once, in the
// background of later probes, by one sorted, filtered request (see backfill).
type clientsCollector struct{}

func (clientsCollector) Name() string                          { return clientsCollectorName }
func (clientsCollector) MinAPIVersion() string                 { return "" }
func (clientsCollector) CacheTTL(*config.Module) time.Duration { return 0 }

// DependsOn makes the clients collector run after the policies collector in a probe, so that the
// policies' clients are known to the backfill of the same probe.
func (clientsCollector) DependsOn() []string { return []string{policiesCollectorName} }
func (clientsCollector) NewState() CollectorState {
	return &clientsState{clients: map[string]*clientRec{}}
}

// clientRec is what is known of one client. newestByStatus keeps the newest end time per status
// code (a handful per client), so a change of clients.success_statuses applies at once.
type clientRec struct {
	newestByStatus map[int64]time.Time
	last           time.Time // newest finished backup seen in the stream
	lastStatus     int64
	lastJobID      int64
	backfilled     bool // the newest good backup was looked up (found or not)
}

// clientsState is shared by ObserveJob (inside jobs runs) and Collect: mu guards everything.
type clientsState struct {
	mu      sync.Mutex
	clients map[string]*clientRec
	dropped hashSet       // names refused by the cap
	cap     int           // clients.max_series, as of the last Collect or jobs run (0 = default)
	skips   endpointSkips // the lookups' endpoint, when the primary does not serve it
	// success is clients.success_statuses, for the backups and copies the stream shows (set
	// before each jobs run, setupJobs).
	success []int
	backups backupTriples // per policy, client and schedule type (clients_backups.go)
	copies  clientCopies  // per client (clients_copies.go)
}

// maxDroppedTracked bounds the names kept only to count them once; beyond it the count stops
// growing rather than the memory.
const maxDroppedTracked = 100000

// backupOf reports whether j (normalizeJob'd) is a finished backup of client ("" = any client).
func backupOf(j *nbu.Job, client string) bool {
	return j.JobType == "BACKUP" && j.State == "DONE" && j.ClientName != "" && !j.EndTime.IsZero() && !j.StatusAbsent &&
		(client == "" || j.ClientName == client)
}

// ObserveJob folds one job record of the stream into the client's record.
func (s *clientsState) ObserveJob(j *nbu.Job) {
	if j.State != "DONE" || j.ClientName == "" || j.EndTime.IsZero() || j.StatusAbsent {
		return // a job without a status says neither that a backup worked nor that it failed
	}
	if j.JobType != "BACKUP" {
		s.observeCopy(j)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.observeBackup(j)
	rec := s.track(j.ClientName)
	if rec == nil {
		return
	}
	rec.fold(j.Status, j.EndTime)
	if j.EndTime.After(rec.last) || (j.EndTime.Equal(rec.last) && j.JobID > rec.lastJobID) {
		rec.last, rec.lastStatus, rec.lastJobID = j.EndTime, j.Status, j.JobID
	}
}

func (rec *clientRec) fold(status int64, end time.Time) {
	if rec.newestByStatus == nil {
		rec.newestByStatus = map[int64]time.Time{}
	}
	if end.After(rec.newestByStatus[status]) {
		rec.newestByStatus[status] = end
	}
}

// track returns the client's record, creating it unless the cap is reached (then nil). The caller
// holds mu.
func (s *clientsState) track(name string) *clientRec {
	if rec := s.clients[name]; rec != nil {
		return rec
	}
	if len(s.clients) >= s.limit() {
		s.dropped.add(name)
		return nil
	}
	rec := &clientRec{}
	s.clients[name] = rec
	return rec
}

// limit is clients.max_series, or defaultClientCap before a Collect or jobs run has set it; the
// caller holds mu.
func (s *clientsState) limit() int {
	if s.cap <= 0 {
		return defaultClientCap
	}
	return s.cap
}

// lastGood is the newest end time among the success statuses (zero when none).
func (rec *clientRec) lastGood(success []int) time.Time {
	var t time.Time
	for _, st := range success {
		if v := rec.newestByStatus[int64(st)]; v.After(t) {
			t = v
		}
	}
	return t
}

func (s *clientsState) Collect(ctx context.Context, r *Run, out *metricSet) error {
	success := r.Module.Clients.SuccessStatuses
	s.mu.Lock()
	s.cap = r.Module.Clients.MaxSeries
	s.mu.Unlock()
	if ps, ok := r.Peer(policiesCollectorName).(*policiesState); ok {
		names := ps.clientNames()
		s.mu.Lock()
		for _, n := range names {
			s.track(n)
		}
		s.mu.Unlock()
	}
	// A primary that answers the lookups 404 is not asked again for skipMemory; the clients the
	// stream shows are still reported.
	now := r.Now()
	err := s.skips.skipped(jobsEndpoint, r.Version, now)
	remembered := err != nil
	if !remembered {
		err = s.backfill(ctx, r, success)
		s.skips.note(jobsEndpoint, r.Version, now, err)
	}
	if missing(err) {
		level.Info(r.Logger).Log("msg", "clients endpoint skipped", "endpoint", jobsEndpoint, "remembered", remembered, "reason", err)
		out.gauge(descCollectorEndpointSkipped, 1, clientsCollectorName, jobsEndpoint)
		err = nil
	}
	s.export(out, success)
	s.exportStream(out, r)
	return err
}

// export writes the series of every tracked client, in name order.
func (s *clientsState) export(out *metricSet, success []int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := slices.Sorted(maps.Keys(s.clients))
	// A cap lowered by a reload applies here too.
	extra := 0
	if s.cap > 0 && len(names) > s.cap {
		extra, names = len(names)-s.cap, names[:s.cap]
	}
	known := 0
	for _, n := range names {
		rec := s.clients[n]
		if good := rec.lastGood(success); !good.IsZero() || rec.backfilled {
			known++
			out.gauge(descClientLastSuccess, unixSeconds(good), n)
		}
		if !rec.last.IsZero() {
			out.gauge(descClientLastBackup, unixSeconds(rec.last), n)
			out.gauge(descClientLastStatus, float64(rec.lastStatus), n)
		}
	}
	done := 1.0
	if len(names) > 0 {
		done = float64(known) / float64(len(names))
	}
	out.gauge(descClientsBackfill, done)
	out.gauge(descClientsDropped, float64(s.dropped.len()+extra))
}

// unixSeconds is t in Unix seconds, with 0 for the zero time ("never").
func unixSeconds(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}
