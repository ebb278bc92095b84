package fakenbu

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// defaultSLOsLimit is the spec's page[limit] default for /servicecatalog/slos; it gives no maximum.
const defaultSLOsLimit = 10

// SLO is the fake's model of one protection plan (/servicecatalog/slos).
type SLO struct {
	ID           string // a GUID
	Name         string
	WorkloadType string // VMWARE, SQL_SERVER, KUBERNETES, ...
	// Subscriptions is subscriptionCount; NoSubscriptionCount serves the plan without it.
	Subscriptions       int
	NoSubscriptionCount bool
	FrequencySeconds    int // of the plan's FULL schedule
}

type sloResource struct {
	Links struct {
		Self href `json:"self"`
	} `json:"links"`
	ID         string        `json:"id"`
	Type       string        `json:"type"`
	Attributes sloAttributes `json:"attributes"`
}

type sloAttributes struct {
	Name              string        `json:"name"`
	Description       string        `json:"description"`
	PolicyNamePrefix  string        `json:"policyNamePrefix"`
	WorkloadType      string        `json:"workloadType"`
	SubscribeAllowed  bool          `json:"subscribeAllowed"`
	SubscriptionCount *int          `json:"subscriptionCount,omitempty"`
	Schedules         []sloSchedule `json:"schedules"`
	Capabilities      []string      `json:"capabilities"`
}

type sloRetention struct {
	Value int    `json:"value"`
	Unit  string `json:"unit"`
}

type sloBackupWindow struct {
	DayOfWeek       int `json:"dayOfWeek"`
	StartSeconds    int `json:"startSeconds"`
	DurationSeconds int `json:"durationSeconds"`
}

type sloSchedule struct {
	ScheduleType     string            `json:"scheduleType"`
	ScheduleName     string            `json:"scheduleName"`
	FrequencySeconds int               `json:"frequencySeconds"`
	Retention        sloRetention      `json:"retention"`
	BackupWindows    []sloBackupWindow `json:"backupWindows"`
}

func renderSLO(base string, p *SLO) sloResource {
	r := sloResource{ID: p.ID, Type: "slov3"}
	r.Links.Self.Href = base + "/servicecatalog/slos/" + p.ID
	windows := make([]sloBackupWindow, 0, 7)
	for day := 1; day <= 7; day++ {
		windows = append(windows, sloBackupWindow{DayOfWeek: day, StartSeconds: 20 * 3600, DurationSeconds: 8 * 3600})
	}
	r.Attributes = sloAttributes{
		Name: p.Name, Description: "Demo protection plan " + p.Name, PolicyNamePrefix: p.Name,
		WorkloadType: p.WorkloadType, SubscribeAllowed: true,
		Schedules: []sloSchedule{{ScheduleType: "FULL", ScheduleName: "full", FrequencySeconds: p.FrequencySeconds,
			Retention: sloRetention{Value: 2, Unit: "WEEKS"}, BackupWindows: windows}},
		Capabilities: []string{},
	}
	if !p.NoSubscriptionCount {
		n := p.Subscriptions
		r.Attributes.SubscriptionCount = &n
	}
	return r
}

// handleSLOs serves GET /servicecatalog/slos as its spec has it: page[offset] and page[limit]
// (default 10, no maximum), sort on name (default -name), and an answer with data only, no
// meta or links: a client knows the last page by its being empty, or shorter than the others.
func (s *Server) handleSLOs(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	limit, ok := intParam(q, "page[limit]", defaultSLOsLimit)
	if !ok || limit < 1 {
		s.writeError(w, rc, http.StatusBadRequest, "Invalid page[limit].", "page[limit] must be a positive integer, got "+strconv.Quote(q.Get("page[limit]")))
		return
	}
	offset, ok := intParam(q, "page[offset]", 0)
	if !ok || offset < 0 {
		s.writeError(w, rc, http.StatusBadRequest, "Invalid page[offset].", "page[offset] must be a non-negative integer, got "+strconv.Quote(q.Get("page[offset]")))
		return
	}
	sort := q.Get("sort")
	if sort == "" {
		sort = "-name"
	}
	if sort != "name" && sort != "-name" {
		s.writeError(w, rc, http.StatusBadRequest, "Invalid sort.", "sort "+strconv.Quote(sort)+": the fake sorts only on name or -name")
		return
	}
	if !s.noFilter(w, rc, q) || !s.wait(r.Context()) {
		return
	}
	s.mu.RLock()
	items := slices.Clone(s.slos)
	s.mu.RUnlock()
	slices.SortStableFunc(items, func(a, b SLO) int {
		if sort == "-name" {
			return strings.Compare(b.Name, a.Name)
		}
		return strings.Compare(a.Name, b.Name)
	})
	base := baseURL(r)
	resp := struct {
		Data []sloResource `json:"data"`
	}{Data: []sloResource{}}
	limit = min(limit, len(items)) // offset+limit cannot overflow
	for i := offset; i < len(items) && i < offset+limit; i++ {
		resp.Data = append(resp.Data, renderSLO(base, &items[i]))
	}
	s.writeJSON(w, rc, http.StatusOK, &resp)
}

// SetSLOs replaces the protection plans served.
func (s *Server) SetSLOs(plans []SLO) {
	c := slices.Clone(plans)
	s.mu.Lock()
	s.slos = c
	s.mu.Unlock()
}

// DemoSLOs returns the demo's protection plans: six VMware, SQL Server and Kubernetes plans, one
// of them without subscriptions.
func DemoSLOs() []SLO {
	const day = 86400
	return []SLO{
		{ID: "6b0e6b3c-1f5a-4f0e-9d3a-000000000001", Name: "Gold-VMware", WorkloadType: "VMWARE", Subscriptions: 42, FrequencySeconds: day},
		{ID: "6b0e6b3c-1f5a-4f0e-9d3a-000000000002", Name: "Silver-VMware", WorkloadType: "VMWARE", Subscriptions: 118, FrequencySeconds: 7 * day},
		{ID: "6b0e6b3c-1f5a-4f0e-9d3a-000000000003", Name: "Gold-SQL", WorkloadType: "SQL_SERVER", Subscriptions: 17, FrequencySeconds: day},
		{ID: "6b0e6b3c-1f5a-4f0e-9d3a-000000000004", Name: "Kubernetes-Daily", WorkloadType: "KUBERNETES", Subscriptions: 9, FrequencySeconds: day},
		{ID: "6b0e6b3c-1f5a-4f0e-9d3a-000000000005", Name: "Bronze-VMware", WorkloadType: "VMWARE", Subscriptions: 0, FrequencySeconds: 30 * day},
		{ID: "6b0e6b3c-1f5a-4f0e-9d3a-000000000006", Name: "Archive-SQL", WorkloadType: "SQL_SERVER", Subscriptions: 3, FrequencySeconds: 7 * day},
	}
}
