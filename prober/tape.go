package prober

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/internal/apiversion"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

// tapeMediaMinVersion is the oldest API version whose spec has /storage/tape-media,
// /storage/tape-volume-pools and /storage/robots-device-hosts; drives are in every version.
const tapeMediaMinVersion = apiversion.V12

var (
	descTapeDrivesCount = newDesc("nbu_tape_drives_count",
		"Tape drives by drive type, robot type and status (UP, DOWN, MIXED, DISABLED: driveStatus without its DRIVE_STATUS_ prefix).", "drive_type", "robot_type", "status")
	descTapeDriveInfo = newDesc("nbu_tape_drive_info",
		"Tape drive (constant 1), one series per media server that has a path to it; status is the drive's overall status.", "drive_name", "media_server", "drive_type", "robot_number", "status")
	descTapeDriveUp = newDesc("nbu_tape_drive_up",
		"1 when the drive is UP for that media server (its path is PATH_STATUS_UP, or without path status the drive is UP; no series when neither status is sent).", "drive_name", "media_server")
	descTapeDriveCleaning = newDesc("nbu_tape_drive_cleaning_needed",
		`1 when NetBackup says the drive needs cleaning (cleaningComment "NEEDS CLEANING").`, "drive_name")
)

// tapeCollector reports tape drives (every API version) and, from API 12.0 on, tape media, volume
// pools and the robots' device hosts. On an older primary, or one that answers 404 for one of
// those endpoints, that part is skipped (nbu_collector_endpoint_skipped) and the rest reported.
type tapeCollector struct{}

func (tapeCollector) Name() string          { return "tape" }
func (tapeCollector) MinAPIVersion() string { return "" }
func (tapeCollector) CacheTTL(m *config.Module) time.Duration {
	return time.Duration(m.Tape.CacheTTL)
}
func (tapeCollector) NewState() CollectorState { return &tapeState{} }

// tapeState keeps the endpoints the primary does not serve (the seam caches the series).
type tapeState struct{ skips endpointSkips }

// tapePart is one endpoint's share of the tape collector.
type tapePart struct {
	endpoint   string
	minVersion string
	collect    func(ctx context.Context, r *Run, out *metricSet, pools *tapePools) error
}

// The volume pools are read before the media: which pools are scratch pools decides what
// nbu_tape_scratch_media_count reports.
var tapeParts = []tapePart{
	{"/storage/drives", "", collectDrives},
	{"/storage/tape-volume-pools", tapeMediaMinVersion, collectVolumePools},
	{"/storage/tape-media", tapeMediaMinVersion, collectTapeMedia},
	{"/storage/robots-device-hosts", tapeMediaMinVersion, collectRobotHosts},
}

func (s *tapeState) Collect(ctx context.Context, r *Run, out *metricSet) error {
	var errs []error
	pools := &tapePools{}
	skipped := 0
	now := r.Now()
	for _, p := range tapeParts {
		if p.minVersion != "" && !versionAtLeast(r.Version, p.minVersion) {
			level.Debug(r.Logger).Log("msg", "tape endpoint skipped", "endpoint", p.endpoint,
				"reason", "needs API version "+p.minVersion+", the primary serves "+r.Version)
			out.gauge(descCollectorEndpointSkipped, 1, "tape", p.endpoint)
			skipped++
			continue
		}
		if why := s.skips.skipped(p.endpoint, r.Version, now); why != nil {
			level.Debug(r.Logger).Log("msg", "tape endpoint skipped", "endpoint", p.endpoint, "reason", "remembered", "err", why)
			out.gauge(descCollectorEndpointSkipped, 1, "tape", p.endpoint)
			skipped++
			continue
		}
		err := p.collect(ctx, r, out, pools)
		s.skips.note(p.endpoint, r.Version, now, err)
		switch {
		case missing(err):
			level.Info(r.Logger).Log("msg", "tape endpoint skipped", "endpoint", p.endpoint, "reason", err)
			out.gauge(descCollectorEndpointSkipped, 1, "tape", p.endpoint)
			skipped++
		case err != nil:
			errs = append(errs, err)
		}
	}
	if skipped == len(tapeParts) {
		return fmt.Errorf("tape: no tape endpoint served: %w", ErrSkipped)
	}
	if len(errs) == 0 {
		out.gauge(descLastScrape, float64(r.Now().UnixNano())/1e9, "tape")
	}
	return errors.Join(errs...)
}

func collectDrives(ctx context.Context, r *Run, out *metricSet, _ *tapePools) error {
	drives, err := r.Client.Drives(ctx, 0) // 0 = the spec's maximum, 100
	if err != nil {
		return fmt.Errorf("tape drives: %w", err)
	}
	level.Debug(r.Logger).Log("msg", "tape drives fetched", "count", len(drives))
	type countKey struct{ driveType, robotType, status string }
	counts := map[countKey]int{}
	for i := range drives {
		d := &drives[i]
		// A drive listed twice is one series: the repeat is counted in nbu_series_dropped.
		if !out.gauge(descTapeDriveCleaning, boolGauge(d.NeedsCleaning()), d.Name) {
			continue
		}
		status := driveStatus(d.DriveStatus)
		counts[countKey{d.DriveType, d.RobotType, status}]++
		for host, up := range driveHosts(d) {
			out.gauge(descTapeDriveInfo, 1, d.Name, host, d.DriveType, d.RobotNumber, status)
			if up.OK { // neither the path's status nor the drive's sent: no series
				out.gauge(descTapeDriveUp, boolGauge(up.V), d.Name, host)
			}
		}
	}
	for k, n := range counts {
		out.gauge(descTapeDrivesCount, float64(n), k.driveType, k.robotType, k.status)
	}
	return nil
}

// driveStatus strips the DRIVE_STATUS_ prefix, as the single-target exporter does, so the label
// reads UP, DOWN, MIXED or DISABLED.
func driveStatus(s string) string { return strings.TrimPrefix(s, "DRIVE_STATUS_") }

// driveHosts says, per media server with a path to the drive, whether the drive is UP for it
// (not Known when neither the path's status nor the drive's was sent). A shared drive has one
// path per host (its deviceHost is then "<multiple>"); a drive without paths is reported for its
// deviceHost with its overall status.
func driveHosts(d *nbu.Drive) map[string]nbu.Known[bool] {
	overall := nbu.Known[bool]{V: d.DriveStatus == "DRIVE_STATUS_UP", OK: d.DriveStatus != ""}
	hosts := map[string]nbu.Known[bool]{}
	for _, p := range d.Paths {
		up := overall
		if p.PathStatus != "" {
			up = nbu.Some(p.PathStatus == "PATH_STATUS_UP")
		}
		// Two paths from one host: UP if either is.
		prev := hosts[p.DeviceHost]
		hosts[p.DeviceHost] = nbu.Known[bool]{V: (prev.OK && prev.V) || (up.OK && up.V), OK: prev.OK || up.OK}
	}
	if len(hosts) == 0 {
		hosts[d.DeviceHost] = overall
	}
	return hosts
}
