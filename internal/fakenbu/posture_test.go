package fakenbu

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// wireList is the client's view of any list page, decoded independently of the fake's types.
type wireList struct {
	Data []struct {
		ID         any            `json:"id"`
		Attributes map[string]any `json:"attributes"`
	} `json:"data"`
	Meta struct {
		Pagination map[string]any `json:"pagination"`
	} `json:"meta"`
}

func postureServer(t *testing.T, opts Options) (*Server, PostureData, func(path string, q url.Values, accept string) response) {
	t.Helper()
	s, ts := newTestServer(t, opts)
	d := DemoPosture(testNow)
	s.SetPosture(d)
	get := func(path string, q url.Values, accept string) response {
		h := map[string]string{}
		if accept != "" {
			h["Accept"] = accept
		}
		return do(t, ts, "/netbackup"+path, q, h)
	}
	return s, d, get
}

func TestPolicyListAndDetail(t *testing.T) {
	_, d, get := postureServer(t, Options{})
	r := get("/config/policies/", url.Values{"page[limit]": {"3"}}, "")
	page := decode[wireList](t, r)
	if r.status != 200 || len(page.Data) != 3 || page.Meta.Pagination["count"] != float64(len(d.Policies)) {
		t.Fatalf("status %d, %d records, meta %v", r.status, len(page.Data), page.Meta.Pagination)
	}
	if page.Data[0].ID != "daily-fs" || page.Data[0].Attributes["policyType"] != "Standard" {
		t.Errorf("first policy = %v %v", page.Data[0].ID, page.Data[0].Attributes)
	}
	det := decode[struct {
		Data struct {
			Attributes map[string]struct {
				Clients []struct {
					HostName string `json:"hostName"`
				} `json:"clients"`
			} `json:"attributes"`
		} `json:"data"`
	}](t, get("/config/policies/daily-fs", nil, ""))
	body, ok := det.Data.Attributes["policyStandard"]
	if !ok || len(body.Clients) != 5 || body.Clients[4].HostName != DemoPolicyOnlyClient {
		t.Errorf("detail attributes = %+v", det.Data.Attributes)
	}
	checkError(t, get("/config/policies/nope", nil, ""), 404)
}

func TestImagesCountByFilterAndVersion(t *testing.T) {
	_, _, get := postureServer(t, Options{})
	count := func(filter, accept string) any {
		t.Helper()
		r := get("/catalog/images", url.Values{"page[limit]": {"1"}, "filter": {filter}}, accept)
		if r.status != 200 {
			t.Fatalf("filter %q: status %d %s", filter, r.status, r.body)
		}
		return decode[wireList](t, r).Meta.Pagination["count"]
	}
	// Six images in the default 24 h window; the 72 h old one only with an explicit window.
	if n := count("", ""); n != float64(6) {
		t.Errorf("default window count = %v, want 6", n)
	}
	if n := count("malwareStatus eq 'CLEAN' and anomalyStatus eq 'NOT_ANOMALOUS'", ""); n != float64(3) {
		t.Errorf("clean count = %v, want 3", n)
	}
	if n := count("backupTime ge 2026-02-25T00:00:00Z and malwareScanResult eq 'IMPACTED'", ""); n != float64(2) {
		t.Errorf("impacted since Feb 25 = %v, want 2", n)
	}
	// malwareStatus is not in the 10.5 spec (API 12.0), anomalyStatus not in 10.3's (10.0).
	r := get("/catalog/images", url.Values{"filter": {"malwareStatus eq 'CLEAN'"}}, "application/vnd.netbackup+json;version=12.0")
	checkError(t, r, 400)
	r = get("/catalog/images", url.Values{"filter": {"anomalyStatus eq 'ANOMALOUS'"}}, "application/vnd.netbackup+json;version=10.0")
	checkError(t, r, 400)
	checkError(t, get("/catalog/images", url.Values{"page[limit]": {"101"}}, ""), 400)
}

