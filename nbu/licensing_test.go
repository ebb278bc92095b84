package nbu

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// bodyServer answers each request with body(query) and records the queries.
type bodyServer struct {
	mu      sync.Mutex
	queries []string
	body    func(q string) string
}

func (s *bodyServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.queries = append(s.queries, r.URL.RawQuery)
	s.mu.Unlock()
	writeJSON(w, 200, s.body(r.URL.RawQuery))
}

func TestServerInfo(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"serverName":"nbu-primary.example.com","nbuVersion":"11.0","masterHostId":"x"}`, "nbu-primary.example.com"},
		{`{"nbuVersion":"11.0"}`, ""},
		{`{"serverName":12}`, "12"},
		{`{"serverName":"` + strings.Repeat("a", 300) + `"}`, ""},
		{`[]`, ""},
		{``, ""},
	} {
		c, _, _ := newTestClient(t, &bodyServer{body: func(string) string { return tc.body }}, nil)
		info, err := c.ServerInfo(testCtx(t))
		if err != nil || info.ServerName != tc.want {
			t.Errorf("%.40s: serverName %q, %v; want %q", tc.body, info.ServerName, err, tc.want)
		}
	}
}

// The capacity report is read from one page; clientDetails, whatever its size and shape, is
// skipped; masterConsumptionMB may be a number, a numeric string, or missing.
func TestLicensingCapacityDecode(t *testing.T) {
	clients := strings.Repeat(`{"clientName":"c","clientConsumptionMB":1,"policyDetails":[{"policyName":"p"}]},`, 5000)
	body := `{"data":[
		{"type":"masterDetails","id":"nbu1","attributes":{"masterConsumptionMB":1048576.5,"clientDetails":[` + clients + `{}]}},
		{"type":"masterDetails","id":"nbu2","attributes":{"masterConsumptionMB":"2048"}},
		{"type":"masterDetails","id":"nbu3","attributes":{"masterConsumptionMB":null}},
		{"type":"masterDetails","id":"nbu4","attributes":{"masterConsumptionMB":"n/a","clientDetails":"none"}},
		"junk",
		{"type":"masterDetails","attributes":[]}
	],"meta":{"pagination":{"count":6}}}`
	s := &bodyServer{body: func(string) string { return body }}
	c, _, _ := newTestClient(t, s, nil)
	got, err := c.LicensingCapacity(testCtx(t), "o'brien")
	if err != nil {
		t.Fatal(err)
	}
	want := []CapacityReport{
		{ID: "nbu1", ConsumptionMB: Some(1048576.5)},
		{ID: "nbu2", ConsumptionMB: Some[float64](2048)},
		{ID: "nbu3"}, {ID: "nbu4"}, {},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reports = %+v\nwant %+v", got, want)
	}
	if q := s.queries[0]; q != "filter=masterServer+eq+%27o%27%27brien%27&page%5Blimit%5D=10" {
		t.Errorf("query %q", q)
	}
}

func entitlementJSON(id, extra string) string {
	return fmt.Sprintf(`{"type":"entitlementDetails","id":"%s","attributes":{"entitlementId":"%s"%s}}`, id, id, extra)
}

// A full page of entitlements asks for the next one; a shorter page ends the walk.
func TestEntitlementsPaging(t *testing.T) {
	var page1 []string
	for i := range 100 {
		page1 = append(page1, entitlementJSON(fmt.Sprintf("E%d", i), `,"licenseCount":1`))
	}
	s := &bodyServer{body: func(q string) string {
		if strings.Contains(q, "page%5Boffset%5D=0") {
			return `{"links":{"next":{"href":"x"}},"data":[` + strings.Join(page1, ",") + `]}`
		}
		return `{"data":[` + entitlementJSON("E100", "") + `]}`
	}}
	c, _, _ := newTestClient(t, s, nil)
	n := 0
	if err := c.Entitlements(testCtx(t), func(*Entitlement) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 101 || len(s.queries) != 2 || s.queries[1] != "page%5Blimit%5D=100&page%5Boffset%5D=100" {
		t.Errorf("%d entitlements from queries %q, want 101 from two pages", n, s.queries)
	}
}

// A server that answers full pages for ever costs a bounded number of requests.
func TestEntitlementsPagingBounded(t *testing.T) {
	var page []string
	for i := range 100 {
		page = append(page, entitlementJSON(fmt.Sprintf("E%d", i), ""))
	}
	s := &bodyServer{body: func(string) string { return `{"data":[` + strings.Join(page, ",") + `]}` }}
	c, _, _ := newTestClient(t, s, nil)
	err := c.Entitlements(testCtx(t), func(*Entitlement) error { return nil })
	if err == nil || len(s.queries) != maxEntitlementPages {
		t.Errorf("err %v after %d requests, want an error after %d", err, len(s.queries), maxEntitlementPages)
	}
}

func TestEntitlementsDecode(t *testing.T) {
	body := `{"data":[
		{"type":"entitlementDetails","id":"d1","attributes":{"entitlementId":"E1","productName":"NBU","licenseMeter":"FETB",
			"licenseType":"SUBSCRIPTION","status":"ACTIVE","licenseCount":"60","endDate":"2027-01-01T00:00:00.000Z",
			"serviceExpiration":"2027-02-01T00:00:00Z","features":["A"]}},
		{"type":"entitlementDetails","id":"d2","attributes":{"licenseMeter":"CPU","licenseCount":null,"endDate":"never"}},
		{"type":"entitlementDetails","id":"d3","attributes":{"licenseCount":16.0,"endDate":1700000000}}
	]}`
	c, _, _ := newTestClient(t, &bodyServer{body: func(string) string { return body }}, nil)
	var got []Entitlement
	if err := c.Entitlements(testCtx(t), func(e *Entitlement) error { got = append(got, *e); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []Entitlement{
		{ID: "E1", ProductName: "NBU", LicenseMeter: "FETB", LicenseType: "SUBSCRIPTION", Status: "ACTIVE", LicenseCount: Some[float64](60),
			EndDate: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), ServiceExpiration: time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)},
		{ID: "d2", LicenseMeter: "CPU"},
		{ID: "d3", LicenseCount: Some[float64](16)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entitlements = %+v\nwant %+v", got, want)
	}
}

func TestEntitlementsCallbackError(t *testing.T) {
	c, _, _ := newTestClient(t, &bodyServer{body: func(string) string { return `{"data":[` + entitlementJSON("E1", "") + `]}` }}, nil)
	stop := errors.New("stop")
	if err := c.Entitlements(testCtx(t), func(*Entitlement) error { return stop }); err != stop {
		t.Errorf("err = %v, want the callback's own error", err)
	}
}
