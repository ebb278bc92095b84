package fakenbu

import (
	"net/url"
	"testing"
)

func licensingServer(t *testing.T) func(path string, q url.Values, accept string) response {
	t.Helper()
	s, ts := newTestServer(t, Options{})
	s.SetLicensingDemo(testNow, defaultServerName)
	return func(path string, q url.Values, accept string) response {
		h := map[string]string{}
		if accept != "" {
			h["Accept"] = accept
		}
		return do(t, ts, "/netbackup"+path, q, h)
	}
}

// The capacity report filters on masterServer; unfiltered it lists every primary.
func TestCapacityFilter(t *testing.T) {
	get := licensingServer(t)
	page := decode[wireList](t, get("/licensing/capacity", url.Values{"filter": {"masterServer eq '" + defaultServerName + "'"}}, ""))
	if len(page.Data) != 1 || page.Data[0].ID != defaultServerName || page.Data[0].Attributes["masterConsumptionMB"] != float64(DemoUsedTB*1024*1024) {
		t.Errorf("filtered report = %+v", page.Data)
	}
	if all := decode[wireList](t, get("/licensing/capacity", nil, "")); len(all.Data) != 2 {
		t.Errorf("unfiltered: %d reports, want 2", len(all.Data))
	}
	checkError(t, get("/licensing/capacity", url.Values{"filter": {"clientName eq 'x'"}}, ""), 400)
}

// The entitlements list has the spec's page[limit] bounds and links, no meta; 10.3 lacks
// fulfillmentId.
func TestEntitlementsServed(t *testing.T) {
	get := licensingServer(t)
	r := get("/licensing/entitlements", url.Values{"page[limit]": {"100"}}, "")
	page := decode[struct {
		Links map[string]any `json:"links"`
		Data  []struct {
			Attributes map[string]any `json:"attributes"`
		} `json:"data"`
		Meta any `json:"meta"`
	}](t, r)
	if len(page.Data) != 4 || page.Meta != nil || page.Links["self"] == nil {
		t.Fatalf("entitlements page = %+v", page)
	}
	if a := page.Data[0].Attributes; a["licenseMeter"] != "FETB" || a["licenseCount"] != float64(60) || a["fulfillmentId"] == nil {
		t.Errorf("first entitlement = %v", a)
	}
	if _, ok := page.Data[2].Attributes["endDate"]; ok {
		t.Errorf("the perpetual licence has an endDate: %v", page.Data[2].Attributes)
	}
	old := decode[wireList](t, get("/licensing/entitlements", nil, "application/vnd.netbackup+json;version=10.0"))
	if _, ok := old.Data[0].Attributes["fulfillmentId"]; ok {
		t.Errorf("API 10.0 serves fulfillmentId, which its spec lacks")
	}
	checkError(t, get("/licensing/entitlements", url.Values{"page[limit]": {"101"}}, ""), 400)
}

// /security/certificates is in the specs from 11.0 (API 13.0); it filters on isCertDeleted.
func TestHostCertificatesServed(t *testing.T) {
	get := licensingServer(t)
	type list struct {
		CertificateList []map[string]any `json:"certificateList"`
	}
	all := decode[list](t, get("/security/certificates", nil, ""))
	live := decode[list](t, get("/security/certificates", url.Values{"filter": {"isCertDeleted eq false"}}, ""))
	if len(all.CertificateList) != 7 || len(live.CertificateList) != 6 {
		t.Errorf("%d certificates, %d not deleted; want 7 and 6", len(all.CertificateList), len(live.CertificateList))
	}
	if c := all.CertificateList[0]; c["notAfter"] == nil || c["state"] != float64(1) || c["hostType"] != float64(1) {
		t.Errorf("first certificate = %v", c)
	}
	checkError(t, get("/security/certificates", nil, "application/vnd.netbackup+json;version=12.0"), 404)
	checkError(t, get("/security/certificates", url.Values{"filter": {"isCertDeleted eq 'no'"}}, ""), 400)
}
