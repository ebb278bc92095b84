package fakenbu

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// jobAttributes is the data[].attributes object of a job: most of the
// spec's 77 attributes, so that a client decodes a realistic volume per
// record. Only endTime is ever omitted (a job that has not ended).
type jobAttributes struct {
	JobID                      int64   `json:"jobId"`
	ParentJobID                int64   `json:"parentJobId"`
	ActiveProcessID            int64   `json:"activeProcessId"`
	MainProcessID              int64   `json:"mainProcessId"`
	JobType                    string  `json:"jobType"`
	JobSubType                 string  `json:"jobSubType"`
	PolicyType                 string  `json:"policyType"`
	PolicyName                 string  `json:"policyName"`
	ScheduleType               string  `json:"scheduleType"`
	ScheduleName               string  `json:"scheduleName"`
	ClientName                 string  `json:"clientName"`
	ControlHost                string  `json:"controlHost"`
	JobOwner                   string  `json:"jobOwner"`
	JobGroup                   string  `json:"jobGroup"`
	BackupID                   string  `json:"backupId"`
	SourceMediaID              string  `json:"sourceMediaId"`
	SourceStorageUnitName      string  `json:"sourceStorageUnitName"`
	SourceMediaServerName      string  `json:"sourceMediaServerName"`
	DestinationMediaID         string  `json:"destinationMediaId"`
	DestinationStorageUnitName string  `json:"destinationStorageUnitName"`
	DestinationMediaServerName string  `json:"destinationMediaServerName"`
	DataMovement               string  `json:"dataMovement"`
	StreamNumber               int64   `json:"streamNumber"`
	CopyNumber                 int64   `json:"copyNumber"`
	Priority                   int64   `json:"priority"`
	RetentionLevel             int64   `json:"retentionLevel"`
	Compression                int64   `json:"compression"`
	Status                     int64   `json:"status"`
	State                      string  `json:"state"`
	NumberOfFiles              int64   `json:"numberOfFiles"`
	EstimatedFiles             int64   `json:"estimatedFiles"`
	KilobytesTransferred       int64   `json:"kilobytesTransferred"`
	KilobytesToTransfer        int64   `json:"kilobytesToTransfer"`
	TransferRate               int64   `json:"transferRate"`
	PercentComplete            int64   `json:"percentComplete"`
	Restartable                int64   `json:"restartable"`
	Suspendable                int64   `json:"suspendable"`
	Resumable                  int64   `json:"resumable"`
	Cancellable                int64   `json:"cancellable"`
	FrozenImage                int64   `json:"frozenImage"`
	TransportType              string  `json:"transportType"`
	CurrentOperation           int64   `json:"currentOperation"`
	JobQueueReason             int64   `json:"jobQueueReason"`
	JobQueueResource           string  `json:"jobQueueResource"`
	RobotName                  string  `json:"robotName"`
	VaultName                  string  `json:"vaultName"`
	ProfileName                string  `json:"profileName"`
	SessionID                  int64   `json:"sessionId"`
	NumberOfTapeToEject        int64   `json:"numberOfTapeToEject"`
	SubmissionType             int64   `json:"submissionType"`
	DumpHost                   string  `json:"dumpHost"`
	InstanceDatabaseName       string  `json:"instanceDatabaseName"`
	AuditUserName              string  `json:"auditUserName"`
	AuditDomainName            string  `json:"auditDomainName"`
	AuditDomainType            int64   `json:"auditDomainType"`
	RestoreBackupIDs           string  `json:"restoreBackupIDs"`
	StartTime                  string  `json:"startTime"`
	EndTime                    string  `json:"endTime,omitempty"`
	ActiveTryStartTime         string  `json:"activeTryStartTime"`
	LastUpdateTime             string  `json:"lastUpdateTime"`
	KilobytesDataTransferred   int64   `json:"kilobytesDataTransferred"`
	Try                        int64   `json:"try"`
	AssetID                    string  `json:"assetID"`
	AssetDisplayableName       string  `json:"assetDisplayableName"`
	WorkloadDisplayName        string  `json:"workloadDisplayName"`
	ElapsedTime                string  `json:"elapsedTime"`
	ActiveElapsedTime          string  `json:"activeElapsedTime"`
	ChildCount                 int64   `json:"childCount"`
	JobPath                    string  `json:"jobPath"`
	DedupRatio                 float64 `json:"dedupRatio"`
	DedupSpaceRatio            float64 `json:"dedupSpaceRatio"`
	CompressionSpaceRatio      float64 `json:"compressionSpaceRatio"`
	AcceleratorOptimization    float64 `json:"acceleratorOptimization"`
	ApplicationType            string  `json:"applicationType"`
	DteMode                    string  `json:"dteMode"`
	OffHostType                string  `json:"offHostType"`
	CurrentFile                string  `json:"currentFile"`
}

