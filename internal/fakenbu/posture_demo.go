package fakenbu

import (
	"fmt"
	"time"
)

// PostureData is a complete data set for the protection-posture endpoints, plus the jobs that go
// with it.
type PostureData struct {
	Jobs        []Job
	Policies    []Policy
	Images      []Image
	SLPImages   []SLPImage
	Alerts      []Alert
	ScanResults []ScanResult
}

// SetPosture installs d: the jobs are added to (or replace by JobID) the server's jobs, the rest
// replaces what the server held.
func (s *Server) SetPosture(d PostureData) {
	for _, j := range d.Jobs {
		s.UpsertJob(j)
	}
	s.SetPolicies(d.Policies)
	s.SetImages(d.Images)
	s.SetSLPImages(d.SLPImages)
	s.SetAlerts(d.Alerts)
	s.SetScanResults(d.ScanResults)
}

// Demo posture facts, named for tests.
const (
	DemoStaleClient      = "stale-01"       // last good backup 9 days ago, failed every day since
	DemoPolicyOnlyClient = "policy-only-01" // in a policy, never backed up
	DemoPartialClient    = "partial-01"     // newest backup partially successful (status 1)
	DemoAlerts           = 230              // unresolved alerts: three pages of 100
	demoJobBase          = 900000           // job ids of the demo, clear of GenerateJobs' range
)

// DemoPosture returns the demo data set, relative to now; the same now gives the same data. It
// holds a client with no successful backup in 7 days, a client only in a policy, a failed
// catalog backup newer than the last good one, an SLP backlog, unresolved alerts over several
// pages and infected files.
func DemoPosture(now time.Time) PostureData {
	now = now.UTC().Truncate(time.Second)
	var d PostureData
	id := int64(demoJobBase)
	backup := func(client, policy string, ago time.Duration, status int64) {
		id++
		end := now.Add(-ago)
		d.Jobs = append(d.Jobs, Job{JobID: id, JobType: "BACKUP", PolicyType: "STANDARD", PolicyName: policy,
			ClientName: client, ScheduleType: "FULL_BACKUP", State: "DONE", Status: status,
			KilobytesTransferred: 1024, StartTime: end.Add(-10 * time.Minute), EndTime: end, LastUpdateTime: end})
	}
	day := 24 * time.Hour
	for i, c := range []string{"app-01", "app-02", "app-03", "app-04"} {
		backup(c, "daily-fs", time.Duration(i+1)*time.Hour, 0)
		backup(c, "daily-fs", day+time.Duration(i+1)*time.Hour, 0)
	}
	backup(DemoStaleClient, "daily-fs", 9*day, 0)
	for n := 8; n >= 1; n-- {
		backup(DemoStaleClient, "daily-fs", time.Duration(n)*day+30*time.Minute, 58)
	}
	backup(DemoPartialClient, "win-fs", 3*time.Hour, 1)

	// Catalog: the newest catalog backup failed; the last good one is a day older.
	for _, c := range []struct {
		ago    time.Duration
		status int64
	}{{26 * time.Hour, 0}, {2 * time.Hour, 2}} {
		id++
		end := now.Add(-c.ago)
		d.Jobs = append(d.Jobs, Job{JobID: id, JobType: "DBBACKUP", PolicyType: "NBU_CATALOG", PolicyName: "catalog",
			ClientName: defaultServerName, ScheduleType: "FULL_BACKUP", State: "DONE", Status: c.status,
			StartTime: end.Add(-20 * time.Minute), EndTime: end, LastUpdateTime: end})
	}

	d.Policies = demoPolicies()
	d.Images = demoImages(now)
	d.SLPImages = demoSLPImages(now)
	d.Alerts = demoAlerts(now)
	d.ScanResults = []ScanResult{
		{ID: 1, Client: "app-01", PolicyName: "daily-fs", ScanState: "SCAN_COMPLETED", ScanResult: "IMPACTED",
			FilesScanned: 12000, FilesImpacted: 3, DateOfScan: now.Add(-50 * time.Minute), BackupTime: now.Add(-time.Hour)},
		{ID: 2, Client: "app-02", PolicyName: "daily-fs", ScanState: "SCAN_COMPLETED", ScanResult: "CLEAN",
			FilesScanned: 8000, DateOfScan: now.Add(-100 * time.Minute), BackupTime: now.Add(-2 * time.Hour)},
		{ID: 3, Client: "app-03", PolicyName: "daily-fs", ScanState: "SCAN_FAILED", ScanResult: "NOT_SCANNED",
			DateOfScan: now.Add(-150 * time.Minute), BackupTime: now.Add(-3 * time.Hour)},
		{ID: 4, Client: "app-04", PolicyName: "daily-fs", ScanState: "SCAN_COMPLETED", ScanResult: "IMPACTED",
			FilesScanned: 500, FilesImpacted: 1, DateOfScan: now.Add(-200 * time.Minute), BackupTime: now.Add(-4 * time.Hour)},
	}
	return d
}

