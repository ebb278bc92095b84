package prober

import (
	"context"
	"hash/maphash"
	"strings"
	"time"

	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// A storage server is named by its name and its type (sType): one host can be the storage server
// of an MSDP pool and of an AdvancedDisk pool, as NetBackup's "<sType>:<name>" ids say.
var (
	descStorageServerUp = newDesc("nbu_storage_server_up",
		"1 when the storage server's storageServerState is UP, 0 when it is DOWN or anything else (no series when the state is not given).", "name", "type")
	descStorageServerInfo = newDesc("nbu_storage_server_info",
		"Storage server (constant 1): its storage category and the NetBackup version of its host (nbuHostVersion, which NetBackup gives for MSDP and AdvancedDisk servers only; empty otherwise).", "name", "type", "category", "version")
	descStorageServerMedia = newDesc("nbu_storage_server_additional_media_servers",
		"Media servers added to the storage server besides its own host (additionalMediaServersDetails): those that can read and write its storage.", "name", "type")
	descStorageServerPoolSize = newDesc("nbu_storage_server_pool_size_bytes",
		"Size of an MSDP storage server's storage pool (msdpAttributes.storagePoolDetails.sizeBytes).", "name", "type")
	descStorageServerPoolUsed = newDesc("nbu_storage_server_pool_used_bytes",
		"Used space of an MSDP storage server's storage pool (usedSpaceBytes).", "name", "type")
	descStorageServerPoolAvailable = newDesc("nbu_storage_server_pool_available_bytes",
		"Available space of an MSDP storage server's storage pool (availableSpaceBytes).", "name", "type")
)

// storageServersCollector reports the storage servers (GET /storage/storage-servers, in the
// storage spec of every release), cached storage_servers.cache_ttl. A role without the
// storage-servers view permission has it skipped, not failed.
type storageServersCollector struct{}

func (storageServersCollector) Name() string          { return "storage_servers" }
func (storageServersCollector) MinAPIVersion() string { return "" }
func (storageServersCollector) CacheTTL(m *config.Module) time.Duration {
	return time.Duration(m.StorageServers.CacheTTL)
}
func (storageServersCollector) NewState() CollectorState { return storageServersState{} }

// storageServersState keeps nothing: the seam caches the series.
type storageServersState struct{}

func (storageServersState) Collect(ctx context.Context, r *Run, out *metricSet) error {
	// Kept as hashes: 8 bytes a server, whatever its name's length.
	seed, seen := maphash.MakeSeed(), map[uint64]struct{}{}
	err := r.Client.StorageServers(ctx, 0, func(s *nbu.StorageServer) error {
		key := maphash.String(seed, s.SType+"\x00"+s.Name)
		if _, dup := seen[key]; dup {
			return nil // listed twice (offsets shifted while paging): reported once
		}
		seen[key] = struct{}{}
		storageServerSeries(s, out)
		return nil
	})
	if err != nil {
		return optionalOr("storage servers", err)
	}
	level.Debug(r.Logger).Log("msg", "storage servers fetched", "count", len(seen))
	out.gauge(descLastScrape, float64(r.Now().UnixNano())/1e9, "storage_servers")
	return nil
}

// storageServerSeries writes one server's series; a field it was not sent has no series.
func storageServerSeries(s *nbu.StorageServer, out *metricSet) {
	if !out.gauge(descStorageServerInfo, 1, s.Name, s.SType, s.Category, s.Version) {
		return
	}
	if s.State != "" {
		out.gauge(descStorageServerUp, boolGauge(strings.EqualFold(s.State, "UP")), s.Name, s.SType)
	}
	gaugeKnown(out, descStorageServerMedia, s.AdditionalMediaServers, 1, s.Name, s.SType)
	gaugeKnown(out, descStorageServerPoolSize, s.Pool.SizeBytes, 1, s.Name, s.SType)
	gaugeKnown(out, descStorageServerPoolUsed, s.Pool.UsedBytes, 1, s.Name, s.SType)
	gaugeKnown(out, descStorageServerPoolAvailable, s.Pool.AvailableBytes, 1, s.Name, s.SType)
}
