package config

import "time"

// MaxSLOPageSize caps slo.page_size: the spec gives /servicecatalog/slos no maximum, and each
// record carries its plan's whole policy definition.
const MaxSLOPageSize = 500

// SLOConfig tunes the slo collector (protection plans).
type SLOConfig struct {
	CacheTTL Duration `yaml:"cache_ttl"`
	PageSize int      `yaml:"page_size"`
}

// applySLODefaults: plans and their subscriptions change when someone edits them, rarely.
func applySLODefaults(m *Module) {
	m.SLO = SLOConfig{CacheTTL: Duration(time.Hour), PageSize: 100}
}

func validateSLO(m *Module) error {
	if err := checkDurations(durationCheck{"slo.cache_ttl", m.SLO.CacheTTL, true}); err != nil {
		return err
	}
	return checkRanges(rangeCheck{"slo.page_size", m.SLO.PageSize, 1, MaxSLOPageSize})
}
