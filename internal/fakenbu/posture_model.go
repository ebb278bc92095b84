package fakenbu

import (
	"slices"
	"time"
)

// Policy is the fake's model of one policy (/config/policies/ and its detail).
type Policy struct {
	Name    string
	Type    string // as the policies API spells it: "Standard", "MS-Windows", "VMware", "NBU-Catalog"...
	Active  bool
	Clients []string // hostName of each client, in order
	// Schedules are served in order, as config_policies.yaml spells them.
	Schedules []PolicySchedule
}

// PolicySchedule is one schedule of a policy.
type PolicySchedule struct {
	Name       string
	Type       string // scheduleType: "Frequency" or "Calendar"
	BackupType string // "Full Backup", "Differential Incremental Backup", "User Backup", ...
	// FrequencySeconds is served for frequency-based schedules; 0 leaves it out.
	FrequencySeconds int64
}

// Image is the fake's model of one catalog image (/catalog/images). The scan and anomaly fields
// are served only on the API versions whose spec has them.
type Image struct {
	BackupID          string
	ClientName        string
	PolicyName        string
	PolicyType        string // STANDARD, ...
	BackupTime        time.Time
	MalwareScanResult string // NOT_SCANNED IMPACTED CLEAN NOT_SUPPORTED (API 10.0 on)
	AnomalyStatus     string // NOT_PROCESSED ANOMALOUS NOT_ANOMALOUS ... (API 12.0 on)
	MalwareStatus     string // NOT_SCANNED INFECTION_DETECTED_BY_MALWARE_SCAN CLEAN ... (API 13.0 on)
	Kbytes            int64
}

// SLPImage is the fake's model of one image under a storage lifecycle policy
// (/catalog/slp-images). Each copy is served with one fragment of FragmentSize.
type SLPImage struct {
	BackupID     string
	ClientName   string
	PolicyName   string
	SLPName      string
	State        string // NOT_MANAGED NOT_STARTED IN_PROCESS COMPLETE DELETED "NOT_STARTED|INACTIVE" "IN_PROCESS|INACTIVE"
	BackupTime   time.Time
	Copies       int   // number of copies; 0 = 1
	FragmentSize int64 // fragmentSize of each copy's fragment; 0 = served without fragments
}

// Alert is the fake's model of one /manage/alerts record.
type Alert struct {
	ID          int64
	Severity    string // INFO WARNING ERROR
	Category    string // JOB
	SubCategory string
	Context     string // JOB_STATE_FAILED, ...
	Created     time.Time
	JobID       int64
	ClientName  string
	Status      int64
}

// ScanResult is the fake's model of one /malware/latest-scan-results record.
type ScanResult struct {
	ID            int64
	Client        string
	PolicyName    string
	ScanState     string // SCAN_COMPLETED, SCAN_FAILED, ...
	ScanResult    string // NOT_SCANNED IMPACTED CLEAN NOT_SUPPORTED
	FilesScanned  int64
	FilesImpacted int64 // served from API 12.0 on (the 10.3 spec lacks numberOfFilesImpacted)
	DateOfScan    time.Time
	BackupTime    time.Time
}

// posture holds the data of the protection-posture endpoints; guarded by Server.mu.
type posture struct {
	policies []Policy
	images   []Image
	slp      []SLPImage
	alerts   []Alert
	scans    []ScanResult
}

// SetPolicies replaces all policies; they are served in this order.
func (s *Server) SetPolicies(p []Policy) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.posture.policies = slices.Clone(p)
}

// SetImages replaces all catalog images; they are served newest backup first.
func (s *Server) SetImages(imgs []Image) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.posture.images = slices.Clone(imgs)
	for i := range s.posture.images {
		s.posture.images[i].BackupTime = s.posture.images[i].BackupTime.Truncate(time.Millisecond)
	}
	slices.SortStableFunc(s.posture.images, func(a, b Image) int { return b.BackupTime.Compare(a.BackupTime) })
}

// SetSLPImages replaces all SLP images.
func (s *Server) SetSLPImages(imgs []SLPImage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.posture.slp = slices.Clone(imgs)
	for i := range s.posture.slp {
		s.posture.slp[i].BackupTime = s.posture.slp[i].BackupTime.Truncate(time.Millisecond)
	}
}

// SetAlerts replaces all alerts.
func (s *Server) SetAlerts(a []Alert) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.posture.alerts = slices.Clone(a)
}

// SetScanResults replaces all latest malware scan results.
func (s *Server) SetScanResults(r []ScanResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.posture.scans = slices.Clone(r)
}

// Policies returns a copy of the policies.
func (s *Server) Policies() []Policy {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := slices.Clone(s.posture.policies)
	for i := range out {
		out[i].Clients = slices.Clone(out[i].Clients)
		out[i].Schedules = slices.Clone(out[i].Schedules)
	}
	return out
}

// Images, SLPImages, Alerts and ScanResults return copies of the data, for tests to compare
// the exporter's view with.
func (s *Server) Images() []Image {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.posture.images)
}

func (s *Server) SLPImages() []SLPImage {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.posture.slp)
}

func (s *Server) Alerts() []Alert {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.posture.alerts)
}

func (s *Server) ScanResults() []ScanResult {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.posture.scans)
}
