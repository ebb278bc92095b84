package fakenbu

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/apiversion"
)

// Host is the fake's model of one /config/hosts record and of its services
// (/admin/hosts/{hostId}/services).
type Host struct {
	ID         string // uuid
	Name       string
	Type       string // PRIMARY_SERVER MEDIA_SERVER CLIENT
	OSType     string
	NBUVersion string
	Services   []Service
	// ServicesStatus, when not 0, is what /admin/hosts/{hostId}/services answers for this host
	// instead of its services: 500 for a host the primary cannot reach, 501 for one before
	// NetBackup 8.2, 400 for a Cloud Scale host.
	ServicesStatus int
}

// Service is one NetBackup service (daemon) of a host.
type Service struct {
	Name        string // the daemon: bprd, nbemm, ...
	DisplayName string
	Status      string // RUNNING STOPPED DISABLED
}

// hostSecurity holds the data of the hosts, services and security endpoints; guarded by
// Server.mu.
type hostSecurity struct {
	hosts     []Host
	status    *SecurityStatus
	anomalies []Anomaly
	apiKeys   []APIKeyRecord
}

// SetHosts replaces the hosts; /config/hosts serves them in this order.
func (s *Server) SetHosts(hosts []Host) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hostsec.hosts = cloneHosts(hosts)
}

// Hosts returns a copy of the hosts served.
func (s *Server) Hosts() []Host {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return cloneHosts(s.hostsec.hosts)
}

func cloneHosts(hosts []Host) []Host {
	out := slices.Clone(hosts)
	for i := range out {
		out[i].Services = slices.Clone(out[i].Services)
	}
	return out
}

// hostSecurityRoute routes the endpoints of this file and of security.go.
func (s *Server) hostSecurityRoute(endpoint string) (route, bool) {
	switch endpoint {
	case "/config/hosts":
		return route{auth: true, handle: s.handleHosts}, true
	case "/security/status":
		return route{auth: true, minVersion: apiversion.V12, handle: s.handleSecurityStatus}, true
	case "/security/anomalies":
		return route{auth: true, handle: s.handleAnomalies}, true
	case "/security/api-keys":
		return route{auth: true, handle: s.handleAPIKeys}, true
	}
	if rest, ok := strings.CutPrefix(endpoint, "/admin/hosts/"); ok {
		if id, ok := strings.CutSuffix(rest, "/services"); ok && id != "" && !strings.Contains(id, "/") {
			return route{auth: true, handle: func(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
				s.handleHostServices(w, r, rc, id)
			}}, true
		}
	}
	return route{}, false
}

var hostFields = map[string]field[Host]{
	"hostName":    {kind: kindString, str: func(h *Host) string { return h.Name }},
	"nbuHostType": {kind: kindString, str: func(h *Host) string { return h.Type }},
	"osType":      {kind: kindString, str: func(h *Host) string { return h.OSType }},
}

type hostRecord struct {
	UUID                string   `json:"uuid"`
	OSVersion           string   `json:"osVersion"`
	OSType              string   `json:"osType"`
	HostName            string   `json:"hostName"`
	MasterServer        string   `json:"masterServer"`
	NBUVersion          string   `json:"nbuVersion"`
	NBUReleaseVersion   string   `json:"nbuReleaseVersion"`
	IsSecureEnabled     bool     `json:"isSecureEnabled"`
	Servers             []string `json:"servers"`
	NBUHostType         string   `json:"nbuHostType"`
	HostMappings        []any    `json:"hostMappings"`
	LastUpdatedDateTime int64    `json:"lastUpdatedDateTime"`
	CreatedDateTime     int64    `json:"createdDateTime"`
}

// handleHosts serves /config/hosts: the whole list (the spec has no paging), {"hosts": [...]},
// filtered on hostName, nbuHostType or osType.
func (s *Server) handleHosts(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	f, err := parseFilter(r.URL.Query().Get("filter"), hostFields)
	if err != nil {
		s.writeError(w, rc, http.StatusBadRequest, "Invalid filter criteria.", err.Error())
		return
	}
	if !s.wait(r.Context()) {
		return
	}
	s.mu.RLock()
	hosts := match(s.hostsec.hosts, f)
	s.mu.RUnlock()
	created := s.now().Add(-30 * 24 * time.Hour).UnixMilli()
	resp := struct {
		Hosts []hostRecord `json:"hosts"`
	}{Hosts: []hostRecord{}}
	for _, h := range hosts {
		resp.Hosts = append(resp.Hosts, hostRecord{UUID: h.ID, OSVersion: h.OSType, OSType: h.OSType, HostName: h.Name,
			MasterServer: s.serverName, NBUVersion: h.NBUVersion, NBUReleaseVersion: h.NBUVersion, IsSecureEnabled: true,
			Servers: []string{s.serverName}, NBUHostType: h.Type, HostMappings: []any{},
			LastUpdatedDateTime: created, CreatedDateTime: created})
	}
	s.writeJSON(w, rc, http.StatusOK, &resp)
}

type serviceResource struct {
	Type       string `json:"type"`
	ID         string `json:"id"`
	Attributes struct {
		DisplayName string `json:"displayName"`
		DaemonCode  string `json:"daemonCode"`
		Status      string `json:"status"`
		ServiceType string `json:"serviceType"`
		Access      []int  `json:"access"`
	} `json:"attributes"`
}

// handleHostServices serves /admin/hosts/{hostId}/services: 404 for a host id the fake does not
// know, the host's ServicesStatus when it has one.
func (s *Server) handleHostServices(w http.ResponseWriter, r *http.Request, rc *reqCtx, id string) {
	s.mu.RLock()
	i := slices.IndexFunc(s.hostsec.hosts, func(h Host) bool { return h.ID == id })
	var h Host
	if i >= 0 {
		h = s.hostsec.hosts[i]
		h.Services = slices.Clone(h.Services)
	}
	s.mu.RUnlock()
	switch {
	case i < 0:
		s.writeError(w, rc, http.StatusNotFound, "No host exists with the specified host ID.", "host id "+id)
		return
	case h.ServicesStatus != 0:
		s.writeError(w, rc, h.ServicesStatus, "Unable to get the services of the host.", "host "+h.Name)
		return
	}
	resp := struct {
		Data []serviceResource `json:"data"`
	}{Data: []serviceResource{}}
	for _, sv := range h.Services {
		res := serviceResource{Type: "service", ID: sv.Name}
		res.Attributes.DisplayName, res.Attributes.DaemonCode, res.Attributes.Status = sv.DisplayName, sv.Name, sv.Status
		res.Attributes.ServiceType, res.Attributes.Access = "DAEMON", []int{1, 1, 1}
		resp.Data = append(resp.Data, res)
	}
	s.writeJSON(w, rc, http.StatusOK, &resp)
}
