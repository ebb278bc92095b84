package prober

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

var (
	descCatalogLastBackup = newDesc("nbu_catalog_last_backup_timestamp_seconds",
		"End time of the newest finished NBU_CATALOG job with status 0; 0 = none in the job history.")
	descCatalogLastStatus = newDesc("nbu_catalog_last_backup_status",
		"Status code of the newest finished NBU_CATALOG job, whatever its status.")
	descCatalogLastAttempt = newDesc("nbu_catalog_last_attempt_timestamp_seconds",
		"End time of the newest finished NBU_CATALOG job, whatever its status.")
)

const catalogJobsFilter = "policyType eq 'NBU_CATALOG' and state eq 'DONE'"

// catalogCollector reports the catalog backups from the job stream, and the counts of catalog
// images by malware and anomaly status (cached catalog.images_cache_ttl). The newest catalog
// backups are looked up once per session by sorted, filtered requests when the stream has not
// shown them; the stream keeps them current after that, so a steady master costs no request.
type catalogCollector struct{}

func (catalogCollector) Name() string                          { return "catalog" }
func (catalogCollector) MinAPIVersion() string                 { return "" }
func (catalogCollector) CacheTTL(*config.Module) time.Duration { return 0 }
func (catalogCollector) NewState() CollectorState              { return &catalogState{} }

// catalogJob is the newest catalog job of one kind; zero end = none seen.
type catalogJob struct {
	end    time.Time
	status int64
	id     int64
}

func (c *catalogJob) fold(j *nbu.Job) {
	if j.EndTime.After(c.end) || (j.EndTime.Equal(c.end) && j.JobID > c.id) {
		*c = catalogJob{end: j.EndTime, status: j.Status, id: j.JobID}
	}
}

type catalogState struct {
	mu            sync.Mutex
	attempt, good catalogJob
	lookedUp      bool // the lookups ran: a zero good backup now means "none"
	images        imageCounts
}

func (s *catalogState) ObserveJob(j *nbu.Job) {
	if j.PolicyType != "NBU_CATALOG" || j.State != "DONE" || j.EndTime.IsZero() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempt.fold(j)
	if j.Status == 0 {
		s.good.fold(j)
	}
}

func (s *catalogState) Collect(ctx context.Context, r *Run, out *metricSet) error {
	jobsErr := s.lookup(ctx, r)
	s.export(out)
	imgErr := s.images.collect(ctx, r, out)
	return errors.Join(jobsErr, imgErr)
}

// lookup finds what the stream has not shown: the newest catalog job (one request, sorted by end
// time, one record), and, unless that one succeeded, the newest good one (one more).
func (s *catalogState) lookup(ctx context.Context, r *Run) error {
	s.mu.Lock()
	needAttempt, needGood, done := s.attempt.end.IsZero(), s.good.end.IsZero(), s.lookedUp
	s.mu.Unlock()
	if done || (!needAttempt && !needGood) {
		s.mu.Lock()
		s.lookedUp = true
		s.mu.Unlock()
		return nil
	}
	for _, q := range []struct {
		filter string
		need   bool
	}{{catalogJobsFilter, needAttempt}, {catalogJobsFilter + " and status eq 0", needGood}} {
		if !q.need {
			continue
		}
		j, ok, err := r.Client.NewestJob(ctx, q.filter)
		if err != nil {
			return fmt.Errorf("catalog: newest catalog backup: %w", err)
		}
		s.mu.Lock()
		if ok {
			// Folded directly, not through ObserveJob: the filter already chose the record.
			s.attempt.fold(&j)
			if j.Status == 0 {
				s.good.fold(&j)
			}
		}
		good := !s.good.end.IsZero()
		s.mu.Unlock()
		if good {
			break // the newest job was a good one: no second request
		}
	}
	s.mu.Lock()
	s.lookedUp = true
	s.mu.Unlock()
	return nil
}

// export writes the catalog job series. Until the lookup has answered, a missing good backup is
// unknown, not "never", and is left out.
func (s *catalogState) export(out *metricSet) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.good.end.IsZero() || s.lookedUp {
		out.gauge(descCatalogLastBackup, unixSeconds(s.good.end))
	}
	if !s.attempt.end.IsZero() {
		out.gauge(descCatalogLastAttempt, unixSeconds(s.attempt.end))
		out.gauge(descCatalogLastStatus, float64(s.attempt.status))
	}
}
