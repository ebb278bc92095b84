package prober

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

const servicesCollectorName = "services"

// maxServicesPerHost bounds the services kept per host: a NetBackup server runs a few dozen.
const maxServicesPerHost = 256

var (
	descServiceUp = newDesc("nbu_service_up",
		"1 when the NetBackup service (daemon) runs on the host (status RUNNING), 0 when it is STOPPED, DISABLED or anything else; as of the host's last read (nbu_services_read_timestamp_seconds).", "host", "service")
	descServiceStatus = newDesc("nbu_service_status",
		"The NetBackup service's status (constant 1): RUNNING, STOPPED, DISABLED, or as NetBackup sends it.", "host", "service", "status")
	descServicesHostReadable = newDesc("nbu_services_host_readable",
		"1 when the last read of the host's services succeeded; 0 when it failed (the primary could not reach the host) or the primary does not serve them for this host (a host before NetBackup 8.2, a Cloud Scale host). Absent until the host's first read.", "host", "host_type")
	descServicesReadTime = newDesc("nbu_services_read_timestamp_seconds",
		"When the host's services were last read successfully.", "host")
	descServicesDropped = newDesc("nbu_services_dropped",
		`What the services collector left out: hosts past services.max_hosts (what="hosts"), services of a host past 256 (what="services").`, "what")
)

// servicesCollector reports the NetBackup services of the primary and the media servers
// (/admin/hosts/{hostId}/services, one request a host) found in /config/hosts. It keeps every
// host's last known state in its session and reads, each probe, at most services.hosts_per_probe
// hosts whose state is older than services.cache_ttl, oldest first, so a probe costs at most that
// many requests (plus the host list's two every services.hosts_cache_ttl). The seam's result cache
// is not used (TTL 0): the state is the cache, per host.
type servicesCollector struct{}

func (servicesCollector) Name() string                          { return servicesCollectorName }
func (servicesCollector) MinAPIVersion() string                 { return "" }
func (servicesCollector) CacheTTL(*config.Module) time.Duration { return 0 }
func (servicesCollector) NewState() CollectorState              { return &servicesState{} }

// servicesState is what a session keeps. Runs never overlap, so it needs no lock.
type servicesState struct {
	hosts        []*serviceHost // the primary first, then media servers, by name; at most services.max_hosts
	hostsDropped int
	listedAt     time.Time // when /config/hosts was read; zero: not yet
	// skip is the reason the collector is skipped (a 403 or a missing endpoint) until skipUntil:
	// without the seam's cache, it keeps a skipped collector from asking again every probe.
	skip      error
	skipUntil time.Time
}

// hostPhase is where one host's services stand.
type hostPhase int

const (
	hostUnread   hostPhase = iota // listed; its services not read yet
	hostRead                      // services as of readAt
	hostFailed                    // the last read failed (the primary could not reach the host): unknown
	hostUnserved                  // the primary answers 400, 404 or 501 for this host: no services to read
)

// serviceHost is one primary or media server.
type serviceHost struct {
	id, name, hostType string
	phase              hostPhase
	services           []nbu.Service // hostRead only, by name
	servicesDropped    int           // hostRead only
	readAt             time.Time     // the last successful read (kept through a failure)
	triedAt            time.Time     // the last read, whatever came of it; zero in hostUnread
}

func (s *servicesState) Collect(ctx context.Context, r *Run, out *metricSet) error {
	now := r.Now()
	if s.skip != nil && now.Before(s.skipUntil) {
		return s.skip
	}
	s.skip = nil
	var errs []error
	if s.listedAt.IsZero() || now.Sub(s.listedAt) >= time.Duration(r.Module.Services.HostsCacheTTL) {
		if err := s.list(ctx, r, now); err != nil {
			if errors.Is(err, ErrSkipped) {
				return s.skipped(err, r, now)
			}
			errs = append(errs, err)
		}
	}
	if err := s.readDue(ctx, r, now); err != nil {
		if errors.Is(err, ErrSkipped) {
			return s.skipped(err, r, now)
		}
		errs = append(errs, err)
	}
	s.export(out)
	return errors.Join(errs...)
}

// skipped forgets every host and holds the skip for services.hosts_cache_ttl (at least a minute).
func (s *servicesState) skipped(err error, r *Run, now time.Time) error {
	*s = servicesState{skip: err, skipUntil: now.Add(max(time.Duration(r.Module.Services.HostsCacheTTL), time.Minute))}
	return err
}

