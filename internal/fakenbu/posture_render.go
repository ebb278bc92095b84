package fakenbu

import (
	"net/url"
	"strconv"
	"time"
)

// The resources below follow the 11.0/11.2 schemas (config_policies.yaml, catalog.yaml,
// manage.yaml, malware.yaml), reduced to members a reader might use plus a few it should skip.

// fmtTime is apiTime with the zero time as "" (absent dates).
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return apiTime(t)
}

type selfLinks struct {
	Self href `json:"self"`
}

type policyListResource struct {
	Type       string    `json:"type"`
	ID         string    `json:"id"`
	Links      selfLinks `json:"links"`
	Attributes struct {
		PolicyName string `json:"policyName"`
		PolicyType string `json:"policyType"`
		Active     bool   `json:"active"`
		JobLimit   int64  `json:"jobLimit"`
		Priority   int64  `json:"priority"`
		Storage    string `json:"storage"`
	} `json:"attributes"`
}

func renderPolicyListItem(base string, p *Policy) policyListResource {
	var r policyListResource
	r.Type, r.ID = "policy", p.Name
	r.Links.Self.Href = base + "/config/policies/" + url.PathEscape(p.Name)
	a := &r.Attributes
	a.PolicyName, a.PolicyType, a.Active, a.JobLimit, a.Storage = p.Name, p.Type, p.Active, 2147483647, "stu-msdp-01"
	return r
}

type policyClient struct {
	HostName string `json:"hostName"`
	Hardware string `json:"hardware"`
	OS       string `json:"OS"`
}

type policyBody struct {
	PolicyName       string `json:"policyName"`
	PolicyType       string `json:"policyType"`
	PolicyAttributes struct {
		Active   bool  `json:"active"`
		JobLimit int64 `json:"jobLimit"`
	} `json:"policyAttributes"`
	Clients          []policyClient `json:"clients"`
	Schedules        []any          `json:"schedules"`
	BackupSelections struct {
		Selections []string `json:"selections"`
	} `json:"backupSelections"`
}

// policyAttrKey is the oneOf member a policy type is served under; types without a schema of
// their own use the generic one, as the spec says.
func policyAttrKey(typ string) string {
	switch typ {
	case "Standard":
		return "policyStandard"
	case "MS-Windows":
		return "policyMSWindows"
	case "VMware":
		return "policyVMware"
	case "NBU-Catalog":
		return "policyNBUCatalog"
	}
	return "policyGeneric"
}

type policySchedule struct {
	ScheduleName     string `json:"scheduleName"`
	ScheduleType     string `json:"scheduleType"`
	BackupType       string `json:"backupType"`
	FrequencySeconds int64  `json:"frequencySeconds,omitempty"`
}

func renderSchedules(in []PolicySchedule) []any {
	out := make([]any, 0, len(in))
	for _, s := range in {
		out = append(out, policySchedule{ScheduleName: s.Name, ScheduleType: s.Type, BackupType: s.BackupType, FrequencySeconds: s.FrequencySeconds})
	}
	return out
}

func renderPolicyDetail(base string, p *Policy) any {
	b := policyBody{PolicyName: p.Name, PolicyType: p.Type, Schedules: renderSchedules(p.Schedules)}
	b.PolicyAttributes.Active, b.PolicyAttributes.JobLimit = p.Active, 2147483647
	b.Clients = make([]policyClient, 0, len(p.Clients))
	for _, c := range p.Clients {
		b.Clients = append(b.Clients, policyClient{HostName: c, Hardware: "Linux", OS: "RedHat"})
	}
	b.BackupSelections.Selections = []string{"/"}
	type data struct {
		Type       string         `json:"type"`
		ID         string         `json:"id"`
		Links      selfLinks      `json:"links"`
		Attributes map[string]any `json:"attributes"`
	}
	d := data{Type: "policy", ID: p.Name, Attributes: map[string]any{policyAttrKey(p.Type): b}}
	d.Links.Self.Href = base + "/config/policies/" + url.PathEscape(p.Name)
	return struct {
		Data data `json:"data"`
	}{d}
}

type imageResource struct {
	Links      selfLinks `json:"links"`
	Type       string    `json:"type"`
	ID         string    `json:"id"`
	Attributes struct {
		PolicyType        string  `json:"policyType"`
		ClientName        string  `json:"clientName"`
		PolicyName        string  `json:"policyName"`
		BackupTime        string  `json:"backupTime"`
		BackupStatus      int64   `json:"backupStatus"`
		Kbytes            int64   `json:"kbytes"`
		Fragments         []any   `json:"fragments"`
		MalwareScanResult string  `json:"malwareScanResult"`
		AnomalyStatus     *string `json:"anomalyStatus,omitempty"`
		MalwareStatus     *string `json:"malwareStatus,omitempty"`
	} `json:"attributes"`
}

func renderImage(base string, i *Image, version string) imageResource {
	var r imageResource
	r.Type, r.ID = "image", i.BackupID
	r.Links.Self.Href = base + "/catalog/images/" + url.PathEscape(i.BackupID)
	a := &r.Attributes
	a.PolicyType, a.ClientName, a.PolicyName = i.PolicyType, i.ClientName, i.PolicyName
	a.BackupTime, a.Kbytes, a.Fragments = fmtTime(i.BackupTime), i.Kbytes, []any{}
	a.MalwareScanResult = i.MalwareScanResult
	if !versionLess(version, "12.0") {
		as := i.AnomalyStatus
		a.AnomalyStatus = &as
	}
	if !versionLess(version, "13.0") {
		ms := i.MalwareStatus
		a.MalwareStatus = &ms
	}
	return r
}

