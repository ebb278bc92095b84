package config

import "time"

// Limits of the services collector's settings.
const (
	MaxServicesHostsPerProbe = 100
	MaxServicesHosts         = 10000
)

// ServicesConfig tunes the services collector (the NetBackup services of the primary and media
// servers, from /admin/hosts/{hostId}/services).
type ServicesConfig struct {
	// CacheTTL is how long one host's services are reused before they are read again.
	CacheTTL Duration `yaml:"cache_ttl"`
	// HostsCacheTTL is how long the list of primary and media servers (/config/hosts) is reused.
	HostsCacheTTL Duration `yaml:"hosts_cache_ttl"`
	// HostsPerProbe bounds the hosts whose services one probe reads (one request each); the others
	// wait for the next probes.
	HostsPerProbe int `yaml:"hosts_per_probe"`
	// MaxHosts caps the hosts followed per target (the primary first, then media servers by name).
	MaxHosts int `yaml:"max_hosts"`
}

func applyServicesDefaults(m *Module) {
	m.Services = ServicesConfig{
		CacheTTL:      Duration(10 * time.Minute),
		HostsCacheTTL: Duration(time.Hour),
		HostsPerProbe: 2,
		MaxHosts:      200,
	}
}

func validateServices(m *Module) error {
	err := checkDurations(
		durationCheck{"services.cache_ttl", m.Services.CacheTTL, true},
		durationCheck{"services.hosts_cache_ttl", m.Services.HostsCacheTTL, true},
	)
	if err != nil {
		return err
	}
	return checkRanges(
		rangeCheck{"services.hosts_per_probe", m.Services.HostsPerProbe, 1, MaxServicesHostsPerProbe},
		rangeCheck{"services.max_hosts", m.Services.MaxHosts, 1, MaxServicesHosts},
	)
}
