package prober

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// The licensing API gives capacity in MB and capacity licences in TB without saying which base:
// MB is read as 2^20 bytes (as the storage units' MB are) and TB as 2^40, so the share of the
// licence used is right whatever base NetBackup means.
const (
	bytesPerMB = 1 << 20
	bytesPerTB = 1 << 40
)

var (
	descLicenseCapacityUsed = newDesc("nbu_license_capacity_used_bytes",
		"Front-end data the primary protects, as NetBackup's capacity licensing measures it: masterConsumptionMB of the primary's /licensing/capacity report (MB read as 2^20 bytes).")
	descLicenseCapacity = newDesc("nbu_license_capacity_bytes",
		"Capacity licensed by the active entitlements of a capacity meter (FETB, FETB_PLUS): the sum of their licenseCount in TB, read as 2^40 bytes.", "meter")
	descLicenseUnits = newDesc("nbu_license_units",
		"Sum of licenseCount over the active entitlements of a licence meter, in the meter's unit (TB for FETB and FETB_PLUS, processors for CPU, servers for SERVER).", "meter")
	descLicenseExpiry = newDesc("nbu_license_expiry_timestamp_seconds",
		"End date (endDate) of each entitlement; entitlements without one have no series.", "entitlement", "product", "meter", "type", "status")
	descLicenseServiceExpiry = newDesc("nbu_license_service_expiry_timestamp_seconds",
		"Service (support) expiration date (serviceExpiration) of each entitlement; entitlements without one have no series.", "entitlement", "product", "meter", "type", "status")
)

// capacityMeters are the licence meters whose count is a capacity in TB.
var capacityMeters = map[string]bool{"FETB": true, "FETB_PLUS": true}

// licensingCollector reports the capacity used against the capacity licensed, and when each
// entitlement ends, cached licensing.cache_ttl. A role that may read one of its two endpoints and
// not the other gets the series of the one it may read.
type licensingCollector struct{}

func (licensingCollector) Name() string          { return "licensing" }
func (licensingCollector) MinAPIVersion() string { return "" }
func (licensingCollector) CacheTTL(m *config.Module) time.Duration {
	return time.Duration(m.Licensing.CacheTTL)
}
func (licensingCollector) NewState() CollectorState { return &licensingState{} }

// licensingState keeps the primary's name, which the capacity report is filtered on.
type licensingState struct {
	// primary is serverinfo's serverName, read once per session: a primary's name does not change
	// under a target.
	primary string
}

func (s *licensingState) Collect(ctx context.Context, r *Run, out *metricSet) error {
	return collectParts(ctx, r, out, "licensing", []endpointPart{
		{"/licensing/capacity", "", s.collectCapacity},
		{"/licensing/entitlements", "", collectEntitlements},
	})
}

func (s *licensingState) collectCapacity(ctx context.Context, r *Run, out *metricSet) error {
	name := s.primaryName(ctx, r)
	reports, err := r.Client.LicensingCapacity(ctx, name)
	if err != nil {
		return fmt.Errorf("capacity report of primary %q: %w", name, err)
	}
	rep, ok := primaryReport(reports, name)
	switch {
	case !ok:
		level.Debug(r.Logger).Log("msg", "no capacity report names this primary", "primary", name, "reports", len(reports))
	case rep.ConsumptionMB.OK && rep.ConsumptionMB.V >= 0:
		out.gauge(descLicenseCapacityUsed, rep.ConsumptionMB.V*bytesPerMB)
	}
	return nil
}

// primaryName is the name NetBackup knows the primary by (serverinfo's serverName); when
// serverinfo does not give it, the target's host, which is not remembered so that the next run
// asks serverinfo again.
func (s *licensingState) primaryName(ctx context.Context, r *Run) string {
	if s.primary != "" {
		return s.primary
	}
	info, err := r.Client.ServerInfo(ctx)
	if err == nil && info.ServerName != "" {
		s.primary = info.ServerName
		return s.primary
	}
	host := ""
	if u, perr := url.Parse(r.Client.BaseURL()); perr == nil {
		host = u.Hostname()
	}
	level.Debug(r.Logger).Log("msg", "serverinfo gave no serverName: the capacity report is filtered on the target's host", "host", host, "err", err)
	return host
}

// primaryReport picks the primary's report: the one whose id is its name, else the only one (the
// filter left one record). Several others say the server ignored the filter: none is the primary's.
func primaryReport(reports []nbu.CapacityReport, name string) (nbu.CapacityReport, bool) {
	for _, rep := range reports {
		if strings.EqualFold(rep.ID, name) {
			return rep, true
		}
	}
	if len(reports) == 1 {
		return reports[0], true
	}
	return nbu.CapacityReport{}, false
}

func collectEntitlements(ctx context.Context, r *Run, out *metricSet) error {
	now := r.Now()
	counts := map[string]float64{} // by meter; bounded by the entitlement walk's bound
	seen := map[string]struct{}{}
	err := r.Client.Entitlements(ctx, func(e *nbu.Entitlement) error {
		if e.ID != "" {
			// An entitlement added while paging pushes one onto the next page: counted once.
			if _, dup := seen[e.ID]; dup {
				return nil
			}
			seen[e.ID] = struct{}{}
		}
		meter, typ, status := enumLabel(e.LicenseMeter), enumLabel(e.LicenseType), enumLabel(e.Status)
		if !e.EndDate.IsZero() {
			out.gauge(descLicenseExpiry, unixSeconds(e.EndDate), e.ID, e.ProductName, meter, typ, status)
		}
		if !e.ServiceExpiration.IsZero() {
			out.gauge(descLicenseServiceExpiry, unixSeconds(e.ServiceExpiration), e.ID, e.ProductName, meter, typ, status)
		}
		if n := e.LicenseCount; meter != "" && n.OK && n.V >= 0 && entitlementActive(status, e.EndDate, now) {
			counts[meter] += n.V
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("entitlements: %w", err)
	}
	for meter, n := range counts {
		out.gauge(descLicenseUnits, n, meter)
		if capacityMeters[meter] {
			out.gauge(descLicenseCapacity, n*bytesPerTB, meter)
		}
	}
	return nil
}

// entitlementActive says whether an entitlement counts towards what is licensed: its status is
// ACTIVE, or it has none and has not ended.
func entitlementActive(status string, end, now time.Time) bool {
	if status != "" {
		return status == "ACTIVE"
	}
	return end.IsZero() || end.After(now)
}

// enumWordJoin joins the words of an enum value as the spec spells them.
var enumWordJoin = strings.NewReplacer(" ", "_", "-", "_")

// enumLabel is an enum value in the spec's spelling whatever the server's: upper case, words
// joined by underscores ("fetb plus" and "FETB-PLUS" are FETB_PLUS).
func enumLabel(v string) string {
	return enumWordJoin.Replace(strings.ToUpper(strings.TrimSpace(v)))
}
