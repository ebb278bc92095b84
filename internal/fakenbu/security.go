package fakenbu

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/apiversion"
)

// SecurityStatus is the fake's model of /security/status (API 12.0 and later).
type SecurityStatus struct {
	RiskScore float64
	Settings  []SecuritySetting
}

// SecuritySetting is one member of securitySettingsDetail.
type SecuritySetting struct {
	Name      string
	Current   any // the currentConfigState: bool, int, float64 or string
	Weight    int
	RiskScore float64
	// BaselineRiskScore is served with isBaselineSet true (API 13.0 on) when not nil; without a
	// baseline, 13.0 on say isBaselineSet false and 12.0 leaves the baseline out.
	BaselineRiskScore *float64
}

// Anomaly is the fake's model of one /security/anomalies record.
type Anomaly struct {
	ID         string
	Created    time.Time
	JobID      int64
	ClientName string
	PolicyName string
	Status     string // NOT_REVIEWED ANOMALY REPORTED_FALSE_POSITIVE IGNORED
	Severity   string // HIGH MEDIUM LOW
	Score      string
	Count      int
}

// APIKeyRecord is the fake's model of one /security/api-keys record. Which Authorization it stands for
// does not matter to the fake.
type APIKeyRecord struct {
	Tag         string
	UserName    string
	Created     time.Time
	Expiry      time.Time
	Description string
}

// SetSecurityStatus replaces what /security/status serves; nil answers 404.
func (s *Server) SetSecurityStatus(st *SecurityStatus) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st == nil {
		s.hostsec.status = nil
		return
	}
	c := *st
	c.Settings = slices.Clone(st.Settings)
	s.hostsec.status = &c
}

// SetAnomalies replaces the anomalies.
func (s *Server) SetAnomalies(a []Anomaly) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hostsec.anomalies = slices.Clone(a)
}

// Anomalies returns a copy of the anomalies served.
func (s *Server) Anomalies() []Anomaly {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.hostsec.anomalies)
}

// SetAPIKeyRecords replaces the API keys /security/api-keys lists.
func (s *Server) SetAPIKeyRecords(k []APIKeyRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hostsec.apiKeys = slices.Clone(k)
}

type settingDetail struct {
	CurrentConfigState  any      `json:"currentConfigState"`
	BaseConfigState     any      `json:"baseConfigState,omitempty"`
	ConfigWeightage     int      `json:"configWeightage"`
	CurrentRiskScore    float64  `json:"currentConfigRiskScore"`
	BaseConfigRiskScore *float64 `json:"baseConfigRiskScore,omitempty"`
	IsBaselineSet       *bool    `json:"isBaselineSet,omitempty"`
	RecommendedValues   []any    `json:"recommendedValues,omitempty"`
}

// handleSecurityStatus serves /security/status as each release's spec has it: 12.0's
// statusResponse; 13.0 on, securityStatus with isBaseTemplateAvailable and, per setting,
// isBaselineSet and recommendedValues.
func (s *Server) handleSecurityStatus(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.mu.RLock()
	st := s.hostsec.status
	s.mu.RUnlock()
	if st == nil {
		s.writeError(w, rc, http.StatusNotFound, "The requested resource was not found.", "no security status set")
		return
	}
	newer := !versionLess(rc.version, apiversion.V13)
	details := map[string]settingDetail{}
	baseline := false
	for _, set := range st.Settings {
		d := settingDetail{CurrentConfigState: set.Current, ConfigWeightage: set.Weight, CurrentRiskScore: set.RiskScore}
		if set.BaselineRiskScore != nil {
			d.BaseConfigState, d.BaseConfigRiskScore, baseline = set.Current, set.BaselineRiskScore, true
		}
		if newer {
			isSet := set.BaselineRiskScore != nil
			d.IsBaselineSet, d.RecommendedValues = &isSet, []any{set.Current}
		}
		details[set.Name] = d
	}
	attrs := map[string]any{"templateVersion": 1, "platformRiskScore": st.RiskScore, "securitySettingsDetail": details}
	typ := "statusResponse"
	if newer {
		typ = "securityStatus"
		attrs["isBaseTemplateAvailable"] = baseline
	}
	s.writeJSON(w, rc, http.StatusOK, map[string]any{"data": map[string]any{"id": typ, "type": typ, "attributes": attrs}})
}

