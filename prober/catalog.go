package prober

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-kit/log/level"

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
	lookedUp      bool // the lookups ran: a zero good backup now means "none"...
	// ...unless the primary answered a lookup with a job its filter excludes: then it ignores the
	// filter, and a lookup finds nothing either way.
	filterIgnored bool
	images        imageCounts
	skips         endpointSkips
}

// finishedCatalogJob reports whether j (normalizeJob'd) is a finished catalog backup: what the job
// stream and the lookups both fold. A lookup's answer is checked too: a primary that ignores the
// filter answers with whatever job ended last (an IMAGEDELETE, a client's backup).
func finishedCatalogJob(j *nbu.Job) bool {
	return j.PolicyType == "NBU_CATALOG" && j.State == "DONE" && !j.EndTime.IsZero()
}

func (s *catalogState) ObserveJob(j *nbu.Job) {
	if !finishedCatalogJob(j) || j.StatusAbsent {
		return // a record without a status is neither a good backup nor a failed attempt
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempt.fold(j)
	if j.Status == 0 {
		s.good.fold(j)
	}
}

// Collect runs the lookups and the image counts. An endpoint the primary does not serve is
// reported skipped (nbu_collector_endpoint_skipped) and not asked again for skipMemory; the other
// part is still reported. When neither is served the collector is skipped.
func (s *catalogState) Collect(ctx context.Context, r *Run, out *metricSet) error {
	now := r.Now()
	parts := []struct {
		endpoint string
		run      func() error
	}{
		{jobsEndpoint, func() error { return s.lookup(ctx, r) }},
		{"/catalog/images", func() error { return s.images.collect(ctx, r, out) }},
	}
	var errs []error
	skipped := 0
	for _, p := range parts {
		err := s.skips.skipped(p.endpoint, r.Version, now)
		remembered := err != nil
		if !remembered {
			err = p.run()
			s.skips.note(p.endpoint, r.Version, now, err)
		}
		if missing(err) {
			level.Info(r.Logger).Log("msg", "catalog endpoint skipped", "endpoint", p.endpoint, "remembered", remembered, "reason", err)
			out.gauge(descCollectorEndpointSkipped, 1, "catalog", p.endpoint)
			skipped++
			continue
		}
		errs = append(errs, err)
	}
	s.export(out)
	if skipped == len(parts) {
		return fmt.Errorf("catalog: neither the jobs nor the images served: %w", ErrSkipped)
	}
	return errors.Join(errs...)
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
		normalizeJob(&j)
		if ok && !finishedCatalogJob(&j) {
			level.Warn(r.Logger).Log("msg", "the primary answered the catalog backup lookup with another job: it ignores the filter; catalog backups are known from the job stream only",
				"job_type", j.JobType, "policy_type", j.PolicyType, "state", j.State)
			s.mu.Lock()
			s.filterIgnored = true
			s.mu.Unlock()
			break
		}
		s.mu.Lock()
		if ok && !j.StatusAbsent {
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

// export writes the catalog job series. Until the lookup has answered (and if it could not, the
// primary ignoring its filter), a missing good backup is unknown, not "never", and is left out.
func (s *catalogState) export(out *metricSet) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.good.end.IsZero() || (s.lookedUp && !s.filterIgnored) {
		out.gauge(descCatalogLastBackup, unixSeconds(s.good.end))
	}
	if !s.attempt.end.IsZero() {
		out.gauge(descCatalogLastAttempt, unixSeconds(s.attempt.end))
		out.gauge(descCatalogLastStatus, float64(s.attempt.status))
	}
}