// demoPolicies: the clients' backup frequencies differ. daily-fs promises a backup a day (a
// weekly full, a daily incremental; its user schedule promises nothing); db-logs every four hours
// (archived redo logs) to app-01, which is in both; win-fs has calendar schedules only, so
// partial-01 has no frequency; vm-gold is not active, so app-04 has none either.
func demoPolicies() []Policy {
	const day = 86400
	return []Policy{
		{Name: "daily-fs", Type: "Standard", Active: true, Clients: []string{"app-01", "app-02", "app-03", DemoStaleClient, DemoPolicyOnlyClient},
			Schedules: []PolicySchedule{{"full", "Frequency", "Full Backup", 7 * day}, {"incr", "Frequency", "Differential Incremental Backup", day},
				{"user", "Frequency", "User Backup", 3600}}},
		{Name: "db-logs", Type: "Oracle", Active: true, Clients: []string{"app-01"},
			Schedules: []PolicySchedule{{"auto-full", "Frequency", "Automatic Full Backup", day}, {"arch-logs", "Frequency", "Archived Redo Log Backup", 4 * 3600},
				{"default-app", "Frequency", "Application Backup", 0}}},
		{Name: "win-fs", Type: "MS-Windows", Active: true, Clients: []string{DemoPartialClient},
			Schedules: []PolicySchedule{{Name: "monthly-full", Type: "Calendar", BackupType: "Full Backup"}}},
		{Name: "vm-gold", Type: "VMware", Active: false, Clients: []string{"app-04"},
			Schedules: []PolicySchedule{{"full", "Frequency", "Full Backup", day / 2}}},
		{Name: "catalog", Type: "NBU-Catalog", Active: true},
	}
}

// demoImages: the last 24 hours' images with a spread of malware and anomaly statuses, and one
// older image that the default window leaves out.
func demoImages(now time.Time) []Image {
	kinds := []struct{ scan, anomaly, malware string }{
		{"CLEAN", "NOT_ANOMALOUS", "CLEAN"},
		{"CLEAN", "NOT_ANOMALOUS", "CLEAN"},
		{"IMPACTED", "ANOMALOUS", "INFECTION_DETECTED_BY_MALWARE_SCAN"},
		{"NOT_SCANNED", "NOT_PROCESSED", "NOT_SCANNED"},
		{"NOT_SCANNED", "ANOMALOUS", "NOT_SCANNED"},
		{"CLEAN", "NOT_ANOMALOUS", "CLEAN"},
	}
	var out []Image
	for i, k := range kinds {
		t := now.Add(-time.Duration(i+1) * time.Hour)
		c := fmt.Sprintf("app-%02d", i%4+1)
		out = append(out, Image{BackupID: fmt.Sprintf("%s_%d", c, t.Unix()), ClientName: c, PolicyName: "daily-fs",
			PolicyType: "STANDARD", BackupTime: t, MalwareScanResult: k.scan, AnomalyStatus: k.anomaly, MalwareStatus: k.malware, Kbytes: 1024})
	}
	old := now.Add(-72 * time.Hour)
	out = append(out, Image{BackupID: fmt.Sprintf("app-01_%d", old.Unix()), ClientName: "app-01", PolicyName: "daily-fs",
		PolicyType: "STANDARD", BackupTime: old, MalwareScanResult: "IMPACTED", AnomalyStatus: "ANOMALOUS", MalwareStatus: "INFECTION_DETECTED_BY_MALWARE_SCAN"})
	return out
}

// demoSLPImages: a replication backlog on slp-dr (oldest three days), a little on slp-tape, and
// completed images that are not a backlog.
func demoSLPImages(now time.Time) []SLPImage {
	var out []SLPImage
	add := func(slp, state string, ago time.Duration, size int64) {
		t := now.Add(-ago)
		c := fmt.Sprintf("app-%02d", len(out)%4+1)
		out = append(out, SLPImage{BackupID: fmt.Sprintf("%s_%d", c, t.Unix()), ClientName: c, PolicyName: "daily-fs",
			SLPName: slp, State: state, BackupTime: t, Copies: 2, FragmentSize: size})
	}
	for i := range 5 {
		add("slp-dr", "IN_PROCESS", time.Duration(72-i*6)*time.Hour, 1<<30)
	}
	add("slp-dr", "NOT_STARTED", 2*time.Hour, 2<<30)
	add("slp-dr", "IN_PROCESS|INACTIVE", 30*time.Hour, 0)
	add("slp-tape", "NOT_STARTED", 5*time.Hour, 512<<20)
	for i := range 4 {
		add("slp-dr", "COMPLETE", time.Duration(100+i)*time.Hour, 1<<30)
	}
	return out
}

// demoAlerts: DemoAlerts unresolved alerts, one every 10 minutes, of mixed severity.
func demoAlerts(now time.Time) []Alert {
	sev := []string{"ERROR", "WARNING", "ERROR", "INFO"}
	out := make([]Alert, 0, DemoAlerts)
	for i := range DemoAlerts {
		out = append(out, Alert{ID: int64(i + 1), Severity: sev[i%len(sev)], Category: "JOB", SubCategory: "STANDARD",
			Context: "JOB_STATE_FAILED", Created: now.Add(-time.Duration(DemoAlerts-i) * 10 * time.Minute),
			JobID: int64(demoJobBase + i), ClientName: DemoStaleClient, Status: 58})
	}
	return out
}
