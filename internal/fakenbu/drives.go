package fakenbu

import (
	"net/http"
	"net/url"
	"strconv"
)

// maxDrivesLimit is /storage/drives' page[limit] maximum (the other offset
// lists allow 500).
const maxDrivesLimit = 100

type drivePathResource struct {
	PathIndex    int    `json:"pathIndex"`
	DeviceHost   string `json:"deviceHost"`
	DriveName    string `json:"driveName"`
	DevicePath   string `json:"devicePath"`
	DriveControl string `json:"driveControl"`
	IsEnabled    bool   `json:"isEnabled"`
	PathStatus   string `json:"pathStatus"`
	IsNdmp       bool   `json:"isNdmp"`
	RobotControl string `json:"robotControl"`
}

type driveAttributes struct {
	SerialNumber      string              `json:"serialNumber"`
	DevicePaths       []drivePathResource `json:"devicePaths"`
	DriveType         string              `json:"driveType"`
	RobotType         string              `json:"robotType"`
	RobotNumber       int64               `json:"robotNumber"`
	RobotDriveNumber  int64               `json:"robotDriveNumber"`
	CleaningFrequency int64               `json:"cleaningFrequency"`
	CleaningComment   string              `json:"cleaningComment,omitempty"`
	TapeAlertEnabled  bool                `json:"tapeAlertEnabled"`
	SharedDrive       bool                `json:"sharedDrive"`
	RecordedMediaID   string              `json:"recordedMediaId,omitempty"`
	DriveControl      string              `json:"driveControl"`
	DriveStatus       string              `json:"driveStatus"`
	Enabled           bool                `json:"enabled"`
	Ready             bool                `json:"ready"`
	DeviceHost        string              `json:"deviceHost"`
	DevicePath        string              `json:"devicePath"`
	DriveControlValue string              `json:"driveControlDisplayValue"`
}

type driveResource struct {
	Type       string          `json:"type"`
	ID         string          `json:"id"`
	Attributes driveAttributes `json:"attributes"`
}

func renderDrive(i int, d *Drive) driveResource {
	a := driveAttributes{
		SerialNumber: d.SerialNumber, DriveType: d.DriveType, RobotType: d.RobotType, RobotNumber: d.RobotNumber,
		RobotDriveNumber: int64(i + 1), CleaningFrequency: 0, TapeAlertEnabled: true, SharedDrive: len(d.Paths) > 1,
		RecordedMediaID: d.RecordedMedium, DriveStatus: d.Status, Enabled: true, Ready: d.RecordedMedium != "",
		DeviceHost: d.DeviceHost(), DriveControl: "DRIVE_CONTROL_AVR", DriveControlValue: "AVR",
		DevicePaths: []drivePathResource{},
	}
	if d.NeedsCleaning {
		a.CleaningComment = "NEEDS CLEANING"
	}
	if d.Status == "DRIVE_STATUS_DOWN" {
		a.DriveControl, a.DriveControlValue = "DRIVE_CONTROL_DOWN", "DOWN"
	}
	for j, p := range d.Paths {
		pr := drivePathResource{PathIndex: j, DeviceHost: p.Host, DriveName: d.Name, DevicePath: p.DevicePath,
			DriveControl: "DRIVE_CONTROL_AVR", IsEnabled: true, PathStatus: "PATH_STATUS_UP", RobotControl: d.RobotType}
		if !p.Up {
			pr.DriveControl, pr.PathStatus = "DRIVE_CONTROL_DOWN", "PATH_STATUS_DOWN"
		}
		a.DevicePaths = append(a.DevicePaths, pr)
	}
	a.DevicePath = "<multiple>"
	if len(d.Paths) == 1 {
		a.DevicePath = d.Paths[0].DevicePath
	}
	return driveResource{Type: "drive", ID: d.Name, Attributes: a}
}

func (s *Server) handleDrives(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	or, ok := s.parseOffsetRequest(w, rc, q, maxDrivesLimit)
	if !ok || !s.noFilter(w, rc, q) || !s.wait(r.Context()) {
		return
	}
	s.mu.RLock()
	items := deepClone(s.drives)
	s.mu.RUnlock()
	index := map[string]int{}
	for i := range items {
		index[items[i].Name] = i
	}
	sortByName(items, or, func(d *Drive) string { return d.Name })
	resp := offsetPage(or, items, baseURL(r)+"/storage/drives", q, func(d *Drive) driveResource {
		return renderDrive(index[d.Name], d)
	})
	s.writeJSON(w, rc, http.StatusOK, &resp)
}

// noFilter refuses a filter on the endpoints the fake does not filter, so a
// client relying on one learns it at once rather than reading everything.
func (s *Server) noFilter(w http.ResponseWriter, rc *reqCtx, q url.Values) bool {
	if q.Get("filter") == "" {
		return true
	}
	s.writeError(w, rc, http.StatusBadRequest, "Invalid filter.", "the fake does not filter "+rc.endpoint+
		", got filter="+strconv.Quote(q.Get("filter")))
	return false
}
