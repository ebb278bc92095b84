package config

import "time"

// applyStorageServersDefaults: a storage server's state changes within minutes, as a disk pool's.
func applyStorageServersDefaults(m *Module) {
	m.StorageServers = CacheConfig{CacheTTL: Duration(5 * time.Minute)}
}

func validateStorageServers(m *Module) error {
	return checkDurations(durationCheck{"storage_servers.cache_ttl", m.StorageServers.CacheTTL, true})
}
