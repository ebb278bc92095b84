package prober

import (
	"context"
	"hash/maphash"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

var (
	descSLOCount = newDesc("nbu_slo_count",
		"Protection plans (SLOs) NetBackup lists, over every page of /servicecatalog/slos.")
	descSLOSubscriptions = newDesc("nbu_slo_subscriptions",
		"Assets and asset groups subscribed to the protection plan (subscriptionCount), by plan name and workload type.", "slo", "workload_type")
)

// sloCollector counts the protection plans and their subscriptions from /servicecatalog/slos
// (servicecatalog spec of 10.3 to 11.0; 11.2 keeps the endpoint), cached slo.cache_ttl. The list
// carries each plan's subscriptionCount: no request per plan.
type sloCollector struct{}

func (sloCollector) Name() string          { return "slo" }
func (sloCollector) MinAPIVersion() string { return "" }
func (sloCollector) CacheTTL(m *config.Module) time.Duration {
	return time.Duration(m.SLO.CacheTTL)
}
func (sloCollector) NewState() CollectorState { return sloState{} }

type sloState struct{}

func (sloState) Collect(ctx context.Context, r *Run, out *metricSet) error {
	// Ids are kept as hashes (8 bytes a plan, whatever a server sends as an id).
	seed, seen := maphash.MakeSeed(), map[uint64]struct{}{}
	// The per-plan series leave room for the count and the fetch time, which come once the list
	// is read: max_series cuts plans, never the count.
	room := r.Module.MaxSeries - 2
	plans, kept, cut := 0, 0, 0
	err := r.Client.SLOs(ctx, r.Module.SLO.PageSize, func(s *nbu.SLO) error {
		if s.ID != "" {
			// A plan created while paging shifts the offsets: the one pushed onto the next page
			// is counted once.
			h := maphash.String(seed, s.ID)
			if _, dup := seen[h]; dup {
				return nil
			}
			seen[h] = struct{}{}
		}
		plans++
		switch {
		case !s.Subscriptions.OK:
		case kept >= room:
			cut++
		case out.gauge(descSLOSubscriptions, float64(s.Subscriptions.V), s.Name, s.WorkloadType):
			kept++
		}
		return nil
	})
	if err != nil {
		return optionalOr("protection plans", err)
	}
	out.leftOut(cut)
	out.gauge(descSLOCount, float64(plans))
	out.gauge(descLastScrape, float64(r.Now().UnixNano())/1e9, "slo")
	return nil
}
