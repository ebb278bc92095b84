package prober

import (
	"context"
	"fmt"
	"slices"

	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

var (
	descTapeMediaCount = newDesc("nbu_tape_media_count",
		"Tape media by volume pool, media type and robot type.", "pool", "media_type", "robot_type")
	descTapeMediaStatus = newDesc("nbu_tape_media_status_count",
		"Tape media by volume pool and status flag as the spec names them (FROZEN, SUSPENDED, FULL, ACTIVE, MULTIPLEXED, IMPORTED, ...): a medium with several flags counts under each; one with none is in no series.", "pool", "status")
	descTapeScratch = newDesc("nbu_tape_scratch_media_count",
		"Available media (none of ACTIVE, FULL, FROZEN, SUSPENDED) in each scratch volume pool; 0 when a scratch pool is empty.", "pool")
	descTapePoolPartiallyFull = newDesc("nbu_tape_pool_partially_full",
		"Partially full media of the volume pool (partiallyFullMedia; no series when the pool's record leaves it out).", "pool_name", "pool_type")
	descTapeRobotHosts = newDesc("nbu_tape_robot_device_hosts",
		"Device hosts of the configured robots.")
)

// tapePools is what the volume pools tell the media part: the scratch pools, when they were read.
type tapePools struct {
	read    bool
	scratch []string
}

func collectVolumePools(ctx context.Context, r *Run, out *metricSet, pools *tapePools) error {
	vps, err := r.Client.VolumePools(ctx, 0) // 0 = the spec's maximum, 100
	if err != nil {
		return fmt.Errorf("tape volume pools: %w", err)
	}
	pools.read = true
	seen := map[[2]string]bool{}
	for _, p := range vps {
		// A pool listed twice is one series: the repeat is counted in nbu_series_dropped.
		k := [2]string{p.Name, p.PoolType}
		repeat := seen[k]
		seen[k] = true
		pf := p.PartiallyFullMedia
		if (pf.OK && !out.gauge(descTapePoolPartiallyFull, float64(pf.V), p.Name, p.PoolType)) || repeat {
			continue
		}
		if p.PoolType == "SCRATCH_MEDIA_POOL" {
			pools.scratch = append(pools.scratch, p.Name)
		}
	}
	return nil
}

type mediaKey struct{ pool, mediaType, robotType string }
type statusKey struct{ pool, status string }

// collectTapeMedia counts the media as they stream past: a library of many thousand tapes is
// never held.
func collectTapeMedia(ctx context.Context, r *Run, out *metricSet, pools *tapePools) error {
	media := map[mediaKey]int{}
	statuses := map[statusKey]int{}
	available := map[string]int{}
	st, err := r.Client.TapeMedia(ctx, 0, func(m *nbu.TapeMedium) error {
		media[mediaKey{m.VolumePool, m.MediaType, m.RobotType}]++
		flags := m.StatusFlags()
		for _, f := range flags {
			statuses[statusKey{m.VolumePool, f}]++
		}
		if !slices.ContainsFunc(flags, assigned) {
			available[m.VolumePool]++
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("tape media: %w", err)
	}
	level.Debug(r.Logger).Log("msg", "tape media fetched", "count", st.Records, "pages", st.Pages, "skipped", st.Skipped)
	for k, n := range media {
		out.gauge(descTapeMediaCount, float64(n), k.pool, k.mediaType, k.robotType)
	}
	for k, n := range statuses {
		out.gauge(descTapeMediaStatus, float64(n), k.pool, k.status)
	}
	if pools.read {
		for _, p := range pools.scratch {
			out.gauge(descTapeScratch, float64(available[p]), p)
		}
	}
	return nil
}

// assigned is a status flag that makes a medium unavailable for new backups.
func assigned(flag string) bool {
	switch flag {
	case "ACTIVE", "FULL", "FROZEN", "SUSPENDED":
		return true
	}
	return false
}

func collectRobotHosts(ctx context.Context, r *Run, out *metricSet, _ *tapePools) error {
	hosts, err := r.Client.RobotDeviceHosts(ctx)
	if err != nil {
		return fmt.Errorf("robots' device hosts: %w", err)
	}
	slices.Sort(hosts)
	if n := len(slices.Compact(hosts)); n > 0 { // a primary without robots: no series, as for drives
		out.gauge(descTapeRobotHosts, float64(n))
	}
	return nil
}
