package fakenbu

import (
	"net/http"
	"strconv"
)

type tapeRobot struct {
	RobotType   string `json:"robotType"`
	RobotNumber *int64 `json:"robotNumber,omitempty"`
	RobotHost   string `json:"robotHost,omitempty"`
}

type tapeMediumAttributes struct {
	Barcode          string    `json:"barcode"`
	MediaType        string    `json:"mediaType"`
	Robot            tapeRobot `json:"robot"`
	Slot             *int64    `json:"slot,omitempty"`
	VolumeGroup      string    `json:"volumeGroup"`
	VolumePool       string    `json:"volumePool"`
	Mounts           int64     `json:"mounts"`
	Application      string    `json:"application"`
	MaxMounts        int64     `json:"maxMounts"`
	Created          string    `json:"created"`
	KiloBytes        int64     `json:"kiloBytes"`
	Images           int64     `json:"images"`
	ValidImages      int64     `json:"validImages"`
	NumberOfRestores int64     `json:"numberOfRestores"`
	OriginHost       string    `json:"originHost"`
	MediaStatus      string    `json:"mediaStatus"`
	MediaOwner       string    `json:"mediaOwner"`
	LastWriteHost    string    `json:"lastWriteHost"`
}

type tapeMediumResource struct {
	Type       string               `json:"type"`
	ID         string               `json:"id"`
	Attributes tapeMediumAttributes `json:"attributes"`
	Links      struct {
		Self href `json:"self"`
	} `json:"links"`
}

func renderTapeMedium(base string, m *TapeMedium) tapeMediumResource {
	r := tapeMediumResource{Type: "volumeInfo", ID: m.MediaID}
	r.Links.Self.Href = base + "/storage/tape-media/" + m.MediaID
	a := tapeMediumAttributes{
		Barcode: m.MediaID + "L8", MediaType: m.MediaType, Robot: tapeRobot{RobotType: m.RobotType},
		VolumeGroup: m.VolumeGroup, VolumePool: m.VolumePool, Application: "NETBACKUP",
		Created: "2025-03-01T09:00:00.000Z", KiloBytes: m.KiloBytes, Images: m.Images, ValidImages: m.Images,
		OriginHost: "NONE", MediaStatus: m.Status, MediaOwner: "NONE", LastWriteHost: "NONE",
	}
	if m.RobotType != "" && m.RobotType != "NOT_ROBOTIC" {
		n, slot := m.RobotNumber, m.Slot
		a.Robot.RobotNumber, a.Robot.RobotHost, a.Slot = &n, m.RobotHost, &slot
	}
	if m.Images > 0 {
		a.Mounts, a.LastWriteHost = m.Images, m.RobotHost
	}
	r.Attributes = a
	return r
}

func (s *Server) handleTapeMedia(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.wait(r.Context()) {
		return
	}
	s.mu.RLock()
	items := s.media // never modified in place: setters replace the slice
	s.mu.RUnlock()
	base := baseURL(r)
	resp, ok := cursorList(s, w, rc, r.URL.Query(), base+"/storage/tape-media", items,
		func(m *TapeMedium) string { return m.MediaID },
		func(m *TapeMedium) tapeMediumResource { return renderTapeMedium(base, m) })
	if ok {
		s.writeJSON(w, rc, http.StatusOK, &resp)
	}
}

type volumePoolAttributes struct {
	VolumePoolName     string `json:"volumePoolName"`
	Description        string `json:"description"`
	PartiallyFullMedia int64  `json:"partiallyFullMedia"`
	PoolType           string `json:"poolType"`
}

type volumePoolResource struct {
	ID         string               `json:"id"`
	Type       string               `json:"type"`
	Attributes volumePoolAttributes `json:"attributes"`
	Links      struct {
		Self href `json:"self"`
	} `json:"links"`
}

func (s *Server) handleVolumePools(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.wait(r.Context()) {
		return
	}
	s.mu.RLock()
	items := s.volPools
	s.mu.RUnlock()
	base := baseURL(r)
	id := func(p *VolumePool) string { return strconv.FormatInt(p.Number, 10) }
	resp, ok := cursorList(s, w, rc, r.URL.Query(), base+"/storage/tape-volume-pools", items, id,
		func(p *VolumePool) volumePoolResource {
			v := volumePoolResource{ID: id(p), Type: "volumePoolDetails", Attributes: volumePoolAttributes{
				VolumePoolName: p.Name, Description: p.Description, PartiallyFullMedia: p.PartiallyFullMedia, PoolType: p.PoolType}}
			if v.Attributes.Description == "" {
				v.Attributes.Description = "---" // the spec's default
			}
			v.Links.Self.Href = base + "/storage/tape-volume-pools/" + v.ID
			return v
		})
	if ok {
		s.writeJSON(w, rc, http.StatusOK, &resp)
	}
}

type deviceHostResource struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// handleRobotDeviceHosts serves the one unpaged list the spec documents.
func (s *Server) handleRobotDeviceHosts(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.wait(r.Context()) {
		return
	}
	s.mu.RLock()
	resp := struct {
		Data []deviceHostResource `json:"data"`
	}{Data: make([]deviceHostResource, 0, len(s.robotHosts))}
	for _, h := range s.robotHosts {
		resp.Data = append(resp.Data, deviceHostResource{Type: "deviceHost", ID: h})
	}
	s.mu.RUnlock()
	s.writeJSON(w, rc, http.StatusOK, &resp)
}
