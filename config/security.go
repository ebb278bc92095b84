package config

import "time"

// Limits of the security collector's settings.
const (
	MaxSecurityAnomalies = 1_000_000
	maxAPIKeyTagBytes    = 256
)

// SecurityConfig tunes the security collector (/security/status, /security/anomalies and the
// expiry of the module's own API key).
type SecurityConfig struct {
	// CacheTTL is how long one read of the three endpoints is reused.
	CacheTTL Duration `yaml:"cache_ttl"`
	// AnomaliesLookback is the creation-time window of the anomalies counted.
	AnomaliesLookback Duration `yaml:"anomalies_lookback"`
	// MaxAnomalies bounds the anomalies one read counts (100 a request); past it the counts are
	// marked truncated.
	MaxAnomalies int `yaml:"max_anomalies"`
}

func applySecurityDefaults(m *Module) {
	m.Security = SecurityConfig{
		CacheTTL:          Duration(15 * time.Minute),
		AnomaliesLookback: Duration(7 * 24 * time.Hour),
		MaxAnomalies:      10000,
	}
}

func validateSecurity(m *Module) error {
	err := checkDurations(
		durationCheck{"security.cache_ttl", m.Security.CacheTTL, true},
		durationCheck{"security.anomalies_lookback", m.Security.AnomaliesLookback, false},
	)
	if err != nil {
		return err
	}
	if err := checkRanges(rangeCheck{"security.max_anomalies", m.Security.MaxAnomalies, 1, MaxSecurityAnomalies}); err != nil {
		return err
	}
	return validateAPIKeyTag(m)
}

// validateAPIKeyTag checks api_key_tag, which names the module's own API key so that the security
// collector can report its expiry. A module that logs in has no API key: a tag there names a key
// the module does not use, so it is refused rather than silently ignored.
func validateAPIKeyTag(m *Module) error {
	const path = "api_key_tag"
	switch tag := m.APIKeyTag; {
	case tag == "":
		return nil
	case m.Username != "" || m.Password != "" || m.PasswordFile != "" || m.PasswordEnv != "":
		return keyError(path, "names the tag of the module's API key, but the module logs in (username) and has none")
	case tag == string(m.APIKey):
		// The tag goes in a query string, which servers and proxies log: never the key.
		return keyError(path, "is the API key itself; it takes the key's tag, which NetBackup shows beside the key")
	case len(tag) > maxAPIKeyTagBytes:
		return keyError(path, "longer than %d bytes", maxAPIKeyTagBytes)
	case !validKey(tag):
		return keyError(path, "contains whitespace or control characters")
	}
	return nil
}
