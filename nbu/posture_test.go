package nbu

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// The files in testdata: manage_alerts_example.json is Veritas's own example (11.2 manage.yaml,
// converted from YAML as is). The other endpoints have no example response in any of the four
// bundles, so their files are built from the spec's schemas, with the loose kinds real servers
// send (numbers as strings, null arrays, records without a name).

// fileServer answers every request with one testdata file and records what was asked.
type fileServer struct {
	mu    sync.Mutex
	file  string
	paths []string
	qs    []url.Values
}

func (s *fileServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.paths = append(s.paths, r.URL.Path)
	s.qs = append(s.qs, r.URL.Query())
	s.mu.Unlock()
	b, err := os.ReadFile("testdata/" + s.file)
	if err != nil {
		writeJSON(w, 500, errorJSON(1, err.Error()))
		return
	}
	writeJSON(w, 200, string(b))
}

func TestPoliciesDecodeExample(t *testing.T) {
	s := &fileServer{file: "config_policies_list.json"}
	c, _, _ := newTestClient(t, s, nil)
	got, err := c.Policies(testCtx(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []Policy{{Name: "daily-fs", Type: "STANDARD", Active: Some(true)}, {Name: "vm-gold", Type: "VMWARE", Active: Some(false)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("policies = %+v, want %+v", got, want)
	}
	if s.paths[0] != "/netbackup/config/policies/" || s.qs[0].Get("page[limit]") != "500" {
		t.Errorf("request %s ?%v, want /netbackup/config/policies/ with page[limit]=500", s.paths[0], s.qs[0])
	}
}

func TestPolicyDetailDecodeExample(t *testing.T) {
	s := &fileServer{file: "config_policy_detail.json"}
	var endpoints []string
	c, _, _ := newTestClient(t, s, func(o *Options) {
		o.OnRequest = func(e string, _ int, _ time.Duration) { endpoints = append(endpoints, e) }
	})
	got, err := c.PolicyDetail(testCtx(t), "daily-fs")
	if err != nil {
		t.Fatal(err)
	}
	want := PolicyDetail{Policy: Policy{Name: "daily-fs", Type: "STANDARD", Active: Some(true)},
		Clients:   []string{"client-a.example.com", "client-b.example.com"},
		Schedules: []Schedule{{Name: "full", Type: "FULL_BACKUP", FrequencySeconds: Some[int64](604800)}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("detail = %+v, want %+v", got, want)
	}
	if s.paths[0] != "/netbackup/config/policies/daily-fs" {
		t.Errorf("path = %s", s.paths[0])
	}
	// One self-metric label for every policy, not one per policy name.
	if len(endpoints) != 1 || endpoints[0] != "/config/policies/{policyName}" {
		t.Errorf("OnRequest endpoints = %v", endpoints)
	}
	if _, err := c.PolicyDetail(testCtx(t), "a/b"); err == nil {
		t.Error("a policy name with a slash was put into the path")
	}
}

func TestCatalogImageCountDecodeExample(t *testing.T) {
	s := &fileServer{file: "catalog_images_page.json"}
	c, _, _ := newTestClient(t, s, nil)
	n, err := c.CatalogImageCount(testCtx(t), "malwareStatus eq 'CLEAN'")
	if err != nil || n != 1234 {
		t.Fatalf("count = %d, %v; want 1234", n, err)
	}
	q := s.qs[0]
	if q.Get("page[limit]") != "1" || q.Get("filter") != "malwareStatus eq 'CLEAN'" {
		t.Errorf("query = %v", q)
	}
}

// A primary answers a count that matches nothing with no count at all: an empty page counts 0. A
// page with records and no count says nothing of their number.
func TestCatalogImageCountWithoutCount(t *testing.T) {
	for _, tt := range []struct {
		body    string
		want    int64
		wantErr error
	}{
		{`{"data":[],"meta":{"pagination":{"limit":1}}}`, 0, nil},
		{`{"data":[],"links":{"self":{"href":"/catalog/images"}}}`, 0, nil},
		{`{"data":null}`, 0, nil},
		{``, 0, nil},
		{`{"data":[{"type":"image","id":"c_1"}]}`, 0, ErrNoCount},
		{`{"data":[{"type":"image","id":"c_1"}],"meta":{"pagination":{"count":"7"}}}`, 7, nil},
	} {
		c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, tt.body)
		}), nil)
		n, err := c.CatalogImageCount(testCtx(t), "")
		if n != tt.want || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
			t.Errorf("%s: count = %d, %v; want %d, %v", tt.body, n, err, tt.want, tt.wantErr)
		}
	}
}

