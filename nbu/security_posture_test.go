package nbu

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

// securityStatusJSON is an 11.2-shaped /security/status answer with the loose kinds real servers
// send: a score as a string, a weight as a float, a state of every kind (a number as a string too), a setting that is not an
// object, one without anything scored, a baseline not set.
const securityStatusJSON = `{"data": {"id": "securityStatus", "type": "securityStatus", "attributes": {
  "templateVersion": 2, "platformRiskScore": "41.5", "isBaseTemplateAvailable": true,
  "securitySettingsDetail": {
    "mfaEnforced": {"currentConfigState": false, "configWeightage": 20.0, "currentConfigRiskScore": 100,
                    "baseConfigState": true, "baseConfigRiskScore": 0, "isBaselineSet": true, "recommendedValues": [true]},
    "dteGlobalMode": {"currentConfigState": "PREFERRED_OFF", "configWeightage": 10, "currentConfigRiskScore": 100,
                      "baseConfigRiskScore": 20, "isBaselineSet": false},
    "hostPercentageWithDteEnabled": {"currentConfigState": 40.5, "configWeightage": 10, "currentConfigRiskScore": "n/a", "totalHosts": 12},
    "certificateAutoDeployLevel": {"currentConfigState": "1", "currentConfigRiskScore": 50},
    "broken": "not an object",
    "empty": {},
    "longState": {"currentConfigState": "x", "currentConfigRiskScore": null}
  }}}}`

func TestSecurityStatusDecodesLeniently(t *testing.T) {
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/netbackup/security/status" || r.URL.RawQuery != "" {
			t.Errorf("request %s?%s", r.URL.Path, r.URL.RawQuery)
		}
		writeJSON(w, 200, securityStatusJSON)
	}), nil)
	st, err := c.SecurityStatus(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if st.RiskScore != Some(41.5) {
		t.Errorf("risk score %+v, want 41.5", st.RiskScore)
	}
	want := []SecuritySetting{
		{Name: "certificateAutoDeployLevel", RiskScore: Some[float64](50), Value: Some[float64](1)},
		{Name: "dteGlobalMode", RiskScore: Some[float64](100), Weight: Some[float64](10), State: "PREFERRED_OFF"},
		{Name: "hostPercentageWithDteEnabled", Weight: Some[float64](10), Value: Some(40.5)},
		{Name: "longState", State: "x"},
		{Name: "mfaEnforced", RiskScore: Some[float64](100), Weight: Some[float64](20), BaselineRiskScore: Some[float64](0),
			Value: Some[float64](0)},
	}
	if !reflect.DeepEqual(st.Settings, want) {
		t.Errorf("settings:\n got %+v\nwant %+v", st.Settings, want)
	}
}

// Without a baseline template no baseline is reported; without a score none is made up; more
// settings than MaxSecuritySettings are counted, not kept; a state longer than 64 bytes is left out.
func TestSecurityStatusAbsentAndBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"data": {"attributes": {"isBaseTemplateAvailable": false, "securitySettingsDetail": {`)
	for i := range 100 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"s%03d": {"currentConfigRiskScore": %d, "baseConfigRiskScore": 1, "currentConfigState": %q}`, i, i, strings.Repeat("y", 60+i%10))
	}
	b.WriteString(`}}}}`)
	body := b.String()
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, body) }), nil)
	st, err := c.SecurityStatus(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if st.RiskScore.OK {
		t.Errorf("an absent platformRiskScore is known: %v", st.RiskScore.V)
	}
	if len(st.Settings) != MaxSecuritySettings || st.SettingsDropped != 100-MaxSecuritySettings {
		t.Errorf("%d settings kept, %d dropped; want %d, %d", len(st.Settings), st.SettingsDropped, MaxSecuritySettings, 100-MaxSecuritySettings)
	}
	for _, s := range st.Settings {
		if s.BaselineRiskScore.OK {
			t.Fatalf("%s has a baseline although isBaseTemplateAvailable is false", s.Name)
		}
		if len(s.State) > 64 {
			t.Fatalf("%s keeps a state of %d bytes", s.Name, len(s.State))
		}
	}
	for _, body := range []string{``, `{"data": null}`, `{"data": {"attributes": "n/a"}}`, `{"data": {"attributes": {"securitySettingsDetail": [1, 2]}}}`} {
		c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, body) }), nil)
		st, err := c.SecurityStatus(testCtx(t))
		if err != nil || st.RiskScore.OK || len(st.Settings) != 0 {
			t.Errorf("%q: %+v, %v; want nothing known and no error", body, st, err)
		}
	}
}

