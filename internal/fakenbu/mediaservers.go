package fakenbu

import (
	"net/http"
	"net/url"
)

type mediaServerStatus struct {
	Name              string `json:"name"`
	ResourceBundleKey string `json:"resourceBundleKey"`
}

type mediaServerAttributes struct {
	OSVersion        string            `json:"osVersion"`
	OSReleaseVersion string            `json:"osReleaseVersion"`
	OSType           string            `json:"osType"`
	HostName         string            `json:"hostName"`
	NBUVersion       string            `json:"nbuVersion"`
	DteMode          string            `json:"dteMode"`
	IsMachineUp      bool              `json:"isMachineUp"`
	UUID             string            `json:"uuid"`
	NdmpHosts        []string          `json:"ndmpHosts"`
	Status           mediaServerStatus `json:"status"`
}

type mediaServerResource struct {
	ID         string                `json:"id"`
	Type       string                `json:"type"`
	Attributes mediaServerAttributes `json:"attributes"`
	Links      struct {
		Self href `json:"self"`
	} `json:"links"`
}

func renderMediaServer(base string, m *MediaServer) mediaServerResource {
	r := mediaServerResource{ID: m.Name, Type: "mediaServer", Attributes: mediaServerAttributes{
		OSVersion: m.OSVersion, OSReleaseVersion: m.OSVersion, OSType: m.OSType, HostName: m.Name,
		NBUVersion: m.NBUVersion, DteMode: "OFF", IsMachineUp: m.Up, UUID: "00000000-0000-4000-8000-" + hostHex(m.Name),
		NdmpHosts: []string{}, Status: mediaServerStatus{Name: m.Status, ResourceBundleKey: "hostStatus." + m.Status},
	}}
	r.Links.Self.Href = base + "/config/media-servers/" + url.PathEscape(m.Name)
	return r
}

// hostHex is a stable 12-digit hex tail for a host's uuid.
func hostHex(name string) string {
	var h uint64 = 14695981039346656037
	for i := 0; i < len(name); i++ {
		h = (h ^ uint64(name[i])) * 1099511628211
	}
	const digits = "0123456789abcdef"
	b := make([]byte, 12)
	for i := range b {
		b[i] = digits[(h>>(4*i))&15]
	}
	return string(b)
}

func (s *Server) handleMediaServers(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	or, ok := s.parseOffsetRequest(w, rc, q, maxOffsetLimit)
	if !ok || !s.noFilter(w, rc, q) || !s.wait(r.Context()) {
		return
	}
	s.mu.RLock()
	items := deepClone(s.mediaServers)
	s.mu.RUnlock()
	sortByName(items, or, func(m *MediaServer) string { return m.Name })
	base := baseURL(r)
	resp := offsetPage(or, items, base+"/config/media-servers", q, func(m *MediaServer) mediaServerResource {
		return renderMediaServer(base, m)
	})
	s.writeJSON(w, rc, http.StatusOK, &resp)
}
