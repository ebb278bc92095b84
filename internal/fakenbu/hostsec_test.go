package fakenbu

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

func newHostSecServer(t *testing.T) *httptest.Server {
	t.Helper()
	s, ts := newTestServer(t, Options{})
	s.SetHostsSecurity(DemoHostsSecurity(testNow, defaultServerName))
	return ts
}

// /config/hosts filters on nbuHostType and answers {"hosts": [...]}, unpaged.
func TestHostsFilteredByType(t *testing.T) {
	ts := newHostSecServer(t)
	r := do(t, ts, "/netbackup/config/hosts", url.Values{"filter": {"nbuHostType eq 'MEDIA_SERVER'"}}, nil)
	got := decode[struct {
		Hosts []struct {
			UUID, HostName, NBUHostType string
		} `json:"hosts"`
	}](t, r)
	if r.status != http.StatusOK || len(got.Hosts) != 3 {
		t.Fatalf("HTTP %d, %d media servers, want 200 and 3", r.status, len(got.Hosts))
	}
	for _, h := range got.Hosts {
		if h.NBUHostType != "MEDIA_SERVER" || h.UUID != HostID(h.HostName) {
			t.Errorf("host %+v", h)
		}
	}
	checkError(t, do(t, ts, "/netbackup/config/hosts", url.Values{"filter": {"nbuHostType gt 'A'"}}, nil), http.StatusBadRequest)
}

// A host's services: its list, its own status when it has one, 404 for an unknown id.
func TestHostServices(t *testing.T) {
	ts := newHostSecServer(t)
	r := do(t, ts, "/netbackup/admin/hosts/"+HostID(DemoStoppedServiceHost)+"/services", nil, nil)
	got := decode[struct {
		Data []struct {
			ID         string
			Attributes struct{ Status string }
		}
	}](t, r)
	stopped := 0
	for _, d := range got.Data {
		if d.Attributes.Status == "STOPPED" {
			stopped++
			if d.ID != DemoStoppedService {
				t.Errorf("%s is STOPPED, want only %s", d.ID, DemoStoppedService)
			}
		}
	}
	if r.status != http.StatusOK || stopped != 1 {
		t.Errorf("HTTP %d, %d stopped services", r.status, stopped)
	}
	checkError(t, do(t, ts, "/netbackup/admin/hosts/"+HostID(DemoUnreachableHost)+"/services", nil, nil), http.StatusInternalServerError)
	checkError(t, do(t, ts, "/netbackup/admin/hosts/no-such-host/services", nil, nil), http.StatusNotFound)
}

// /security/status exists from API 12.0 on; 13.0 on add the baseline flags.
func TestSecurityStatusPerVersion(t *testing.T) {
	ts := newHostSecServer(t)
	checkError(t, do(t, ts, "/netbackup/security/status", nil, map[string]string{"Accept": "application/vnd.netbackup+json;version=10.0"}), http.StatusNotFound)
	type status struct {
		Data struct {
			Type       string
			Attributes map[string]any
		}
	}
	old := decode[status](t, do(t, ts, "/netbackup/security/status", nil, map[string]string{"Accept": "application/vnd.netbackup+json;version=12.0"}))
	newer := decode[status](t, do(t, ts, "/netbackup/security/status", nil, nil))
	if old.Data.Type != "statusResponse" || newer.Data.Type != "securityStatus" {
		t.Errorf("types %q and %q", old.Data.Type, newer.Data.Type)
	}
	if _, ok := old.Data.Attributes["isBaseTemplateAvailable"]; ok {
		t.Error("12.0 serves isBaseTemplateAvailable, which its spec lacks")
	}
	if newer.Data.Attributes["platformRiskScore"] != DemoRiskScore || newer.Data.Attributes["isBaseTemplateAvailable"] != true {
		t.Errorf("13.0 attributes %v", newer.Data.Attributes)
	}
}

// Anomalies page at most 100 and filter on createdDateTime; API keys filter on apiKeyTag.
func TestAnomaliesAndAPIKeys(t *testing.T) {
	ts := newHostSecServer(t)
	week := testNow.Add(-7 * 24 * time.Hour).Format(time.RFC3339)
	type list struct {
		Data []struct{ ID string }
		Meta struct{ Pagination struct{ Count int } }
	}
	got := decode[list](t, do(t, ts, "/netbackup/security/anomalies", url.Values{"filter": {"createdDateTime ge " + week}, "page[limit]": {"100"}}, nil))
	if got.Meta.Pagination.Count != 5 || len(got.Data) != 5 {
		t.Errorf("anomalies of the week: count %d, %d served, want 5", got.Meta.Pagination.Count, len(got.Data))
	}
	checkError(t, do(t, ts, "/netbackup/security/anomalies", url.Values{"page[limit]": {"101"}}, nil), http.StatusBadRequest)
	keys := decode[list](t, do(t, ts, "/netbackup/security/api-keys", url.Values{"filter": {"apiKeyTag eq '" + DemoAPIKeyTag + "'"}}, nil))
	if len(keys.Data) != 1 || keys.Data[0].ID != DemoAPIKeyTag {
		t.Errorf("keys of the demo tag: %+v", keys.Data)
	}
}
