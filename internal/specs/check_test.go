package specs

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func loadTable(t *testing.T) *Table {
	t.Helper()
	tab, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func TestLoadHasEveryRelease(t *testing.T) {
	tab := loadTable(t)
	if got, want := tab.Releases(), []string{"10.3", "10.5", "11.0", "11.2"}; !slices.Equal(got, want) {
		t.Fatalf("releases %v, want %v", got, want)
	}
	for rel, api := range map[string]string{"10.3": "10.0", "10.5": "12.0", "11.0": "13.0", "11.2": "14.0"} {
		if got := tab.APIVersion(rel); got != api {
			t.Errorf("APIVersion(%s) = %q, want %q", rel, got, api)
		}
	}
}

const media = "application/vnd.netbackup+json;version="

// req builds a request as the exporter's client sends it: Accept in version, and a body in the
// same version when body is not empty.
func req(method, target, version, body string) *http.Request {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, target, nil)
	} else {
		r = httptest.NewRequest(method, target, bytes.NewBufferString(body))
		r.Header.Set("Content-Type", media+version)
	}
	if version != "" {
		r.Header.Set("Accept", media+version)
	}
	return r
}

func TestCheck(t *testing.T) {
	tab := loadTable(t)
	tests := []struct {
		name, release string
		r             *http.Request
		want          []Kind // nil = allowed
	}{
		{"jobs page", "10.3", req("GET", "/netbackup/admin/jobs?page[limit]=100&filter=state+eq+'DONE'&sort=-jobId", "10.0", ""), nil},
		{"jobs cursor", "11.2", req("GET", "/netbackup/admin/jobs?page[limit]=1&page[after]=abc", "14.0", ""), nil},
		{"page[limit] above the maximum", "10.3", req("GET", "/netbackup/admin/jobs?page[limit]=101", "10.0", ""), []Kind{KindQuery}},
		{"page[limit] not an integer", "10.3", req("GET", "/netbackup/admin/jobs?page[limit]=ten", "10.0", ""), []Kind{KindQuery}},
		{"page[limit] below the minimum", "10.5", req("GET", "/netbackup/storage/disk-pools?page[limit]=0", "12.0", ""), []Kind{KindQuery}},
		{"undeclared parameter", "10.3", req("GET", "/netbackup/admin/jobs?page[offset]=0", "10.0", ""), []Kind{KindQuery}},
		{"parameter sent twice", "10.3", req("GET", "/netbackup/admin/jobs?sort=jobId&sort=state", "10.0", ""), []Kind{KindQuery}},
		{"filter on listed attributes", "10.3", req("GET", "/netbackup/admin/jobs?filter="+url.QueryEscape("jobType eq 'BACKUP' and (status ge 0 and status le 1) and contains(clientName,'app')"), "10.0", ""), nil},
		{"filter through tolower", "10.3", req("GET", "/netbackup/admin/jobs?filter="+url.QueryEscape("startswith(tolower(clientName),'app') and tolower(state) eq 'done'"), "10.0", ""), nil},
		{"filter with a quote in a literal", "10.3", req("GET", "/netbackup/admin/jobs?filter="+url.QueryEscape("clientName eq 'o''brien and policyName'"), "10.0", ""), nil},
		{"filter on an unlisted attribute", "10.3", req("GET", "/netbackup/admin/jobs?filter="+url.QueryEscape("kilobytesToTransfer gt 0"), "10.0", ""), []Kind{KindQuery}},
		{"filter with an unlisted operator", "10.3", req("GET", "/netbackup/admin/jobs?filter="+url.QueryEscape("policyName eq 'gold'"), "10.0", ""), []Kind{KindQuery}},
		{"filter on an attribute of a later release", "10.3", req("GET", "/netbackup/catalog/images?filter="+url.QueryEscape("malwareStatus eq 'CLEAN'"), "10.0", ""), []Kind{KindQuery}},
		{"the same filter on 11.0", "11.0", req("GET", "/netbackup/catalog/images?filter="+url.QueryEscape("malwareStatus eq 'CLEAN'"), "13.0", ""), nil},
		{"filter on an attribute path", "10.3", req("GET", "/netbackup/malware/latest-scan-results?filter="+url.QueryEscape("malwareTool/malwareToolName eq 'x'"), "10.0", ""), nil},
		{"filter with a lambda, not read", "10.3", req("GET", "/netbackup/catalog/slp-images?filter="+url.QueryEscape("copies/any(c:c/copyType eq 'BACKUP')"), "10.0", ""), nil},
		{"sort on listed attributes", "10.3", req("GET", "/netbackup/admin/jobs?sort=-endTime,jobId", "10.0", ""), nil},
		{"sort on an unlisted attribute", "10.3", req("GET", "/netbackup/admin/jobs?sort=-bogus", "10.0", ""), []Kind{KindQuery}},
		{"another release's version", "10.3", req("GET", "/netbackup/admin/jobs", "12.0", ""), []Kind{KindAccept}},
		{"no Accept", "10.5", req("GET", "/netbackup/admin/jobs", "", ""), []Kind{KindAccept}},
		{"endpoint added in 10.5", "10.3", req("GET", "/netbackup/storage/tape-media", "10.0", ""), []Kind{KindPath}},
		{"endpoint of 10.5", "10.5", req("GET", "/netbackup/storage/tape-media?page[limit]=100", "12.0", ""), nil},
		{"not below /netbackup", "10.5", req("GET", "/admin/jobs", "12.0", ""), []Kind{KindPath}},
		{"policies without the spec's slash", "10.5", req("GET", "/netbackup/config/policies", "12.0", ""), []Kind{KindPath}},
		{"policy detail", "10.5", req("GET", "/netbackup/config/policies/web%20servers", "12.0", ""), nil},
		{"method the path lacks", "10.3", req("DELETE", "/netbackup/admin/jobs", "10.0", ""), []Kind{KindMethod}},
		{"literal segment before a template", "10.3", req("GET", "/netbackup/catalog/images/update-expiration-date", "10.0", ""), []Kind{KindMethod}},
		{"jobs count at its own version on 10.3", "10.3", req("POST", "/netbackup/admin/jobs-count-requests", "6.0", `{}`), nil},
		{"jobs count at the API's version on 10.3", "10.3", req("POST", "/netbackup/admin/jobs-count-requests", "10.0", `{}`), []Kind{KindAccept, KindContentType}},
		{"a body to a GET", "10.3", req("GET", "/netbackup/admin/jobs", "10.0", `{}`), []Kind{KindContentType}},
		{"storage of 11.2 from 11.0's file", "11.2", req("GET", "/netbackup/storage/disk-pools?page[limit]=500&page[offset]=0", "14.0", ""), nil},
		{"11.2's storage at 11.0's version", "11.2", req("GET", "/netbackup/storage/disk-pools", "13.0", ""), []Kind{KindAccept}},
		{"media servers of 11.0 from 10.5's file", "11.0", req("GET", "/netbackup/config/media-servers?page[limit]=500&page[offset]=0", "13.0", ""), nil},
		{"policies of 11.2 from 11.0's file", "11.2", req("GET", "/netbackup/config/policies/p1", "14.0", ""), nil},
		{"login", "11.0", req("POST", "/netbackup/login", "13.0", `{"userName":"u","password":"p"}`), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tab.Check(tt.release, tt.r)
			var got []Kind
			for _, v := range AsViolations(err) {
				got = append(got, v.Kind)
			}
			if err != nil && got == nil {
				t.Fatalf("Check: %v (not Violations)", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Check = %v (kinds %v), want kinds %v", err, got, tt.want)
			}
		})
	}
}