func TestSLPImagesCursorWalk(t *testing.T) {
	_, d, get := postureServer(t, Options{})
	var got []string
	after := ""
	for pages := 0; ; pages++ {
		q := url.Values{"page[limit]": {"2"}, "filter": {"slpImageState eq 'IN_PROCESS'"}}
		if after != "" {
			q.Set("page[after]", after)
		}
		page := decode[wireList](t, get("/catalog/slp-images", q, ""))
		for _, rec := range page.Data {
			got = append(got, rec.Attributes["backupTime"].(string))
		}
		after, _ = page.Meta.Pagination["next"].(string)
		if after == "" || pages > 10 {
			break
		}
	}
	want := 0
	for _, i := range d.SLPImages {
		if i.State == "IN_PROCESS" {
			want++
		}
	}
	if len(got) != want || !slices.IsSorted(got) {
		t.Errorf("walk gave %v, want %d images in ascending backup time", got, want)
	}
}

func TestAlertsOffsetPagesNewestFirst(t *testing.T) {
	_, _, get := postureServer(t, Options{})
	seen := map[any]bool{}
	var times []string
	for off := 0; ; off += 100 {
		page := decode[wireList](t, get("/manage/alerts", url.Values{"page[limit]": {"100"}, "page[offset]": {itoa(off)}}, ""))
		for _, rec := range page.Data {
			seen[rec.ID] = true
			times = append(times, rec.Attributes["createdDateTime"].(string))
		}
		if _, more := page.Meta.Pagination["next"]; !more {
			break
		}
	}
	if len(seen) != DemoAlerts || !slices.IsSortedFunc(times, func(a, b string) int { return -cmpStr(a, b) }) {
		t.Errorf("%d distinct alerts (want %d), newest first: %v", len(seen), DemoAlerts, slices.IsSortedFunc(times, func(a, b string) int { return -cmpStr(a, b) }))
	}
	if n := decode[wireList](t, get("/manage/alerts", url.Values{"filter": {"severity eq 'INFO'"}}, "")).Meta.Pagination["count"]; n != float64(DemoAlerts/4) {
		t.Errorf("INFO alerts = %v, want %d", n, DemoAlerts/4)
	}
}

func TestScanResultsImpactedFilesByVersion(t *testing.T) {
	_, _, get := postureServer(t, Options{})
	page := decode[wireList](t, get("/malware/latest-scan-results", url.Values{"filter": {"scanResult eq 'IMPACTED'"}}, ""))
	sum := 0.0
	for _, rec := range page.Data {
		sum += rec.Attributes["numberOfFilesImpacted"].(float64)
	}
	if len(page.Data) != 2 || sum != 4 {
		t.Errorf("%d impacted results with %v infected files, want 2 and 4", len(page.Data), sum)
	}
	old := decode[wireList](t, get("/malware/latest-scan-results", nil, "application/vnd.netbackup+json;version=10.0"))
	if _, has := old.Data[0].Attributes["numberOfFilesImpacted"]; has {
		t.Error("API 10.0 served numberOfFilesImpacted, which its spec lacks")
	}
}

func TestDemoPostureFacts(t *testing.T) {
	s, _, _ := postureServer(t, Options{})
	// A client with no successful backup in 7 days, but one before.
	recent, _ := s.CountJobs("clientName eq 'stale-01' and status eq 0 and endTime ge 2026-02-22T12:00:00Z")
	older, _ := s.CountJobs("clientName eq 'stale-01' and status eq 0")
	// The newest catalog backup failed, an older one is good.
	failed, _ := s.CountJobs("policyType eq 'NBU_CATALOG' and status ne 0")
	none, _ := s.CountJobs("clientName eq 'policy-only-01'")
	if recent != 0 || older != 1 || failed != 1 || none != 0 {
		t.Errorf("stale recent %d older %d, failed catalog %d, policy-only jobs %d", recent, older, failed, none)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func cmpStr(a, b string) int { return strings.Compare(a, b) }
