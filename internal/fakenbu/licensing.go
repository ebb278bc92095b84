package fakenbu

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/apiversion"
)

// CapacityReport is the fake's model of one primary's front-end data usage (/licensing/capacity).
type CapacityReport struct {
	MasterServer string
	// ConsumptionMB is masterConsumptionMB; nil leaves the field out, as a server may.
	ConsumptionMB *float64
	Clients       []ClientUsage
}

// ClientUsage is one client's share of a capacity report, with the policy that protects it.
type ClientUsage struct {
	Name          string
	ConsumptionMB float64
	Policy        string
	PolicyType    string
}

// Entitlement is the fake's model of one licence (/licensing/entitlements).
type Entitlement struct {
	ID          string // entitlementId
	ProductName string
	Meter       string // FETB FETB_PLUS CPU SERVER
	Type        string // PERPETUAL SUBSCRIPTION ... DEMO
	Status      string // ACTIVE EXPIRED
	// Count is licenseCount (TB for the capacity meters); nil leaves it out.
	Count *int64
	// EndDate and ServiceExpiration: the zero time leaves the field out.
	EndDate, ServiceExpiration time.Time
}

// LicensingData is what the licensing endpoints serve.
type LicensingData struct {
	Capacity     []CapacityReport
	Entitlements []Entitlement
}

// SetLicensing replaces the capacity reports and the entitlements.
func (s *Server) SetLicensing(d LicensingData) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.licensing = LicensingData{Capacity: slices.Clone(d.Capacity), Entitlements: slices.Clone(d.Entitlements)}
}

var capacityFields = map[string]field[CapacityReport]{
	"masterServer": {kind: kindString, str: func(c *CapacityReport) string { return c.MasterServer }},
}

// entitlementFields: the spec's contains filters (entitlementId, productName) are not in the
// fake's filter language, which rejects them.
var entitlementFields = map[string]field[Entitlement]{
	"status": {kind: kindString, str: func(e *Entitlement) string { return e.Status }},
}

// handleCapacity serves /licensing/capacity: offset paged (page[limit] default 10, no maximum
// in the spec), filtered on masterServer; unfiltered, every primary's report.
func (s *Server) handleCapacity(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	or, items, ok := filteredList(s, w, r, rc, 10, 0, capacityFields, "Bad request.", func() []CapacityReport { return s.licensing.Capacity })
	if !ok {
		return
	}
	resp := offsetPage(or, items, baseURL(r)+"/licensing/capacity", q, renderCapacity)
	s.writeJSON(w, rc, http.StatusOK, &resp)
}

// handleEntitlements serves GET /licensing/entitlements: offset paged (page[limit] 1..100,
// default 10) with the spec's links and no meta.
func (s *Server) handleEntitlements(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	or, items, ok := filteredList(s, w, r, rc, 10, 100, entitlementFields, "Bad request.", func() []Entitlement { return s.licensing.Entitlements })
	if !ok {
		return
	}
	base := baseURL(r)
	page := offsetPage(or, items, base+"/licensing/entitlements", q, func(e *Entitlement) entitlementResource {
		return renderEntitlement(base, e, rc.version)
	})
	resp := struct {
		Links pageLinks             `json:"links"`
		Data  []entitlementResource `json:"data"`
	}{page.Links, page.Data}
	s.writeJSON(w, rc, http.StatusOK, &resp)
}

type capacityResource struct {
	Type       string `json:"type"`
	ID         string `json:"id"`
	Attributes struct {
		MasterConsumptionMB *float64              `json:"masterConsumptionMB,omitempty"`
		ClientDetails       []clientUsageResource `json:"clientDetails"`
	} `json:"attributes"`
}

type clientUsageResource struct {
	ClientName          string                `json:"clientName"`
	ClientConsumptionMB float64               `json:"clientConsumptionMB"`
	PolicyDetails       []policyUsageResource `json:"policyDetails"`
}

type policyUsageResource struct {
	BackupID            string  `json:"backupId"`
	PolicyName          string  `json:"policyName"`
	MasterServer        string  `json:"masterServer"`
	PolicyType          string  `json:"policyType"`
	PolicyConsumptionMB float64 `json:"policyConsumptionMB"`
}

func renderCapacity(c *CapacityReport) capacityResource {
	var r capacityResource
	r.Type, r.ID = "masterDetails", c.MasterServer
	r.Attributes.MasterConsumptionMB = c.ConsumptionMB
	r.Attributes.ClientDetails = make([]clientUsageResource, 0, len(c.Clients))
	for _, cl := range c.Clients {
		r.Attributes.ClientDetails = append(r.Attributes.ClientDetails, clientUsageResource{
			ClientName: cl.Name, ClientConsumptionMB: cl.ConsumptionMB,
			PolicyDetails: []policyUsageResource{{BackupID: cl.Name + "_1700000000", PolicyName: cl.Policy,
				MasterServer: c.MasterServer, PolicyType: cl.PolicyType, PolicyConsumptionMB: cl.ConsumptionMB}},
		})
	}
	return r
}

type entitlementResource struct {
	Links      selfLinks      `json:"links"`
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Attributes map[string]any `json:"attributes"`
}

// renderEntitlement gives the spec's attributes; fulfillmentId and productId are in the specs
// from 10.5 (API 12.0) on.
func renderEntitlement(base string, e *Entitlement, version string) entitlementResource {
	a := map[string]any{
		"entitlementId": e.ID, "licenseFormat": 4, "iplProductId": "NB-" + e.Meter, "account": "Example Corp",
		"productName": e.ProductName, "productVersion": "11", "productDescription": e.ProductName, "platform": "ANY",
		"signDate": "2024-01-01T00:00:00Z", "startDate": "2024-01-01T00:00:00Z", "serviceStartDate": "2024-01-01T00:00:00Z",
		"licenseMeter": e.Meter, "licenseType": e.Type, "countMultiplier": 1.0, "warnPolicy": 30, "gracePolicy": 30,
		"countPolicy": "SOFT", "svcPolicy": "SOFT", "status": e.Status, "entitledVersion": "11", "serviceContractNumber": "SC-1",
		"coverageType": "STANDARD", "supportId": "S-1", "countGracePeriod": 30, "countGracePercentage": 10, "reporting": "NONE",
		"meterId": strings.ToLower(e.Meter), "stackingGroup": 1, "reportingCategory": "NONE", "reportingFrequency": 30,
		"features": []string{"NETBACKUP"},
	}
	if e.Count != nil {
		a["licenseCount"] = *e.Count
	}
	if !e.EndDate.IsZero() {
		a["endDate"] = fmtTime(e.EndDate)
	}
	if !e.ServiceExpiration.IsZero() {
		a["serviceExpiration"] = fmtTime(e.ServiceExpiration)
	}
	if !versionLess(version, apiversion.V12) {
		a["fulfillmentId"], a["productId"] = "F-"+e.ID, "NETBACKUP"
	}
	var r entitlementResource
	r.Type, r.ID, r.Attributes = "entitlementDetails", e.ID, a
	r.Links.Self.Href = base + "/licensing/entitlements/" + e.ID
	return r
}
