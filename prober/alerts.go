package prober

import (
	"context"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

var (
	descAlertsCount = newDesc("nbu_alerts_count",
		"Alerts NetBackup lists (every page of /manage/alerts; the API has no resolved state, so every listed alert counts as not yet resolved).", "severity", "category")
	descAlertsNewest = newDesc("nbu_alerts_newest_timestamp_seconds",
		"Creation time of the newest alert; 0 when there is none (no series when no alert gives its createdDateTime).")
)

// alertsCollector counts the alerts over every page of /manage/alerts (the single-target exporter
// reads the first page only), cached alerts.cache_ttl. Only the counts are held, not the alerts.
type alertsCollector struct{}

func (alertsCollector) Name() string          { return "alerts" }
func (alertsCollector) MinAPIVersion() string { return "" }
func (alertsCollector) CacheTTL(m *config.Module) time.Duration {
	return time.Duration(m.Alerts.CacheTTL)
}
func (alertsCollector) NewState() CollectorState { return alertsState{} }

type alertsState struct{}

func (alertsState) Collect(ctx context.Context, r *Run, out *metricSet) error {
	counts := map[[2]string]int{}
	seen := map[string]struct{}{}
	var newest time.Time
	err := r.Client.Alerts(ctx, nbu.AlertsQuery{Sort: "-createdDateTime", PageSize: r.Module.Alerts.PageSize}, func(a *nbu.Alert) error {
		if a.ID != "" {
			// An alert created while paging shifts the offsets: the one pushed onto the next
			// page is not counted twice.
			if _, dup := seen[a.ID]; dup {
				return nil
			}
			seen[a.ID] = struct{}{}
		}
		counts[[2]string{a.Severity, a.Category}]++
		if a.Created.After(newest) {
			newest = a.Created
		}
		return nil
	})
	if err != nil {
		return skippedOr("alerts", err)
	}
	for k, n := range counts {
		out.gauge(descAlertsCount, float64(n), k[0], k[1])
	}
	// 0 says there is no alert; alerts none of which gives its creation time say nothing.
	if !newest.IsZero() || len(counts) == 0 {
		out.gauge(descAlertsNewest, unixSeconds(newest))
	}
	out.gauge(descLastScrape, float64(r.Now().UnixNano())/1e9, "alerts")
	return nil
}
