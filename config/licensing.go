package config

import "time"

// LicensingConfig tunes the licensing collector (capacity used and licensed, entitlement expiry).
type LicensingConfig struct {
	// CacheTTL is how long one read (the capacity report and the entitlements) is reused: NetBackup
	// updates its capacity figures daily at most, and licences change by hand.
	CacheTTL Duration `yaml:"cache_ttl"`
}

// CertificatesConfig tunes the certificates collector (NetBackup host certificates).
type CertificatesConfig struct {
	// CacheTTL is how long the certificate list is reused: certificates are renewed months before
	// they expire, and the alert warns thirty days ahead.
	CacheTTL Duration `yaml:"cache_ttl"`
}

// applyLicensingDefaults sets the licensing and certificates collectors' defaults on m.
func applyLicensingDefaults(m *Module) {
	m.Licensing = LicensingConfig{CacheTTL: Duration(time.Hour)}
	m.Certificates = CertificatesConfig{CacheTTL: Duration(time.Hour)}
}

func validateLicensing(m *Module) error {
	return checkDurations(
		durationCheck{"licensing.cache_ttl", m.Licensing.CacheTTL, true},
		durationCheck{"certificates.cache_ttl", m.Certificates.CacheTTL, true},
	)
}