// list reads the primary and media servers from /config/hosts and merges them into the hosts,
// keeping what is known of those listed before.
func (s *servicesState) list(ctx context.Context, r *Run, now time.Time) error {
	limit := r.Module.Services.MaxHosts
	var listed []nbu.Host
	more := 0
	for _, typ := range []string{nbu.HostTypePrimary, nbu.HostTypeMedia} {
		hosts, extra, err := r.Client.HostsOfType(ctx, typ, limit)
		if err != nil {
			return optionalOr("services: hosts of type "+typ, err)
		}
		slices.SortStableFunc(hosts, func(a, b nbu.Host) int { return strings.Compare(hostLabel(a), hostLabel(b)) })
		listed, more = append(listed, hosts...), more+extra
	}
	known := make(map[string]*serviceHost, len(s.hosts))
	for _, h := range s.hosts {
		known[h.id] = h
	}
	next := make([]*serviceHost, 0, min(len(listed), limit))
	seen := map[string]struct{}{}
	for _, l := range listed {
		if _, dup := seen[l.ID]; dup {
			continue
		}
		seen[l.ID] = struct{}{}
		if len(next) >= limit {
			more++
			continue
		}
		h := known[l.ID]
		if h == nil {
			h = &serviceHost{id: l.ID}
		}
		h.name, h.hostType = hostLabel(l), l.Type
		next = append(next, h)
	}
	s.hosts, s.hostsDropped, s.listedAt = next, more, now
	level.Debug(r.Logger).Log("msg", "services: hosts listed", "hosts", len(next), "dropped", more)
	return nil
}

// hostLabel is the host's name, or its id when the record has none.
func hostLabel(h nbu.Host) string {
	if h.Name != "" {
		return h.Name
	}
	return h.ID
}

// due returns the hosts to read in this probe: the unread ones first, then those whose last read
// is at least services.cache_ttl old, oldest first; at most services.hosts_per_probe.
func (s *servicesState) due(m *config.Module, now time.Time) []*serviceHost {
	var unread, stale []*serviceHost
	for _, h := range s.hosts {
		switch {
		case h.phase == hostUnread:
			unread = append(unread, h)
		case now.Sub(h.triedAt) >= time.Duration(m.Services.CacheTTL):
			stale = append(stale, h)
		}
	}
	slices.SortStableFunc(stale, func(a, b *serviceHost) int { return a.triedAt.Compare(b.triedAt) })
	due := append(unread, stale...)
	return due[:min(len(due), m.Services.HostsPerProbe)]
}

// readDue reads the services of the hosts due. A host the primary cannot read, or does not serve,
// is marked so and waits services.cache_ttl like the others; a 403 skips the collector; an error
// that is not about the host (the primary unreachable, the probe's deadline) ends the round.
func (s *servicesState) readDue(ctx context.Context, r *Run, now time.Time) error {
	var errs []error
	for _, h := range s.due(r.Module, now) {
		services, more, err := r.Client.HostServices(ctx, h.id, maxServicesPerHost)
		switch {
		case err == nil:
			slices.SortFunc(services, func(a, b nbu.Service) int { return strings.Compare(a.Name, b.Name) })
			*h = serviceHost{id: h.id, name: h.name, hostType: h.hostType, phase: hostRead,
				services: services, servicesDropped: more, readAt: now, triedAt: now}
			continue
		case forbidden(err):
			return optionalOr("services of host "+h.name, err)
		case ctx.Err() != nil:
			return errors.Join(append(errs, fmt.Errorf("services of host %s: %w", h.name, err))...)
		}
		*h = serviceHost{id: h.id, name: h.name, hostType: h.hostType, phase: hostFailed, readAt: h.readAt, triedAt: now}
		switch status := apiStatus(err); {
		case status == http.StatusBadRequest || status == http.StatusNotFound || status == http.StatusNotImplemented:
			h.phase = hostUnserved
			level.Debug(r.Logger).Log("msg", "services: the primary does not serve this host's services", "host", h.name, "err", err)
		case status >= 500:
			level.Info(r.Logger).Log("msg", "services: the primary could not read this host's services", "host", h.name, "err", err)
		default:
			errs = append(errs, fmt.Errorf("services of host %s: %w", h.name, err))
		}
	}
	return errors.Join(errs...)
}

// export writes every host's last known state.
func (s *servicesState) export(out *metricSet) {
	servicesDropped := 0
	for _, h := range s.hosts {
		switch h.phase {
		case hostUnread:
			continue
		case hostRead:
			out.gauge(descServicesHostReadable, 1, h.name, h.hostType)
			for _, sv := range h.services {
				// A service without a status is listed but its state unknown: no series.
				if sv.Status != "" {
					out.gauge(descServiceUp, boolGauge(strings.EqualFold(sv.Status, "RUNNING")), h.name, sv.Name)
					out.gauge(descServiceStatus, 1, h.name, sv.Name, sv.Status)
				}
			}
			servicesDropped += h.servicesDropped
		default:
			out.gauge(descServicesHostReadable, 0, h.name, h.hostType)
		}
		if !h.readAt.IsZero() {
			out.gauge(descServicesReadTime, unixSeconds(h.readAt), h.name)
		}
	}
	out.gauge(descServicesDropped, float64(s.hostsDropped), "hosts")
	out.gauge(descServicesDropped, float64(servicesDropped), "services")
}
