package prober

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/internal/apiversion"
	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

var descHostCertExpiry = newDesc("nbu_host_certificate_expiry_timestamp_seconds",
	"When the host's NetBackup host certificate expires (notAfter): per host id, the latest of its certificates that are neither revoked nor deleted (a renewed host keeps its old certificate until that one expires).",
	"host", "host_id", "host_type")

// certificatesCollector reports the expiry of every host's NetBackup host certificate from
// /security/certificates (API 13.0 on, one unpaged answer), cached certificates.cache_ttl.
type certificatesCollector struct{}

func (certificatesCollector) Name() string          { return "certificates" }
func (certificatesCollector) MinAPIVersion() string { return apiversion.V13 }
func (certificatesCollector) CacheTTL(m *config.Module) time.Duration {
	return time.Duration(m.Certificates.CacheTTL)
}
func (certificatesCollector) NewState() CollectorState { return certificatesState{} }

// certificatesState keeps nothing: the seam caches the series.
type certificatesState struct{}

// hostCert is the certificate kept for one host: the one that expires last.
type hostCert struct {
	name, id, hostType string
	notAfter           time.Time
}

func (certificatesState) Collect(ctx context.Context, r *Run, out *metricSet) error {
	// At most max_series hosts are kept while the answer streams past: the rest are counted as
	// left out by max_series (once per certificate, as they are not kept to tell hosts apart).
	hosts := map[string]*hostCert{}
	leftOut := 0
	err := r.Client.HostCertificates(ctx, func(c *nbu.HostCertificate) error {
		if c.Deleted || c.Revoked() || c.NotAfter.IsZero() || (c.HostID == "" && c.HostName == "") {
			return nil
		}
		// A record without a host id is told apart by its host name.
		key := c.HostID
		if key == "" {
			key = "\x00" + c.HostName
		}
		h := hosts[key]
		switch {
		case h == nil && len(hosts) >= r.Module.MaxSeries:
			leftOut++
		case h == nil:
			hosts[key] = &hostCert{name: c.HostName, id: c.HostID, hostType: hostTypeLabel(c.HostType), notAfter: c.NotAfter}
		case c.NotAfter.After(h.notAfter):
			*h = hostCert{name: c.HostName, id: c.HostID, hostType: hostTypeLabel(c.HostType), notAfter: c.NotAfter}
		}
		return nil
	})
	if err != nil {
		return optionalOr("host certificates", err)
	}
	for _, h := range hosts {
		out.gauge(descHostCertExpiry, unixSeconds(h.notAfter), h.name, h.id, h.hostType)
	}
	out.leftOut(leftOut)
	out.gauge(descLastScrape, float64(r.Now().UnixNano())/1e9, "certificates")
	return nil
}

// hostTypeLabel names the spec's host types (0 unknown, 1 server, 2 client); a name sent instead
// is kept in lower case, an absent one is "".
func hostTypeLabel(v string) string {
	v = strings.TrimSpace(v)
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		switch n {
		case 1:
			return "server"
		case 2:
			return "client"
		}
		return "unknown"
	}
	return strings.ToLower(v)
}
