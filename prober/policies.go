package prober

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

const policiesCollectorName = "policies"

var (
	descPolicyInfo = newDesc("nbu_policy_info",
		"A NetBackup policy (constant 1; the information is in the labels: policy_type in the job API's spelling, active empty when not sent).", "policy", "policy_type", "active")
	descPolicyClients = newDesc("nbu_policy_clients_count",
		"Clients listed in the policy (known once the policy's detail has been read).", "policy")
)

// policiesCollector lists the policies (cached policies.cache_ttl) and reads each one's detail for
// its clients, at most policies.max_requests_per_probe details per probe, so that a master with
// thousands of policies costs a bounded number of requests per probe. The seam does not cache it
// (CacheTTL 0): each probe resumes the detail reads where the last one stopped, and serves the
// state otherwise without a request.
type policiesCollector struct{}

func (policiesCollector) Name() string                          { return policiesCollectorName }
func (policiesCollector) MinAPIVersion() string                 { return "" }
func (policiesCollector) CacheTTL(*config.Module) time.Duration { return 0 }
func (policiesCollector) NewState() CollectorState              { return &policiesState{} }

type policiesState struct {
	mu        sync.Mutex
	listed    []nbu.Policy        // the last list, in order
	clients   map[string][]string // policy -> clients, from its detail
	pending   []string            // policies whose detail this list cycle has not read yet
	fetchedAt time.Time           // when the list was read
	freqOf    map[string]int64    // policy -> its clients' promised frequency in seconds (rpo.go)
	freqs     *clientFreqs        // the clients' frequencies, built from freqOf; nil when stale
}

func (s *policiesState) Collect(ctx context.Context, r *Run, out *metricSet) error {
	now := r.Now()
	var errs []error
	if s.listStale(now, time.Duration(r.Module.Policies.CacheTTL)) {
		if err := s.refreshList(ctx, r, now); err != nil {
			if missing(err) {
				return skippedOr("policies", err)
			}
			errs = append(errs, err)
		}
	}
	if err := s.readDetails(ctx, r); err != nil {
		errs = append(errs, err)
	}
	s.export(out)
	return errors.Join(errs...)
}

func (s *policiesState) listStale(now time.Time, ttl time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetchedAt.IsZero() || now.Sub(s.fetchedAt) >= ttl
}

// refreshList reads the policy list and queues every policy's detail again: a policy's clients
// change without its list entry changing.
func (s *policiesState) refreshList(ctx context.Context, r *Run, now time.Time) error {
	list, err := r.Client.Policies(ctx, 0)
	if err != nil {
		return fmt.Errorf("policies: %w", err)
	}
	names := make([]string, 0, len(list))
	listedNow := make(map[string]bool, len(list))
	for _, p := range list {
		names = append(names, p.Name)
		listedNow[p.Name] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listed, s.pending, s.fetchedAt = list, names, now
	if s.clients == nil {
		s.clients = map[string][]string{}
	}
	for name := range s.clients {
		if !listedNow[name] {
			delete(s.clients, name)
			s.forgetSchedules(name)
		}
	}
	return nil
}

// readDetails reads up to the budget of pending details. A policy deleted since the list (404) is
// dropped; another error stops this probe's reads, to be resumed by the next.
func (s *policiesState) readDetails(ctx context.Context, r *Run) error {
	s.mu.Lock()
	batch := slices.Clone(s.pending[:min(len(s.pending), r.Module.Policies.MaxRequestsPerProbe)])
	s.mu.Unlock()
	for _, name := range batch {
		d, err := r.Client.PolicyDetail(ctx, name)
		var ae *nbu.APIError
		if err != nil && !(errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound) {
			// To the back of the queue, so that one policy that keeps failing does not hold
			// up the others.
			s.mu.Lock()
			s.pending = append(slices.DeleteFunc(s.pending, func(p string) bool { return p == name }), name)
			s.mu.Unlock()
			return fmt.Errorf("policy %q: %w", name, err)
		}
		s.mu.Lock()
		s.pending = slices.DeleteFunc(s.pending, func(p string) bool { return p == name })
		if err == nil {
			s.clients[name] = d.Clients
			s.noteSchedules(name, d)
		}
		s.mu.Unlock()
	}
	s.mu.Lock()
	pending := len(s.pending)
	s.mu.Unlock()
	level.Debug(r.Logger).Log("msg", "policy details read", "read", len(batch), "pending", pending)
	return nil
}

func (s *policiesState) export(out *metricSet) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.listed {
		// A policy listed twice (pages shifting under the offset walk) is one series: the repeat
		// is counted in nbu_series_dropped.
		if !out.gauge(descPolicyInfo, 1, p.Name, p.Type, boolLabel(p.Active)) {
			continue
		}
		if cl, ok := s.clients[p.Name]; ok {
			out.gauge(descPolicyClients, float64(len(cl)), p.Name)
		}
	}
	if !s.fetchedAt.IsZero() {
		out.gauge(descLastScrape, float64(s.fetchedAt.UnixNano())/1e9, policiesCollectorName)
	}
}

// clientNames returns every client named in a policy detail read so far, sorted and deduplicated.
func (s *policiesState) clientNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, cl := range s.clients {
		out = append(out, cl...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
