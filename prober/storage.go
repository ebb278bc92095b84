package prober

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	"github.com/patrickmn/go-cache"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

type storageSnapshot struct {
	units     []nbu.StorageUnit
	fetchedAt time.Time
}

// storageState makes concurrent probes of one session share a single storage fetch: the first
// takes the lock and fetches, the others wait for it (or their deadline) and read the cache.
type storageState struct {
	lock  chan struct{}
	cache *cache.Cache
}

func newStorageState(c *cache.Cache) storageState {
	return storageState{lock: make(chan struct{}, 1), cache: c}
}

func (s *storageState) load(key string) (*storageSnapshot, bool) {
	v, ok := s.cache.Get(key)
	if !ok {
		return nil, false
	}
	return v.(*storageSnapshot), true
}

// snapshot returns cached storage units when fresh, else fetches them.
func (s *storageState) snapshot(ctx context.Context, sess *session, m *config.Module, logger log.Logger, now func() time.Time) (*storageSnapshot, error) {
	if snap, ok := s.load(sess.key); ok {
		level.Debug(logger).Log("msg", "storage units from cache", "fetched_at", snap.fetchedAt.UTC().Format(time.RFC3339))
		return snap, nil
	}
	select {
	case s.lock <- struct{}{}:
		defer func() { <-s.lock }()
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for a concurrent storage fetch: %w", ctx.Err())
	}
	if snap, ok := s.load(sess.key); ok { // filled while we waited
		return snap, nil
	}
	units, err := sess.client.StorageUnits(ctx, m.Storage.PageSize)
	if err != nil {
		return nil, err
	}
	snap := &storageSnapshot{units: units, fetchedAt: now()}
	if ttl := time.Duration(m.Storage.CacheTTL); ttl > 0 {
		s.cache.Set(sess.key, snap, ttl)
	}
	level.Debug(logger).Log("msg", "storage units fetched", "count", len(units))
	return snap, nil
}

func collectStorage(ctx context.Context, p *probe) error {
	snap, err := p.sess.storage.snapshot(ctx, p.sess, p.module, p.logger, p.now)
	if err != nil {
		return fmt.Errorf("storage units: %w", err)
	}
	byCategory := map[string]int{}
	seen := make(map[string]bool, len(snap.units))
	for i := range snap.units {
		u := &snap.units[i]
		// A unit listed twice (a server bug, or pages shifting under an offset walk) would make the
		// exposition invalid: keep the first.
		if seen[u.Name] {
			continue
		}
		seen[u.Name] = true
		byCategory[u.StorageCategory]++
		p.out.gauge(descStorageInfo, 1, u.Name, u.StorageServerType, u.StorageSubType, u.StorageCategory,
			strconv.FormatBool(u.IsCloudSTU), strconv.FormatBool(u.WormCapable), strconv.FormatBool(u.UseWorm),
			strconv.FormatBool(u.ReplicationCapable), strconv.FormatBool(u.InstantAccessEnabled))
		if !reportsCapacity(u) {
			continue
		}
		p.out.gauge(descDiskBytes, float64(u.FreeCapacityBytes), u.Name, u.StorageServerType, "free")
		p.out.gauge(descDiskBytes, float64(u.UsedCapacityBytes), u.Name, u.StorageServerType, "used")
		p.out.gauge(descDiskCapacity, float64(u.TotalCapacityBytes), u.Name, u.StorageServerType)
		p.out.gauge(descStorageMaxJobs, float64(u.MaxConcurrentJobs), u.Name, u.StorageServerType)
		p.out.gauge(descStorageMaxFragment, float64(u.MaxFragmentSizeMegabytes)*1024*1024, u.Name, u.StorageServerType)
	}
	for cat, n := range byCategory {
		p.out.gauge(descStorageUnits, float64(n), cat)
	}
	p.out.gauge(descLastScrape, float64(snap.fetchedAt.UnixNano())/1e9, "storage")
	return nil
}

// reportsCapacity is false for units whose capacity NetBackup does not report: tape, and cloud
// units (the spec: "not applicable for Cloud and CloudCatalyst") that send zeros, which would
// otherwise read as a full disk.
func reportsCapacity(u *nbu.StorageUnit) bool {
	switch {
	case u.StorageCategory == "TAPE" || u.StorageType == "Tape":
		return false
	case u.IsCloudSTU || u.StorageCategory == "CLOUD" || u.StorageCategory == "CLOUD_CATALYST":
		return u.TotalCapacityBytes > 0
	}
	return true
}
