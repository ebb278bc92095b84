package fakenbu

import "time"

// SetDevices serves the demo's devices: a DOWN disk pool and a full one, a DOWN drive and one
// needing cleaning, 250 tape media over several pages, an empty scratch pool, a media server down,
// a storage server down.
func (s *Server) SetDevices() {
	s.SetDiskPools(DemoDiskPools())
	s.SetDrives(DemoDrives())
	s.SetTapeMedia(DemoTapeMedia())
	s.SetVolumePools(DemoVolumePools())
	s.SetRobotDeviceHosts(DemoRobotDeviceHosts())
	s.SetMediaServers(DemoMediaServers())
	s.SetStorageServers(DemoStorageServers())
}

// SetDemo serves the demo's data but the jobs: storage units, devices, protection posture,
// protection plans, licensing and host certificates, hosts with their services and the security
// posture (dated from now).
func (s *Server) SetDemo(now time.Time) {
	s.SetStorageUnits(DemoStorageUnits())
	s.SetDevices()
	s.SetPosture(DemoPosture(now))
	s.SetSLOs(DemoSLOs())
	s.SetLicensingDemo(now, s.serverName)
	s.SetHostsSecurity(DemoHostsSecurity(now, s.serverName))
}