func TestSLPImagesDecodeExample(t *testing.T) {
	var mu sync.Mutex
	var afters []string
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		afters = append(afters, r.URL.Query().Get("page[after]"))
		mu.Unlock()
		if r.URL.Query().Get("page[after]") != "" {
			writeJSON(w, 200, `{"data":[],"meta":{"pagination":{"limit":1000}}}`)
			return
		}
		b, _ := os.ReadFile("testdata/catalog_slp_images_page.json")
		writeJSON(w, 200, string(b))
	}), nil)
	var got []SLPImage
	st, err := c.SLPImages(testCtx(t), "slpImageState eq 'IN_PROCESS'", 0, func(i *SLPImage) error {
		got = append(got, *i)
		return nil
	})
	if err != nil || st.Pages != 2 {
		t.Fatalf("pages = %d, err = %v", st.Pages, err)
	}
	want := []SLPImage{
		{BackupID: "client-a_1764547200", ClientName: "client-a", PolicyName: "daily-fs", SLPName: "slp-dr",
			State: "IN_PROCESS", BackupTime: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), SizeBytes: Some[int64](524289024)},
		{BackupID: "client-b_1764550800", ClientName: "client-b", SLPName: "slp-dr", State: "NOT_STARTED|INACTIVE",
			BackupTime: time.Date(2025, 12, 1, 1, 0, 0, 0, time.UTC)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("images =\n%+v\nwant\n%+v", got, want)
	}
	if afters[1] != "MTc2NDU1MDgwMDpjbGllbnQtYg==" {
		t.Errorf("second page after = %q", afters[1])
	}
}

func TestAlertsDecodeVeritasExample(t *testing.T) {
	// The example's meta says count 0, pages 8 and next 10 on every page: the walk must end
	// (here on the empty page at offset 10) and never fetch an offset twice.
	s := &offsetServer{path: "/netbackup/manage/alerts", pages: map[string]string{
		"10": `{"data":[],"meta":{"pagination":{"next":10,"count":0}}}`,
	}}
	b, err := os.ReadFile("testdata/manage_alerts_example.json")
	if err != nil {
		t.Fatal(err)
	}
	s.pages["0"] = string(b)
	c, _, _ := newTestClient(t, s, nil)
	var got []Alert
	err = c.Alerts(testCtx(t), AlertsQuery{Sort: "-createdDateTime"}, func(a *Alert) error {
		got = append(got, *a)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Alert{{ID: "2", Severity: "ERROR", Category: "JOB", SubCategory: "WINDOWS", Context: "JOB_STATE_FAILED",
		Created: time.Date(2018, 4, 26, 13, 41, 31, 751e6, time.UTC)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("alerts = %+v, want %+v", got, want)
	}
	if strings.Join(s.offsets, ",") != "0,10" || s.limits[0] != "100" {
		t.Errorf("offsets %v limits %v", s.offsets, s.limits)
	}
}

func TestAlertsStopsOnRepeatedOffset(t *testing.T) {
	b, _ := os.ReadFile("testdata/manage_alerts_example.json")
	s := &offsetServer{pages: map[string]string{"0": string(b), "10": string(b)}}
	c, _, _ := newTestClient(t, s, nil)
	n := 0
	err := c.Alerts(testCtx(t), AlertsQuery{}, func(*Alert) error { n++; return nil })
	if err == nil || len(s.offsets) != 2 || n != 2 {
		t.Errorf("err = %v after offsets %v and %d alerts; want a loop error after 2 pages", err, s.offsets, n)
	}
}

func TestLatestScanResultsDecodeExample(t *testing.T) {
	s := &fileServer{file: "malware_latest_scan_results.json"}
	c, _, _ := newTestClient(t, s, nil)
	var got []ScanResult
	err := c.LatestScanResults(testCtx(t), "", 0, func(r *ScanResult) error {
		got = append(got, *r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []ScanResult{
		{ID: "41", Client: "client-a", ScanState: "SCAN_COMPLETED", ScanResult: "IMPACTED", FilesScanned: Some[int64](15000),
			FilesImpacted: Some[int64](3), DateOfScan: time.Date(2025, 12, 1, 2, 0, 0, 0, time.UTC)},
		{ID: "42", Client: "client-b", ScanState: "SCAN_COMPLETED", ScanResult: "CLEAN", FilesScanned: Some[int64](800)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("results =\n%+v\nwant\n%+v", got, want)
	}
	if s.qs[0].Get("page[limit]") != "100" || s.qs[0].Has("filter") {
		t.Errorf("query = %v", s.qs[0])
	}
}

func TestNewestJobOneRequest(t *testing.T) {
	var qs []url.Values
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		qs = append(qs, r.URL.Query())
		writeJSON(w, 200, cursorPage("more", jobJSON(7)))
	}), nil)
	j, ok, err := c.NewestJob(testCtx(t), "policyType eq 'NBU_CATALOG'")
	if err != nil || !ok || j.JobID != 7 {
		t.Fatalf("job %d ok %v err %v", j.JobID, ok, err)
	}
	if len(qs) != 1 || qs[0].Get("sort") != "-endTime" || qs[0].Get("page[limit]") != "1" ||
		qs[0].Get("filter") != "policyType eq 'NBU_CATALOG'" {
		t.Errorf("requests = %v", qs)
	}
	empty, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, cursorPage(""))
	}), nil)
	if _, ok, err := empty.NewestJob(testCtx(t), ""); ok || err != nil {
		t.Errorf("empty: ok %v err %v", ok, err)
	}
}

func TestODataQuote(t *testing.T) {
	for in, want := range map[string]string{"a": "'a'", "o'brien": "'o''brien'", "": "''"} {
		if got := ODataQuote(in); got != want {
			t.Errorf("ODataQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
