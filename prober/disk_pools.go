package prober

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// The first five are the single-target nbu_exporter's names, so its dashboards work.
var (
	descDiskPoolCapacity = newDesc("nbu_disk_pool_capacity_bytes",
		"Space of the disk pool that can be used (usableSizeBytes), in bytes.", "name", "type")
	descDiskPoolAvailable = newDesc("nbu_disk_pool_available_bytes",
		"Available space of the disk pool (availableSpaceBytes), in bytes.", "name", "type")
	descDiskPoolUp = newDesc("nbu_disk_pool_up",
		"1 when the disk pool's state is UP, 0 when it is DOWN, TRANSIENT or anything else (no series when the state is not sent).", "name", "type")
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
// NetBackup 10.0 lists pools without their sizes: those are read from each such pool's detail
// (GET /storage/disk-pools/{id}), at most maxPoolDetailsPerRun a run, the pools read longest ago
// first; a pool not read in a run keeps the sizes its last detail gave.
type diskPoolsCollector struct{}

func (diskPoolsCollector) Name() string          { return "disk_pools" }
func (diskPoolsCollector) MinAPIVersion() string { return "" }
func (diskPoolsCollector) CacheTTL(m *config.Module) time.Duration {
	return time.Duration(m.DiskPools.CacheTTL)
}
func (diskPoolsCollector) NewState() CollectorState { return &diskPoolsState{} }

// maxPoolDetailsPerRun bounds the detail requests of one run: a 10.0 primary with many pools
// costs at most this many requests every disk_pools.cache_ttl, and every pool's sizes are read
// within ceil(pools / maxPoolDetailsPerRun) runs.
const maxPoolDetailsPerRun = 25

// diskPoolsState keeps the details read of the pools whose list record lacks their sizes (runs of
// a session never overlap: no lock). It holds at most one detail per pool listed.
type diskPoolsState struct {
	details map[string]poolDetail // by pool id
}

// poolDetail is a pool's detail as last read; a zero pool when the detail was not served.
type poolDetail struct {
	pool nbu.DiskPool
	at   time.Time
}

func (s *diskPoolsState) Collect(ctx context.Context, r *Run, out *metricSet) error {
	pools, err := r.Client.DiskPools(ctx, 0) // 0 = the spec's maximum page size
	if err != nil {
		return skippedOr("disk pools", err)
	}
	level.Debug(r.Logger).Log("msg", "disk pools fetched", "count", len(pools))
	detailErr := s.fillSizes(ctx, r, pools)
	type volKey struct{ pool, category, state string }
	volumes := map[volKey]int{} // summed over pools, whose volume label set lacks the type
	seen := map[[2]string]bool{}
	for i := range pools {
		p := &pools[i]
		// A pool listed twice is one series: the repeat is counted in nbu_series_dropped.
		k := [2]string{p.Name, p.SType}
		repeat := seen[k]
		seen[k] = true
		if (p.DiskPoolState != "" && !out.gauge(descDiskPoolUp, boolGauge(p.DiskPoolState == "UP"), p.Name, p.SType)) || repeat {
			continue
		}
		gaugeKnown(out, descDiskPoolCapacity, p.UsableSizeBytes, 1, p.Name, p.SType)
		gaugeKnown(out, descDiskPoolAvailable, p.AvailableSpaceBytes, 1, p.Name, p.SType)
		gaugeKnown(out, descDiskPoolUsed, p.UsedCapacityBytes, 1, p.Name, p.SType)
		gaugeKnown(out, descDiskPoolHighWater, p.HighWaterMark, 0.01, p.Name, p.SType)
		gaugeKnown(out, descDiskPoolLowWater, p.LowWaterMark, 0.01, p.Name, p.SType)
		for _, v := range p.DiskVolumes {
			if v.State != "" { // a volume whose state is not sent is in no state's count
				volumes[volKey{p.Name, p.StorageCategory, v.State}]++
			}
		}
	}
	for k, n := range volumes {
		out.gauge(descDiskPoolVolumes, float64(n), k.pool, k.category, k.state)
	}
	if detailErr == nil {
		out.gauge(descLastScrape, float64(r.Now().UnixNano())/1e9, "disk_pools")
	}
	return detailErr
}

// fillSizes completes the pools whose list record lacks sizes from their details: read in this
// run for up to maxPoolDetailsPerRun of them (never read, then read longest ago, first), from the
// last read for the others. A detail the primary does not serve (404, 403, 501) leaves the pool
// without sizes until its turn comes again; another error stops the reads and is returned.
func (s *diskPoolsState) fillSizes(ctx context.Context, r *Run, pools []nbu.DiskPool) error {
	now := r.Now()
	var lacking []*nbu.DiskPool
	listed := map[string]bool{}
	for i := range pools {
		if p := &pools[i]; p.ID != "" && !p.SizesKnown() {
			lacking = append(lacking, p)
			listed[p.ID] = true
		}
	}
	maps.DeleteFunc(s.details, func(id string, _ poolDetail) bool { return !listed[id] })
	if len(lacking) == 0 {
		return nil
	}
	if s.details == nil {
		s.details = map[string]poolDetail{}
	}
	slices.SortStableFunc(lacking, func(a, b *nbu.DiskPool) int { return s.details[a.ID].at.Compare(s.details[b.ID].at) })
	var err error
	read := map[string]bool{} // a pool listed twice is read once
	for _, p := range lacking {
		if err == nil && len(read) < maxPoolDetailsPerRun && !read[p.ID] {
			read[p.ID] = true
			detail, derr := r.Client.DiskPoolDetail(ctx, p.ID)
			switch {
			case derr == nil:
				s.details[p.ID] = poolDetail{pool: detail, at: now}
			case missing(derr) || forbidden(derr):
				s.details[p.ID] = poolDetail{at: now}
			default:
				err = fmt.Errorf("disk pool %q: sizes: %w", p.Name, derr)
			}
		}
		if d, ok := s.details[p.ID]; ok {
			completeSizes(p, &d.pool)
		}
	}
	level.Debug(r.Logger).Log("msg", "disk pool details read", "pools_without_sizes", len(lacking), "read", len(read))
	return err
}

// completeSizes takes what the list record of p left out from its detail d.
func completeSizes(p, d *nbu.DiskPool) {
	for _, f := range []struct{ dst, src *nbu.Known[int64] }{
		{&p.RawSizeBytes, &d.RawSizeBytes}, {&p.UsableSizeBytes, &d.UsableSizeBytes},
		{&p.AvailableSpaceBytes, &d.AvailableSpaceBytes}, {&p.UsedCapacityBytes, &d.UsedCapacityBytes},
		{&p.HighWaterMark, &d.HighWaterMark}, {&p.LowWaterMark, &d.LowWaterMark},
	} {
		if !f.dst.OK {
			*f.dst = *f.src
		}
	}
}
