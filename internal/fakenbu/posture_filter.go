package fakenbu

import (
	"time"
)

// Filter fields of the posture endpoints, as their specs list them (only the eq/ne/ordered
// subset the fake's filter language has).

func imageFields(version string) map[string]field[Image] {
	m := map[string]field[Image]{
		"backupId":          {kind: kindString, str: func(i *Image) string { return i.BackupID }},
		"backupTime":        {kind: kindTime, tm: func(i *Image) time.Time { return i.BackupTime }},
		"clientName":        {kind: kindString, str: func(i *Image) string { return i.ClientName }},
		"policyName":        {kind: kindString, str: func(i *Image) string { return i.PolicyName }},
		"policyType":        {kind: kindString, str: func(i *Image) string { return i.PolicyType }},
		"malwareScanResult": {kind: kindString, str: func(i *Image) string { return i.MalwareScanResult }},
	}
	// anomalyStatus appears in the 10.5 spec (API 12.0), malwareStatus in 11.0 (API 13.0): an
	// older server refuses a filter on them like any unknown attribute.
	if !versionLess(version, "12.0") {
		m["anomalyStatus"] = field[Image]{kind: kindString, str: func(i *Image) string { return i.AnomalyStatus }}
	}
	if !versionLess(version, "13.0") {
		m["malwareStatus"] = field[Image]{kind: kindString, str: func(i *Image) string { return i.MalwareStatus }}
	}
	return m
}

var slpImageFields = map[string]field[SLPImage]{
	"backupId":      {kind: kindString, str: func(i *SLPImage) string { return i.BackupID }},
	"backupTime":    {kind: kindTime, tm: func(i *SLPImage) time.Time { return i.BackupTime }},
	"slpName":       {kind: kindString, str: func(i *SLPImage) string { return i.SLPName }},
	"policyName":    {kind: kindString, str: func(i *SLPImage) string { return i.PolicyName }},
	"clientName":    {kind: kindString, str: func(i *SLPImage) string { return i.ClientName }},
	"slpImageState": {kind: kindString, str: func(i *SLPImage) string { return i.State }},
}

var alertFields = map[string]field[Alert]{
	"alertId":         {kind: kindInt, num: func(a *Alert) int64 { return a.ID }},
	"severity":        {kind: kindString, str: func(a *Alert) string { return a.Severity }},
	"category":        {kind: kindString, str: func(a *Alert) string { return a.Category }},
	"subCategory":     {kind: kindString, str: func(a *Alert) string { return a.SubCategory }},
	"createdDateTime": {kind: kindTime, tm: func(a *Alert) time.Time { return a.Created }},
}

var scanResultFields = map[string]field[ScanResult]{
	"client":     {kind: kindString, str: func(r *ScanResult) string { return r.Client }},
	"scanResult": {kind: kindString, str: func(r *ScanResult) string { return r.ScanResult }},
	// The spec types backupTime as an integer here (seconds since the epoch), unlike elsewhere.
	"backupTime": {kind: kindInt, num: func(r *ScanResult) int64 { return r.BackupTime.Unix() }},
}
