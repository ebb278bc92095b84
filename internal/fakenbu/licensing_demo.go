package fakenbu

import "time"

// Demo licensing and host certificate facts, named for tests.
const (
	DemoLicensedTB     = 100 // FETB licensed by the active entitlements (60 + 40 TB)
	DemoUsedTB         = 92  // front-end TB the demo primary protects: 92 % of the licence
	DemoExpiringClient = "app-02"
)

// SetLicensingDemo serves the demo's licensing data and host certificates for the primary named
// primary, dated from now.
func (s *Server) SetLicensingDemo(now time.Time, primary string) {
	s.SetLicensing(DemoLicensing(now, primary))
	s.SetHostCertificates(DemoHostCertificates(now, primary))
}

// DemoLicensing returns capacity reports for primary (92 TB used of the 100 TB licensed) and for
// a second primary, and four entitlements: two FETB subscriptions (one ending in 25 days), a
// perpetual CPU licence without an end date, and an expired trial.
func DemoLicensing(now time.Time, primary string) LicensingData {
	now = now.UTC().Truncate(time.Second)
	day := 24 * time.Hour
	mb := func(tb float64) *float64 { v := tb * 1024 * 1024; return &v }
	count := func(n int64) *int64 { return &n }
	return LicensingData{
		Capacity: []CapacityReport{
			{MasterServer: primary, ConsumptionMB: mb(DemoUsedTB), Clients: []ClientUsage{
				{Name: "app-01", ConsumptionMB: 40 * 1024 * 1024, Policy: "daily-fs", PolicyType: "STANDARD"},
				{Name: "db-01", ConsumptionMB: 52 * 1024 * 1024, Policy: "oracle", PolicyType: "ORACLE"},
			}},
			{MasterServer: "nbu-dr.example.com", ConsumptionMB: mb(12)},
		},
		Entitlements: []Entitlement{
			{ID: "ENT-FETB-0001", ProductName: "NetBackup Platform Base FETB", Meter: "FETB", Type: "SUBSCRIPTION",
				Status: "ACTIVE", Count: count(60), EndDate: now.Add(200 * day), ServiceExpiration: now.Add(200 * day)},
			{ID: "ENT-FETB-0002", ProductName: "NetBackup Platform Base FETB", Meter: "FETB", Type: "SUBSCRIPTION",
				Status: "ACTIVE", Count: count(40), EndDate: now.Add(25 * day), ServiceExpiration: now.Add(25 * day)},
			{ID: "ENT-CPU-0003", ProductName: "NetBackup Enterprise Client CPU", Meter: "CPU", Type: "PERPETUAL",
				Status: "ACTIVE", Count: count(16), ServiceExpiration: now.Add(400 * day)},
			{ID: "ENT-TRIAL-0004", ProductName: "NetBackup Trial FETB", Meter: "FETB", Type: "DEMO",
				Status: "EXPIRED", Count: count(10), EndDate: now.Add(-30 * day)},
		},
	}
}

// DemoHostCertificates returns the host certificates of the demo's hosts: the primary, a media
// server, app-01 renewed (its old certificate, expiring in 5 days, still active), app-02 expiring
// in 12 days, and a revoked and a deleted certificate that expire sooner (neither counts).
func DemoHostCertificates(now time.Time, primary string) []HostCertificate {
	now = now.UTC().Truncate(time.Second)
	day := 24 * time.Hour
	issued := func(d time.Duration) time.Time { return now.Add(d - 365*day) }
	return []HostCertificate{
		{HostID: "2a7c1d6e-9f3b-4c58-8e21-5b0d7f4a6c13", HostName: primary, Serial: 1001, NotBefore: issued(300 * day), NotAfter: now.Add(300 * day), HostType: 1},
		{HostID: "5d0e2f7a-1b3c-4e59-9a10-0c1d2e3f4a5b", HostName: "media-01.example.com", Serial: 1002, NotBefore: issued(200 * day), NotAfter: now.Add(200 * day), HostType: 1},
		{HostID: "7e8f9a0b-2c3d-4e5f-8a6b-1c2d3e4f5a6b", HostName: "app-01", Serial: 1003, NotBefore: issued(5 * day), NotAfter: now.Add(5 * day), HostType: 2},
		{HostID: "7e8f9a0b-2c3d-4e5f-8a6b-1c2d3e4f5a6b", HostName: "app-01", Serial: 1104, NotBefore: issued(365 * day), NotAfter: now.Add(365 * day), HostType: 2},
		{HostID: "8f9a0b1c-3d4e-4f5a-9b7c-2d3e4f5a6b7c", HostName: DemoExpiringClient, Serial: 1005, NotBefore: issued(12 * day), NotAfter: now.Add(12 * day), HostType: 2},
		{HostID: "9a0b1c2d-4e5f-4a6b-8c8d-3e4f5a6b7c8d", HostName: "old-01", Serial: 1006, NotBefore: issued(2 * day), NotAfter: now.Add(2 * day), HostType: 2, Revoked: true},
		{HostID: "0b1c2d3e-5f6a-4b7c-9d9e-4f5a6b7c8d9e", HostName: "gone-01", Serial: 1007, NotBefore: issued(3 * day), NotAfter: now.Add(3 * day), HostType: 2, Deleted: true},
	}
}