func TestCheckNamesWhatIsWrong(t *testing.T) {
	err := loadTable(t).Check("10.3", req("GET", "/netbackup/admin/jobs?page[limit]=1&foo=1", "10.0", ""))
	for _, want := range []string{`"foo"`, "GET /admin/jobs", "release 10.3", "/admin/jobs in admin.yaml"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Check = %v, want it to name %s", err, want)
		}
	}
	err = loadTable(t).Check("11.2", req("GET", "/netbackup/storage/disk-pools", "13.0", ""))
	if err == nil || !strings.Contains(err.Error(), "in 11.0/storage.yaml") || !strings.Contains(err.Error(), "version=14.0") {
		t.Errorf("Check = %v, want it to name the borrowed file and 11.2's version", err)
	}
}

func TestVersionProbe(t *testing.T) {
	tab := loadTable(t)
	tests := []struct {
		name, release string
		r             *http.Request
		want          bool
	}{
		{"detection rung above 10.3", "10.3", req("GET", "/netbackup/admin/jobs?page[limit]=1", "14.0", ""), true},
		{"login before a rung", "10.5", req("POST", "/netbackup/login", "13.0", `{}`), true},
		{"the release's own version", "10.3", req("GET", "/netbackup/admin/jobs?page[limit]=1", "10.0", ""), false},
		{"a version older than the release's", "11.0", req("GET", "/netbackup/admin/jobs?page[limit]=1", "12.0", ""), false},
		{"a version no release serves", "10.3", req("GET", "/netbackup/admin/jobs?page[limit]=1", "15.0", ""), false},
		{"a page of jobs", "10.3", req("GET", "/netbackup/admin/jobs?page[limit]=100", "14.0", ""), false},
		{"another query parameter", "10.3", req("GET", "/netbackup/admin/jobs?page[limit]=1&sort=jobId", "14.0", ""), false},
		{"another endpoint", "10.3", req("GET", "/netbackup/storage/disk-pools?page[limit]=1", "14.0", ""), false},
		{"nothing is newer than 11.2", "11.2", req("GET", "/netbackup/admin/jobs?page[limit]=1", "14.0", ""), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tab.VersionProbe(tt.release, tt.r); got != tt.want {
				t.Errorf("VersionProbe = %v, want %v", got, tt.want)
			}
		})
	}
	mixed := req("POST", "/netbackup/login", "13.0", `{}`)
	mixed.Header.Set("Content-Type", media+"10.0")
	if tab.VersionProbe("10.3", mixed) {
		t.Error("a login whose body and Accept name different versions is a probe")
	}
}

func TestHas(t *testing.T) {
	tab := loadTable(t)
	for _, tt := range []struct {
		release, method, path string
		want                  bool
	}{
		{"10.3", "GET", "/storage/drives", true},
		{"10.3", "GET", "/storage/robots-device-hosts", false},
		{"11.2", "GET", "/storage/robots-device-hosts", true},
		{"11.0", "GET", "/security/certificates", true},
		{"10.5", "GET", "/security/certificates", false},
		{"10.3", "GET", "/servicecatalog/slos", true},
		{"11.2", "GET", "/servicecatalog/slos", true},
		{"10.3", "PUT", "/admin/jobs", false},
	} {
		if got := tab.Has(tt.release, tt.method, tt.path); got != tt.want {
			t.Errorf("Has(%s, %s %s) = %v, want %v", tt.release, tt.method, tt.path, got, tt.want)
		}
	}
}