var anomalyFields = map[string]field[Anomaly]{
	"id":              {kind: kindString, str: func(a *Anomaly) string { return a.ID }},
	"createdDateTime": {kind: kindTime, tm: func(a *Anomaly) time.Time { return a.Created }},
	"clientName":      {kind: kindString, str: func(a *Anomaly) string { return a.ClientName }},
	"policyName":      {kind: kindString, str: func(a *Anomaly) string { return a.PolicyName }},
	"anomalyStatus":   {kind: kindString, str: func(a *Anomaly) string { return a.Status }},
	"anomalySeverity": {kind: kindString, str: func(a *Anomaly) string { return a.Severity }},
}

type jsonapiResource struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Links      map[string]any `json:"links"`
	Attributes map[string]any `json:"attributes"`
}

// handleAnomalies serves /security/anomalies: offset paging (page[limit] 1..100, default 10),
// newest first, filtered on the fields of anomalyFields.
func (s *Server) handleAnomalies(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	or, items, ok := filteredList(s, w, r, rc, 10, 100, anomalyFields, "Invalid filter criteria.", func() []Anomaly { return s.hostsec.anomalies })
	if !ok {
		return
	}
	slices.SortStableFunc(items, func(a, b Anomaly) int { return b.Created.Compare(a.Created) })
	base := baseURL(r)
	resp := offsetPage(or, items, base+"/security/anomalies", q, func(a *Anomaly) jsonapiResource {
		return jsonapiResource{Type: "anomaly", ID: a.ID,
			Links: map[string]any{"self": href{Href: base + "/security/anomalies/" + a.ID}},
			Attributes: map[string]any{
				"createdDateTime": fmtTime(a.Created), "backupTime": fmtTime(a.Created.Add(-10 * time.Minute)),
				"jobid": strconv.FormatInt(a.JobID, 10), "backupId": a.ClientName + "_" + strconv.FormatInt(a.Created.Unix(), 10),
				"clientName": a.ClientName, "policyName": a.PolicyName, "policyType": "STANDARD",
				"scheduleName": "daily", "scheduleType": "FULL_BACKUP", "destinationStorage": "msdp-stu",
				"anomalyStatus": a.Status, "anomalyType": "JOB_BASED", "anomalyCount": a.Count,
				"anomalyScore": a.Score, "anomalySeverity": a.Severity,
				"anomalySummary": "Image size is unusually large", "extendedAttributes": map[string]any{},
			}}
	})
	s.writeJSON(w, rc, http.StatusOK, &resp)
}

var apiKeyFields = map[string]field[APIKeyRecord]{
	"apiKeyTag":      {kind: kindString, str: func(k *APIKeyRecord) string { return k.Tag }},
	"userName":       {kind: kindString, str: func(k *APIKeyRecord) string { return k.UserName }},
	"expiryDateTime": {kind: kindTime, tm: func(k *APIKeyRecord) time.Time { return k.Expiry }},
}

// handleAPIKeys serves /security/api-keys: offset paging (page[limit] 1..100, default 10),
// filtered on the fields of apiKeyFields.
func (s *Server) handleAPIKeys(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	or, items, ok := filteredList(s, w, r, rc, 10, 100, apiKeyFields, "Invalid filter criteria.", func() []APIKeyRecord { return s.hostsec.apiKeys })
	if !ok {
		return
	}
	base := baseURL(r)
	resp := offsetPage(or, items, base+"/security/api-keys", q, func(k *APIKeyRecord) jsonapiResource {
		return jsonapiResource{Type: "apiKeyDetails", ID: k.Tag,
			Links: map[string]any{"self": href{Href: base + "/security/api-keys/" + k.Tag}},
			Attributes: map[string]any{
				"userName": k.UserName, "userDomain": "", "userDomainType": "unixpwd",
				"createdDateTime": fmtTime(k.Created), "expiryDateTime": fmtTime(k.Expiry),
				"lastModifiedDateTime": fmtTime(k.Created), "description": k.Description, "samlSessionValidated": false,
				"issuer": map[string]any{"principalName": k.UserName, "principalDomain": "", "principalDomainType": "unixpwd"},
			}}
	})
	s.writeJSON(w, rc, http.StatusOK, &resp)
}
