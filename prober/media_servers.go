package prober

import (
	"context"
	"time"

	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

var (
	descMediaServerUp = newDesc("nbu_media_server_up",
		"1 when the media server is up (isMachineUp; where a server omits it, a status other than OFFLINE or DEACTIVATED).", "name")
	descMediaServerInfo = newDesc("nbu_media_server_info",
		"Media server (constant 1): its NetBackup version, operating system and host status (status.name).", "name", "version", "os_type", "os_version", "status")
)

// mediaServersCollector reports the media servers (GET /config/media-servers, every API version
// the specs cover). Their list and versions rarely change: a run is reused for
// media_servers.cache_ttl.
type mediaServersCollector struct{}

func (mediaServersCollector) Name() string          { return "media_servers" }
func (mediaServersCollector) MinAPIVersion() string { return "" }
func (mediaServersCollector) CacheTTL(m *config.Module) time.Duration {
	return time.Duration(m.MediaServers.CacheTTL)
}
func (mediaServersCollector) NewState() CollectorState { return mediaServersState{} }

// mediaServersState keeps nothing: the seam caches the series.
type mediaServersState struct{}

func (mediaServersState) Collect(ctx context.Context, r *Run, out *metricSet) error {
	servers, err := r.Client.MediaServers(ctx, 0) // 0 = the spec's maximum, 500
	if err != nil {
		return skippedOr("media servers", err)
	}
	level.Debug(r.Logger).Log("msg", "media servers fetched", "count", len(servers))
	for i := range servers {
		m := &servers[i]
		// A server listed twice is one series: the repeat is counted in nbu_series_dropped.
		if !out.gauge(descMediaServerInfo, 1, m.Name, m.NBUVersion, m.OSType, m.OSVersion, m.Status) {
			continue
		}
		if up, known := mediaServerUp(m); known {
			out.gauge(descMediaServerUp, boolGauge(up), m.Name)
		}
	}
	out.gauge(descLastScrape, float64(r.Now().UnixNano())/1e9, "media_servers")
	return nil
}

// mediaServerUp prefers isMachineUp, which the spec defines as "active"; without it the host
// status says OFFLINE or DEACTIVATED for a server that is not. Neither: unknown, no series.
func mediaServerUp(m *nbu.MediaServer) (up, known bool) {
	switch {
	case m.MachineUp.OK:
		return m.MachineUp.V, true
	case m.Status == "":
		return false, false
	}
	return m.Status != "OFFLINE" && m.Status != "DEACTIVATED", true
}
