package fakenbu

import "slices"

// Drive is the fake's model of one tape drive (/storage/drives).
type Drive struct {
	Name        string // data[].id, the spec's "Drive name"
	DriveType   string // DT_HCART, DT_HCART2, DT_HCART3, DT_DLT, ...
	RobotType   string // TLD, ACS, NOT_ROBOTIC
	RobotNumber int64
	// Status is driveStatus: DRIVE_STATUS_UP, _DOWN, _MIXED (UP on some hosts,
	// DOWN on others), _DISABLED.
	Status         string
	NeedsCleaning  bool // served as cleaningComment "NEEDS CLEANING"
	SerialNumber   string
	Paths          []DrivePath // one per media server that sees the drive
	RecordedMedium string      // recordedMediaId of a loaded tape; "" = empty drive
}

// DrivePath is one host's path to a drive.
type DrivePath struct {
	Host       string // deviceHost: the media server
	DevicePath string // e.g. /dev/nst0
	Up         bool   // pathStatus PATH_STATUS_UP, else PATH_STATUS_DOWN with driveControl DRIVE_CONTROL_DOWN
}

// DeviceHost is what the spec's deviceHost holds: the one host, or "<multiple>".
func (d *Drive) DeviceHost() string {
	switch len(d.Paths) {
	case 0:
		return ""
	case 1:
		return d.Paths[0].Host
	}
	return "<multiple>"
}

// TapeMedium is the fake's model of one tape volume (/storage/tape-media).
type TapeMedium struct {
	MediaID     string // data[].id, at most 6 characters
	MediaType   string // HCART, HCART3, HC_CLN, ...
	RobotType   string // TLD, ACS, NOT_ROBOTIC
	RobotNumber int64
	RobotHost   string
	Slot        int64
	VolumeGroup string
	VolumePool  string
	// Status is mediaStatus as served: "" (unassigned) or blank-separated
	// flags (FROZEN, SUSPENDED, FULL, ACTIVE, MULTIPLEXED, ...).
	Status    string
	KiloBytes int64
	Images    int64
}

// VolumePool is the fake's model of one tape volume pool (/storage/tape-volume-pools).
type VolumePool struct {
	Number             int64 // data[].id
	Name               string
	Description        string
	PoolType           string // REGULAR_MEDIA_POOL, SCRATCH_MEDIA_POOL, CATALOG_MEDIA_POOL, AVAILABLE_MEDIA_POOL
	PartiallyFullMedia int64
}

// MediaServer is the fake's model of one media server (/config/media-servers).
type MediaServer struct {
	Name       string
	OSType     string // e.g. Linux, Windows
	OSVersion  string
	NBUVersion string
	Up         bool   // isMachineUp
	Status     string // status.name: ACTIVE_FOR_TAPE_AND_DISK, ACTIVE_FOR_DISK, OFFLINE, ...
}

// SetDrives replaces the tape drives; they are served in this order.
func (s *Server) SetDrives(d []Drive) { setList(s, &s.drives, d) }

// SetTapeMedia replaces the tape media; they are served in this order.
func (s *Server) SetTapeMedia(m []TapeMedium) { setList(s, &s.media, m) }

// SetVolumePools replaces the tape volume pools; they are served in this order.
func (s *Server) SetVolumePools(p []VolumePool) { setList(s, &s.volPools, p) }

// SetRobotDeviceHosts replaces the robots' device hosts.
func (s *Server) SetRobotDeviceHosts(h []string) { setList(s, &s.robotHosts, h) }

// SetMediaServers replaces the media servers; they are served in this order.
func (s *Server) SetMediaServers(m []MediaServer) { setList(s, &s.mediaServers, m) }

// Drives, TapeMedia, VolumePools, RobotDeviceHosts, MediaServers and
// DiskPools return copies of what is served, so tests can compare a client's
// view with the fake's own data.
func (s *Server) Drives() []Drive             { return getList(s, &s.drives) }
func (s *Server) TapeMedia() []TapeMedium     { return getList(s, &s.media) }
func (s *Server) VolumePools() []VolumePool   { return getList(s, &s.volPools) }
func (s *Server) RobotDeviceHosts() []string  { return getList(s, &s.robotHosts) }
func (s *Server) MediaServers() []MediaServer { return getList(s, &s.mediaServers) }
func (s *Server) DiskPools() []DiskPool       { return getList(s, &s.pools) }
func (s *Server) StorageUnits() []StorageUnit { return getList(s, &s.units) }

func setList[T any](s *Server, dst *[]T, v []T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	*dst = deepClone(v)
}

func getList[T any](s *Server, src *[]T) []T {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return deepClone(*src)
}

// deepClone copies the nested slices of drives and pools too, so that a
// caller changing what it passed or got cannot race with the server.
func deepClone[T any](v []T) []T {
	out := slices.Clone(v)
	for i := range out {
		switch x := any(&out[i]).(type) {
		case *Drive:
			x.Paths = slices.Clone(x.Paths)
		case *DiskPool:
			x.Volumes = slices.Clone(x.Volumes)
		}
	}
	return out
}
