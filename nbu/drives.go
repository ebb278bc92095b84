package nbu

import (
	"context"
	"strings"
)

const drivesEndpoint = "/storage/drives"

// Drive is one /storage/drives record, reduced to what the exporter uses. Enum values are in the
// spec's spelling ("UP" reads as DRIVE_STATUS_UP: see DriveStatuses), others as sent.
type Drive struct {
	// Name is attributes.driveName where a server sends it, else data[].id
	// (the spec's "Drive name"), else the first path's driveName.
	Name         string
	DriveType    string // DT_HCART, DT_DLT2, ...; unknown values kept
	RobotType    string // NA, NOT_ROBOTIC, ACS, TLD
	RobotNumber  string // "" for a standalone drive; a number otherwise
	DriveStatus  string // DRIVE_STATUS_UP, _DOWN, _MIXED, _DISABLED
	DriveControl string // DRIVE_CONTROL_DOWN, _AVR, ...
	// DeviceHost is attributes.deviceHost: the host the drive is configured
	// on, or "<multiple>" for a shared drive (then Paths names each host).
	DeviceHost      string
	AssignedHost    string
	CleaningComment string // "NEEDS CLEANING" when the drive needs cleaning
	Paths           []DrivePath
}

// DrivePath is one element of a drive's devicePaths: the drive as one host sees it.
type DrivePath struct {
	DeviceHost, DriveName, DevicePath string
	PathStatus                        string // PATH_STATUS_UP, _DOWN, _DISABLED; "" when not sent
	DriveControl                      string
	Enabled                           bool
}

// NeedsCleaning reports the spec's cleaning signal: cleaningComment is set to
// "NEEDS CLEANING" when the drive needs cleaning.
func (d *Drive) NeedsCleaning() bool {
	return strings.Contains(strings.ToUpper(d.CleaningComment), "NEEDS CLEANING")
}

type driveAttrs struct {
	DriveName       lString                  `json:"driveName"`
	DriveType       lEnum                    `json:"driveType"`
	RobotType       lEnum                    `json:"robotType"`
	RobotNumber     lString                  `json:"robotNumber"`
	DriveStatus     lEnum                    `json:"driveStatus"`
	DriveControl    lEnum                    `json:"driveControl"`
	DeviceHost      lString                  `json:"deviceHost"`
	AssignedHost    lString                  `json:"assignedHost"`
	CleaningComment lString                  `json:"cleaningComment"`
	DevicePaths     lObjects[drivePathAttrs] `json:"devicePaths"`
}

type drivePathAttrs struct {
	DeviceHost   lString `json:"deviceHost"`
	DriveName    lString `json:"driveName"`
	DevicePath   lString `json:"devicePath"`
	PathStatus   lEnum   `json:"pathStatus"`
	DriveControl lEnum   `json:"driveControl"`
	IsEnabled    lBool   `json:"isEnabled"`
}

// Drives fetches every page of GET /storage/drives (offset paging,
// page[limit] = pageSize, 0 = 100, the spec's maximum for drives).
func (c *Client) Drives(ctx context.Context, pageSize int) ([]Drive, error) {
	return offsetList(ctx, c, drivesEndpoint, pageSize, maxDrivesPageSize, func(id string, a *driveAttrs) (Drive, bool) {
		return a.toDrive(id), true
	})
}

func (a *driveAttrs) toDrive(id string) Drive {
	d := Drive{
		Name:            string(a.DriveName),
		DriveType:       DriveTypes.Normalize(string(a.DriveType)),
		RobotType:       RobotTypes.Normalize(string(a.RobotType)),
		RobotNumber:     string(a.RobotNumber),
		DriveStatus:     DriveStatuses.Normalize(string(a.DriveStatus)),
		DriveControl:    DriveControls.Normalize(string(a.DriveControl)),
		DeviceHost:      string(a.DeviceHost),
		AssignedHost:    string(a.AssignedHost),
		CleaningComment: string(a.CleaningComment),
	}
	for _, p := range a.DevicePaths {
		d.Paths = append(d.Paths, DrivePath{
			DeviceHost:   string(p.DeviceHost),
			DriveName:    string(p.DriveName),
			DevicePath:   string(p.DevicePath),
			PathStatus:   PathStatuses.Normalize(string(p.PathStatus)),
			DriveControl: DriveControls.Normalize(string(p.DriveControl)),
			Enabled:      bool(p.IsEnabled),
		})
	}
	if d.Name == "" {
		d.Name = id
	}
	if d.Name == "" && len(d.Paths) > 0 {
		d.Name = d.Paths[0].DriveName
	}
	return d
}
