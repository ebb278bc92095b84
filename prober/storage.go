package prober

import (
	"context"
	"time"

	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// storageCollector reports the storage units; they change slowly, so a run's series are reused
// for storage.cache_ttl.
type storageCollector struct{}

func (storageCollector) Name() string          { return "storage" }
func (storageCollector) MinAPIVersion() string { return "" }
func (storageCollector) CacheTTL(m *config.Module) time.Duration {
	return time.Duration(m.Storage.CacheTTL)
}
func (storageCollector) NewState() CollectorState { return storageState{} }

// storageState keeps nothing: the seam caches the series.
type storageState struct{}

func (storageState) Collect(ctx context.Context, r *Run, out *metricSet) error {
	units, err := r.Client.StorageUnits(ctx, r.Module.Storage.PageSize)
	if err != nil {
		return skippedOr("storage units", err)
	}
	fetchedAt := r.Now()
	level.Debug(r.Logger).Log("msg", "storage units fetched", "count", len(units))
	byCategory := map[string]int{}
	for i := range units {
		u := &units[i]
		// A unit listed twice (a server bug, or pages shifting under an offset walk), or whose name
		// equals another's once made a label value, is one series: the first is kept, the repeat
		// counted in nbu_series_dropped.
		if !out.gauge(descStorageInfo, 1, u.Name, u.StorageServerType, u.StorageSubType, u.StorageCategory,
			boolLabel(u.IsCloudSTU), boolLabel(u.WormCapable), boolLabel(u.UseWorm),
			boolLabel(u.ReplicationCapable), boolLabel(u.InstantAccessEnabled)) {
			continue
		}
		byCategory[u.StorageCategory]++
		if !reportsCapacity(u) {
			continue
		}
		// A figure the unit's record leaves out is no series (not a 0 that reads as a full disk).
		gaugeKnown(out, descDiskBytes, u.FreeCapacityBytes, 1, u.Name, u.StorageServerType, "free")
		gaugeKnown(out, descDiskBytes, u.UsedCapacityBytes, 1, u.Name, u.StorageServerType, "used")
		gaugeKnown(out, descDiskCapacity, u.TotalCapacityBytes, 1, u.Name, u.StorageServerType)
		gaugeKnown(out, descStorageMaxJobs, u.MaxConcurrentJobs, 1, u.Name, u.StorageServerType)
		gaugeKnown(out, descStorageMaxFragment, u.MaxFragmentSizeMegabytes, 1024*1024, u.Name, u.StorageServerType)
	}
	for cat, n := range byCategory {
		out.gauge(descStorageUnits, float64(n), cat)
	}
	out.gauge(descLastScrape, float64(fetchedAt.UnixNano())/1e9, "storage")
	return nil
}

// reportsCapacity is false for units whose capacity NetBackup does not report: tape, and cloud
// units (the spec: "not applicable for Cloud and CloudCatalyst") that send zeros, which would
// otherwise read as a full disk.
func reportsCapacity(u *nbu.StorageUnit) bool {
	switch {
	case u.StorageCategory == "TAPE" || u.StorageType == "Tape":
		return false
	case u.IsCloudSTU.V || u.StorageCategory == "CLOUD" || u.StorageCategory == "CLOUD_CATALYST":
		return u.TotalCapacityBytes.V > 0
	}
	return true
}