// The anomalies are walked page by page with the filter; a callback error ends the walk.
func TestAnomaliesWalk(t *testing.T) {
	var qs []url.Values
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		qs = append(qs, q)
		if q.Get("page[offset]") == "0" {
			writeJSON(w, 200, `{"data": [
			  {"type": "anomaly", "id": "1", "attributes": {"anomalyStatus": "NOT_REVIEWED", "anomalySeverity": "HIGH", "createdDateTime": "2026-11-26T10:00:00.000Z", "anomalyCount": "2"}},
			  {"type": "anomaly", "id": 2, "attributes": {"anomalyStatus": "IGNORED"}}
			], "meta": {"pagination": {"count": 3, "offset": 0, "limit": 100, "next": 2}}}`)
			return
		}
		writeJSON(w, 200, `{"data": [{"type": "anomaly", "id": "3", "attributes": {"anomalySeverity": "LOW"}}], "meta": {"pagination": {"count": 3, "offset": 2}}}`)
	}), nil)
	var got []Anomaly
	err := c.Anomalies(testCtx(t), "createdDateTime ge 2026-11-19T12:00:00.000Z", func(a *Anomaly) error {
		got = append(got, *a)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Anomaly{{ID: "1", Status: "NOT_REVIEWED", Severity: "HIGH", Created: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)},
		{ID: "2", Status: "IGNORED"}, {ID: "3", Severity: "LOW"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("anomalies:\n got %+v\nwant %+v", got, want)
	}
	if len(qs) != 2 || qs[0].Get("filter") != "createdDateTime ge 2026-11-19T12:00:00.000Z" || qs[0].Get("page[limit]") != "100" || qs[1].Get("page[offset]") != "2" {
		t.Errorf("queries %v", qs)
	}
	stop := errors.New("enough")
	qs = nil
	if err := c.Anomalies(testCtx(t), "", func(*Anomaly) error { return stop }); !errors.Is(err, stop) || len(qs) != 1 || qs[0].Has("filter") {
		t.Errorf("a callback error: %v after %d pages (queries %v), want it back after one page and no filter", err, len(qs), qs)
	}
}

func TestAPIKeyByTag(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		found      bool
		expiry     time.Time
	}{
		{"by id", `{"data": [{"type": "apiKeyDetails", "id": "other", "attributes": {"expiryDateTime": "2027-01-01T00:00:00Z"}},
		  {"type": "apiKeyDetails", "id": "tag-1", "attributes": {"expiryDateTime": "2026-12-06T12:00:00.000Z"}}], "meta": {"pagination": {"count": 2}}}`,
			true, time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)},
		{"only record, no id", `{"data": [{"attributes": {"expiryDateTime": "2026-12-07T00:00:00Z"}}]}`, true, time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)},
		{"found, no expiry", `{"data": [{"id": "tag-1", "attributes": {"userName": "x"}}]}`, true, time.Time{}},
		{"none", `{"data": [], "meta": {"pagination": {"count": 0}}}`, false, time.Time{}},
		{"another key only", `{"data": [{"id": "other", "attributes": {"expiryDateTime": "2027-01-01T00:00:00Z"}}]}`, false, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var q url.Values
			c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				q = r.URL.Query()
				writeJSON(w, 200, tc.body)
			}), nil)
			key, found, err := c.APIKeyByTag(testCtx(t), "tag-1")
			if err != nil || found != tc.found || !key.Expiry.Equal(tc.expiry) {
				t.Errorf("key %+v, found %v, err %v; want found %v, expiry %v", key, found, err, tc.found, tc.expiry)
			}
			if q.Get("filter") != "apiKeyTag eq 'tag-1'" {
				t.Errorf("filter %q", q.Get("filter"))
			}
		})
	}
}
