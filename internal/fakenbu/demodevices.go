package fakenbu

import "fmt"

const (
	demoMedia1 = "media01.example.com"
	demoMedia2 = "media02.example.com"
)

// DemoDrives returns five drives in two TLD robots: one shared by both media
// servers, one needing cleaning, one DOWN, one UP on one host and DOWN on the
// other (MIXED), and one in the second robot.
func DemoDrives() []Drive {
	p := func(host, dev string, up bool) DrivePath { return DrivePath{Host: host, DevicePath: dev, Up: up} }
	return []Drive{
		{Name: "HPUltrium8-000", DriveType: "DT_HCART3", RobotType: "TLD", RobotNumber: 0, Status: "DRIVE_STATUS_UP",
			SerialNumber: "HU1000A0", Paths: []DrivePath{p(demoMedia1, "/dev/nst0", true), p(demoMedia2, "/dev/nst0", true)},
			RecordedMedium: "AA0003"},
		{Name: "HPUltrium8-001", DriveType: "DT_HCART3", RobotType: "TLD", RobotNumber: 0, Status: "DRIVE_STATUS_UP",
			SerialNumber: "HU1000A1", NeedsCleaning: true, Paths: []DrivePath{p(demoMedia1, "/dev/nst1", true)}},
		{Name: "HPUltrium8-002", DriveType: "DT_HCART3", RobotType: "TLD", RobotNumber: 0, Status: "DRIVE_STATUS_DOWN",
			SerialNumber: "HU1000A2", Paths: []DrivePath{p(demoMedia1, "/dev/nst2", false)}},
		{Name: "HPUltrium8-003", DriveType: "DT_HCART3", RobotType: "TLD", RobotNumber: 0, Status: "DRIVE_STATUS_MIXED",
			SerialNumber: "HU1000A3", Paths: []DrivePath{p(demoMedia1, "/dev/nst3", true), p(demoMedia2, "/dev/nst3", false)}},
		{Name: "IBMLTO6-100", DriveType: "DT_HCART2", RobotType: "TLD", RobotNumber: 1, Status: "DRIVE_STATUS_UP",
			SerialNumber: "IB6000B0", Paths: []DrivePath{p(demoMedia2, "/dev/nst4", true)}},
	}
}

// DemoVolumePools returns NetBackup's default pools plus two scratch pools,
// one of them (Scratch_LTO6) empty.
func DemoVolumePools() []VolumePool {
	return []VolumePool{
		{Number: 0, Name: "None", Description: "the None pool", PoolType: "REGULAR_MEDIA_POOL"},
		{Number: 1, Name: "NetBackup", Description: "the NetBackup pool", PoolType: "REGULAR_MEDIA_POOL", PartiallyFullMedia: 4},
		{Number: 2, Name: "DataStore", Description: "the DataStore pool", PoolType: "REGULAR_MEDIA_POOL", PartiallyFullMedia: 1},
		{Number: 3, Name: "CatalogBackup", Description: "NetBackup Catalog pool", PoolType: "CATALOG_MEDIA_POOL", PartiallyFullMedia: 1},
		{Number: 4, Name: "Scratch", Description: "LTO8 scratch", PoolType: "SCRATCH_MEDIA_POOL"},
		{Number: 5, Name: "Scratch_LTO6", Description: "LTO6 scratch, empty", PoolType: "SCRATCH_MEDIA_POOL"},
	}
}

// DemoTapeMedia returns 250 media, over three pages at the spec's maximum
// page size: NetBackup pool media in various states (three FROZEN, two
// SUSPENDED), available scratch media (one FROZEN), full DataStore media,
// catalog media, vaulted (non-robotic) media and cleaning tapes.
func DemoTapeMedia() []TapeMedium {
	out := make([]TapeMedium, 0, 250)
	for i := range 250 {
		m := TapeMedium{MediaID: fmt.Sprintf("AA%04d", i), MediaType: "HCART3", RobotType: "TLD", RobotNumber: 0,
			RobotHost: demoMedia1, Slot: int64(i + 1), VolumeGroup: "000_00000_TLD"}
		switch {
		case i < 120:
			m.VolumePool, m.Images, m.KiloBytes = "NetBackup", int64(1+i%7), int64(i+1)*1_000_000
			m.Status = []string{"ACTIVE", "FULL", "ACTIVE MULTIPLEXED", "ACTIVE"}[i%4]
			if i%40 == 5 {
				m.Status = "FROZEN"
			}
			if i == 17 || i == 18 {
				m.Status = "SUSPENDED"
			}
		case i < 180:
			m.VolumePool = "Scratch"
			if i == 179 {
				m.Status = "FROZEN" // a bad tape in scratch: not available
			}
		case i < 220:
			m.VolumePool, m.Status, m.Images, m.KiloBytes = "DataStore", "FULL", 12, 12_000_000_000
			m.MediaType, m.RobotNumber, m.RobotHost, m.VolumeGroup = "HCART2", 1, demoMedia2, "001_00001_TLD"
		case i < 240:
			m.VolumePool, m.Status, m.Images, m.KiloBytes = "CatalogBackup", "ACTIVE", 1, 40_000_000
		case i < 246:
			m.VolumePool, m.Status, m.Images, m.KiloBytes = "NetBackup", "FULL", 30, 11_000_000_000
			m.RobotType, m.RobotNumber, m.RobotHost, m.Slot, m.VolumeGroup = "NOT_ROBOTIC", 0, "", 0, "---"
		default:
			m.VolumePool, m.MediaType = "None", "HC3_CLN"
		}
		out = append(out, m)
	}
	return out
}

// DemoRobotDeviceHosts returns the media servers that control the demo robots.
func DemoRobotDeviceHosts() []string { return []string{demoMedia1, demoMedia2} }

// DemoMediaServers returns the two media servers of the demo storage and a
// third one that is down.
func DemoMediaServers() []MediaServer {
	return []MediaServer{
		{Name: demoMedia1, OSType: "Linux", OSVersion: "RHEL 9.4", NBUVersion: "10.5", Up: true, Status: "ACTIVE_FOR_TAPE_AND_DISK"},
		{Name: demoMedia2, OSType: "Linux", OSVersion: "RHEL 8.10", NBUVersion: "10.5", Up: true, Status: "ACTIVE_FOR_TAPE_AND_DISK"},
		{Name: "media03.example.com", OSType: "Windows", OSVersion: "Windows Server 2022", NBUVersion: "10.4", Up: false,
			Status: "OFFLINE"},
	}
}