// apiTime is the API's date-time format: UTC, milliseconds, "Z".
func apiTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// isoDuration renders d in the ISO 8601 form the API uses (PT5M46S).
func isoDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	secs := int64(d / time.Second)
	h, m, sec := secs/3600, secs/60%60, secs%60
	var b strings.Builder
	b.WriteString("PT")
	if h > 0 {
		b.WriteString(strconv.FormatInt(h, 10) + "H")
	}
	if m > 0 {
		b.WriteString(strconv.FormatInt(m, 10) + "M")
	}
	if sec > 0 || (h == 0 && m == 0) {
		b.WriteString(strconv.FormatInt(sec, 10) + "S")
	}
	return b.String()
}

// jobAttributes derives the served attributes from the model. The derived
// values are plausible rather than meaningful; they exist to give records a
// realistic shape and size.
func (s *Server) jobAttributes(j *Job, childCount int64, now time.Time) jobAttributes {
	done := !j.EndTime.IsZero()
	end := j.EndTime
	if !done {
		end = now
	}
	elapsed := end.Sub(j.StartTime)
	id := strconv.FormatInt(j.JobID, 10)
	path := id
	if j.ParentJobID != 0 && j.ParentJobID != j.JobID {
		path = strconv.FormatInt(j.ParentJobID, 10) + "." + id
	}

	a := jobAttributes{
		JobID:                      j.JobID,
		ParentJobID:                j.ParentJobID,
		ActiveProcessID:            4000 + j.JobID%60000,
		JobType:                    j.JobType,
		JobSubType:                 "IMMEDIATE",
		PolicyType:                 j.PolicyType,
		PolicyName:                 j.PolicyName,
		ScheduleType:               j.ScheduleType,
		ScheduleName:               j.ScheduleName,
		ClientName:                 j.ClientName,
		ControlHost:                s.serverName,
		JobOwner:                   "root",
		JobGroup:                   "root",
		DestinationStorageUnitName: j.DestinationStorageUnitName,
		DestinationMediaServerName: j.DestinationMediaServerName,
		DataMovement:               "STANDARD",
		CopyNumber:                 1,
		RetentionLevel:             1,
		Status:                     j.Status,
		State:                      j.State,
		NumberOfFiles:              j.NumberOfFiles,
		EstimatedFiles:             j.NumberOfFiles,
		KilobytesTransferred:       j.KilobytesTransferred,
		KilobytesDataTransferred:   j.KilobytesTransferred,
		PercentComplete:            100,
		TransportType:              "LAN",
		JobQueueReason:             j.JobQueueReason,
		JobQueueResource:           j.JobQueueResource,
		AuditUserName:              "root",
		AuditDomainName:            s.serverName,
		AuditDomainType:            4,
		StartTime:                  apiTime(j.StartTime),
		EndTime:                    apiTime(j.EndTime),
		ActiveTryStartTime:         apiTime(j.StartTime),
		LastUpdateTime:             apiTime(j.LastUpdateTime),
		Try:                        1,
		ElapsedTime:                isoDuration(elapsed),
		ActiveElapsedTime:          isoDuration(elapsed),
		ChildCount:                 childCount,
		JobPath:                    path,
		DedupRatio:                 j.DedupRatio,
		ApplicationType:            "NONE",
		DteMode:                    "OFF",
		OffHostType:                "STANDARD",
	}
	if j.ScheduleName != "" {
		a.JobSubType = "SCHEDULED"
	}
	if j.JobType == "BACKUP" && j.ClientName != "" {
		a.BackupID = j.ClientName + "_" + strconv.FormatInt(j.StartTime.Unix(), 10)
		a.DestinationMediaID = "@aaaab"
	}
	if j.PolicyType == "VMWARE" {
		a.ApplicationType = "VMWARE"
		a.AssetDisplayableName = j.ClientName
		a.WorkloadDisplayName = j.ClientName
		a.AssetID = "vm-" + strconv.FormatInt(j.JobID%997, 10)
	}
	if j.DedupRatio > 1 {
		a.DedupSpaceRatio = math.Round((1-1/j.DedupRatio)*10000) / 100
	}
	if secs := int64(elapsed / time.Second); secs > 0 {
		a.TransferRate = j.KilobytesTransferred / secs
	}
	switch j.State {
	case "ACTIVE":
		a.PercentComplete = 40 + j.JobID%50
		a.EstimatedFiles = j.NumberOfFiles * 2
		a.KilobytesToTransfer = j.KilobytesTransferred
		a.CurrentOperation = 3 // WRITING
		a.Cancellable, a.Suspendable = 1, 1
		a.CurrentFile = "/data/file" + strconv.FormatInt(j.NumberOfFiles, 10)
	case "QUEUED", "REQUEUED":
		a.PercentComplete = 0
		a.Cancellable = 1
		a.Try = 0
		a.ActiveTryStartTime = a.StartTime
	default:
		if j.Status > 1 {
			a.Restartable = 1
		}
	}
	return a
}
