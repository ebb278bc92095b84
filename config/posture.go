package config

import (
	"slices"
	"time"
)

// Limits of the posture collectors' settings.
const (
	MaxRequestsPerProbe = 1000
	MaxClientSeries     = 1000000
	MaxAlertsPageSize   = 500 // the spec gives none; a sanity cap
	MaxSLPPageSize      = 1000
)

// ClientsConfig tunes the clients collector (last backups per client, from the job stream).
type ClientsConfig struct {
	// MaxRequestsPerProbe bounds the requests one probe spends finding the last good backup of
	// clients that no job of the look-back window showed (the backfill).
	MaxRequestsPerProbe int `yaml:"max_requests_per_probe"`
	// MaxSeries caps the clients exported per target (each gives up to three series).
	MaxSeries int `yaml:"max_series"`
	// SuccessStatuses are the job status codes that count as a good backup (0 = successful,
	// 1 = partially successful).
	SuccessStatuses []int `yaml:"success_statuses"`
}

// PoliciesConfig tunes the policies collector.
type PoliciesConfig struct {
	CacheTTL Duration `yaml:"cache_ttl"`
	// MaxRequestsPerProbe bounds the policy detail reads (one per policy) of one probe; a large
	// master's client lists are then complete after a few probes.
	MaxRequestsPerProbe int `yaml:"max_requests_per_probe"`
}

// CatalogConfig tunes the catalog collector.
type CatalogConfig struct {
	// ImagesCacheTTL is how long the image counts (one small request per status) are reused.
	ImagesCacheTTL Duration `yaml:"images_cache_ttl"`
	// ImagesLookback is the backupTime window the image counts cover.
	ImagesLookback Duration `yaml:"images_lookback"`
}

// SLPConfig tunes the slp collector.
type SLPConfig struct {
	CacheTTL Duration `yaml:"cache_ttl"`
	PageSize int      `yaml:"page_size"`
}

// AlertsConfig tunes the alerts collector.
type AlertsConfig struct {
	CacheTTL Duration `yaml:"cache_ttl"`
	PageSize int      `yaml:"page_size"`
}

// MalwareConfig tunes the malware collector.
type MalwareConfig struct {
	CacheTTL Duration `yaml:"cache_ttl"`
	// Lookback is the backupTime window of the images whose latest scan results are summed: the
	// endpoint otherwise lists every image ever scanned.
	Lookback Duration `yaml:"lookback"`
}

// applyPostureDefaults sets the posture collectors' defaults on m.
func applyPostureDefaults(m *Module) {
	m.Clients = ClientsConfig{MaxRequestsPerProbe: 10, MaxSeries: 20000, SuccessStatuses: []int{0, 1}}
	m.Policies = PoliciesConfig{CacheTTL: Duration(time.Hour), MaxRequestsPerProbe: 10}
	m.Catalog = CatalogConfig{ImagesCacheTTL: Duration(time.Hour), ImagesLookback: Duration(24 * time.Hour)}
	m.SLP = SLPConfig{CacheTTL: Duration(15 * time.Minute), PageSize: MaxSLPPageSize}
	m.Alerts = AlertsConfig{CacheTTL: Duration(5 * time.Minute), PageSize: 100}
	m.Malware = MalwareConfig{CacheTTL: Duration(time.Hour), Lookback: Duration(24 * time.Hour)}
}

func validatePosture(m *Module) error {
	err := checkDurations(
		durationCheck{"policies.cache_ttl", m.Policies.CacheTTL, true},
		durationCheck{"catalog.images_cache_ttl", m.Catalog.ImagesCacheTTL, true},
		durationCheck{"catalog.images_lookback", m.Catalog.ImagesLookback, false},
		durationCheck{"slp.cache_ttl", m.SLP.CacheTTL, true},
		durationCheck{"alerts.cache_ttl", m.Alerts.CacheTTL, true},
		durationCheck{"malware.cache_ttl", m.Malware.CacheTTL, true},
		durationCheck{"malware.lookback", m.Malware.Lookback, false},
	)
	if err != nil {
		return err
	}
	err = checkRanges(
		rangeCheck{"clients.max_requests_per_probe", m.Clients.MaxRequestsPerProbe, 0, MaxRequestsPerProbe},
		rangeCheck{"clients.max_series", m.Clients.MaxSeries, 1, MaxClientSeries},
		rangeCheck{"policies.max_requests_per_probe", m.Policies.MaxRequestsPerProbe, 1, MaxRequestsPerProbe},
		rangeCheck{"slp.page_size", m.SLP.PageSize, 1, MaxSLPPageSize},
		rangeCheck{"alerts.page_size", m.Alerts.PageSize, 1, MaxAlertsPageSize},
	)
	if err != nil {
		return err
	}
	return validateStatuses(m)
}

func validateStatuses(m *Module) error {
	const path = "clients.success_statuses"
	if len(m.Clients.SuccessStatuses) == 0 {
		return keyError(path, "at least one status code is required (e.g. [0, 1])")
	}
	for i, s := range m.Clients.SuccessStatuses {
		if s < 0 || s > 9999 {
			return keyError(path, "status %d is not a NetBackup status code (0..9999)", s)
		}
		if slices.Index(m.Clients.SuccessStatuses, s) < i {
			return keyError(path, "status %d listed twice", s)
		}
	}
	return nil
}