type slpFragment struct {
	FragmentNumber int64  `json:"fragmentNumber"`
	FragmentSize   int64  `json:"fragmentSize"`
	MediaServer    string `json:"mediaServer"`
}

type slpCopy struct {
	BackupID   string        `json:"backupId"`
	CopyNumber int           `json:"copyNumber"`
	CopyType   string        `json:"copyType"`
	CopyState  string        `json:"copyState"`
	Fragments  []slpFragment `json:"fragments"`
}

type slpImageResource struct {
	Type       string `json:"type"`
	ID         string `json:"id"`
	Attributes struct {
		BackupID      string    `json:"backupId"`
		PolicyName    string    `json:"policyName"`
		ClientName    string    `json:"clientName"`
		BackupTime    string    `json:"backupTime"`
		PolicyType    string    `json:"policyType"`
		ScheduleType  string    `json:"scheduleType"`
		SLPName       string    `json:"slpName"`
		SLPImageState string    `json:"slpImageState"`
		Copies        []slpCopy `json:"copies"`
	} `json:"attributes"`
}

type slpImagesResponse struct {
	Data []slpImageResource `json:"data"`
	Meta struct {
		Pagination cursorPagination `json:"pagination"`
	} `json:"meta"`
	Links pageLinks `json:"links"`
}

func renderSLPImage(i *SLPImage) slpImageResource {
	var r slpImageResource
	r.Type, r.ID = "slpImage", i.BackupID
	a := &r.Attributes
	a.BackupID, a.PolicyName, a.ClientName, a.BackupTime = i.BackupID, i.PolicyName, i.ClientName, fmtTime(i.BackupTime)
	a.PolicyType, a.ScheduleType, a.SLPName, a.SLPImageState = "STANDARD", "FULL", i.SLPName, i.State
	copies := max(i.Copies, 1)
	for n := 1; n <= copies; n++ {
		c := slpCopy{BackupID: i.BackupID, CopyNumber: n, CopyType: "BACKUP", CopyState: "COPYCOMPLETE", Fragments: []slpFragment{}}
		if n > 1 {
			c.CopyType, c.CopyState = "DUPLICATE", "COPYNOTSTARTED"
		}
		if i.FragmentSize > 0 {
			c.Fragments = append(c.Fragments, slpFragment{FragmentNumber: 1, FragmentSize: i.FragmentSize, MediaServer: "media1"})
		}
		a.Copies = append(a.Copies, c)
	}
	return r
}

type alertResource struct {
	Type       string    `json:"type"`
	ID         string    `json:"id"`
	Links      selfLinks `json:"links"`
	Attributes struct {
		TitleID         int64             `json:"titleId"`
		Title           string            `json:"title"`
		Category        string            `json:"category"`
		SubCategory     string            `json:"subCategory"`
		Severity        string            `json:"severity"`
		Context         string            `json:"context"`
		CreatedDateTime string            `json:"createdDateTime"`
		Tags            []string          `json:"tags"`
		SystemDefined   bool              `json:"systemDefined"`
		Params          map[string]string `json:"params"`
	} `json:"attributes"`
}

func renderAlert(base string, al *Alert) alertResource {
	var r alertResource
	id := strconv.FormatInt(al.ID, 10)
	r.Type, r.ID = "alert", id
	r.Links.Self.Href = base + "/manage/alerts/" + id
	a := &r.Attributes
	a.TitleID, a.Title = 1, "Job details are as follows:"
	a.Category, a.SubCategory, a.Severity, a.Context = al.Category, al.SubCategory, al.Severity, al.Context
	a.CreatedDateTime, a.SystemDefined = fmtTime(al.Created), true
	status := strconv.FormatInt(al.Status, 10)
	a.Tags = []string{al.Category, status}
	// The spec: every value of params is a string.
	a.Params = map[string]string{"clientName": al.ClientName, "status": status, "jobId": strconv.FormatInt(al.JobID, 10)}
	return r
}

type scanResultResource struct {
	Links      selfLinks `json:"links"`
	Type       string    `json:"type"`
	ID         string    `json:"id"`
	Attributes struct {
		ScanState             string `json:"scanState"`
		ScanResult            string `json:"scanResult"`
		PolicyType            string `json:"policyType"`
		DateOfScan            string `json:"dateOfScan"`
		NumberOfFilesImpacted *int64 `json:"numberOfFilesImpacted,omitempty"`
		Client                string `json:"client"`
		BackupTime            int64  `json:"backupTime"`
		NumberOfFilesScanned  int64  `json:"numberOfFilesScanned"`
		PolicyName            string `json:"policyName"`
	} `json:"attributes"`
}

func renderScanResult(base string, sr *ScanResult, version string) scanResultResource {
	var r scanResultResource
	id := strconv.FormatInt(sr.ID, 10)
	r.Type, r.ID = "scanResult", id
	r.Links.Self.Href = base + "/malware/scan-results/" + id
	a := &r.Attributes
	a.ScanState, a.ScanResult, a.PolicyType, a.DateOfScan = sr.ScanState, sr.ScanResult, "STANDARD", fmtTime(sr.DateOfScan)
	a.Client, a.BackupTime, a.NumberOfFilesScanned, a.PolicyName = sr.Client, sr.BackupTime.Unix(), sr.FilesScanned, sr.PolicyName
	if !versionLess(version, "12.0") {
		n := sr.FilesImpacted
		a.NumberOfFilesImpacted = &n
	}
	return r
}
