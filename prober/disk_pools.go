package prober

import (
	"context"
	"strings"
	"time"

	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/config"
)

// The first five are the single-target nbu_exporter's names, so its dashboards work.
var (
	descDiskPoolCapacity = newDesc("nbu_disk_pool_capacity_bytes",
		"Space of the disk pool that can be used (usableSizeBytes), in bytes.", "name", "type")
	descDiskPoolAvailable = newDesc("nbu_disk_pool_available_bytes",
		"Available space of the disk pool (availableSpaceBytes), in bytes.", "name", "type")
	descDiskPoolUp = newDesc("nbu_disk_pool_up",
		"1 when the disk pool's state is UP, 0 when it is DOWN, TRANSIENT or anything else.", "name", "type")
	descDiskPoolHighWater = newDesc("nbu_disk_pool_high_watermark_ratio",
		"The disk pool's high water mark (0..1): at this fill level NetBackup considers its volumes full.", "name", "type")
	descDiskPoolLowWater = newDesc("nbu_disk_pool_low_watermark_ratio",
		"The disk pool's low water mark (0..1): where NetBackup stops image cleanup.", "name", "type")
	descDiskPoolUsed = newDesc("nbu_disk_pool_used_bytes",
		"Used capacity of the disk pool (usedCapacityBytes), in bytes.", "name", "type")
	descDiskPoolVolumes = newDesc("nbu_disk_pool_volume_count",
		"Disk volumes of the disk pool by state (UP, DOWN, UNKNOWN).", "pool_name", "storage_category", "state")
)

// diskPoolsCollector reports the disk pools (GET /storage/disk-pools, every API version) and
// their volumes; a pool state changes within minutes, so a run is reused for disk_pools.cache_ttl.
type diskPoolsCollector struct{}

func (diskPoolsCollector) Name() string          { return "disk_pools" }
func (diskPoolsCollector) MinAPIVersion() string { return "" }
func (diskPoolsCollector) CacheTTL(m *config.Module) time.Duration {
	return time.Duration(m.DiskPools.CacheTTL)
}
func (diskPoolsCollector) NewState() CollectorState { return diskPoolsState{} }

// diskPoolsState keeps nothing: the seam caches the series.
type diskPoolsState struct{}

func (diskPoolsState) Collect(ctx context.Context, r *Run, out *metricSet) error {
	pools, err := r.Client.DiskPools(ctx, 0) // 0 = the spec's maximum page size
	if err != nil {
		return skippedOr("disk pools", err)
	}
	level.Debug(r.Logger).Log("msg", "disk pools fetched", "count", len(pools))
	type volKey struct{ pool, category, state string }
	volumes := map[volKey]int{} // summed over pools, whose volume label set lacks the type
	for i := range pools {
		p := &pools[i]
		up := 0.0
		if strings.EqualFold(p.DiskPoolState, "UP") {
			up = 1
		}
		// A pool listed twice is one series: the repeat is counted in nbu_series_dropped.
		if !out.gauge(descDiskPoolUp, up, p.Name, p.SType) {
			continue
		}
		out.gauge(descDiskPoolCapacity, float64(p.UsableSizeBytes), p.Name, p.SType)
		out.gauge(descDiskPoolAvailable, float64(p.AvailableSpaceBytes), p.Name, p.SType)
		out.gauge(descDiskPoolUsed, float64(p.UsedCapacityBytes), p.Name, p.SType)
		out.gauge(descDiskPoolHighWater, float64(p.HighWaterMark)/100, p.Name, p.SType)
		out.gauge(descDiskPoolLowWater, float64(p.LowWaterMark)/100, p.Name, p.SType)
		for _, v := range p.DiskVolumes {
			volumes[volKey{p.Name, p.StorageCategory, v.State}]++
		}
	}
	for k, n := range volumes {
		out.gauge(descDiskPoolVolumes, float64(n), k.pool, k.category, k.state)
	}
	out.gauge(descLastScrape, float64(r.Now().UnixNano())/1e9, "disk_pools")
	return nil
}
