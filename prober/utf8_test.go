package prober

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

// A primary that sends bytes that are not UTF-8 in job and storage fields (which end up as label
// values) gets a probe with replacement characters, not a crashed exporter.
func TestInvalidUTF8FromNetBackup(t *testing.T) {
	bad := "\xff\xfe"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.netbackup+json;version=14.0")
		switch {
		case strings.HasSuffix(r.URL.Path, "/admin/jobs"):
			if strings.Contains(r.URL.RawQuery, "limit%5D=1&") || strings.HasSuffix(r.URL.RawQuery, "page%5Blimit%5D=1") {
				_, _ = w.Write([]byte(`{"data":[]}`))
				return
			}
			_, _ = w.Write([]byte(`{"data":[{"type":"job","id":"1","attributes":{"jobId":1,"jobType":"BACKUP","policyType":"` + bad +
				`","state":"DONE","status":0,"startTime":"2026-11-26T11:50:00Z","endTime":"2026-11-26T11:55:00Z","lastUpdateTime":"2026-11-26T11:55:00Z"}}],"meta":{"pagination":{}}}`))
		case strings.HasSuffix(r.URL.Path, "/storage/storage-units"):
			_, _ = w.Write([]byte(`{"data":[{"type":"storageUnit","id":"x","attributes":{"name":"stu` + bad + `","storageServerType":"Pure` + bad +
				`","storageCategory":"MSDP","freeCapacityBytes":1,"usedCapacityBytes":1,"totalCapacityBytes":2}}],"meta":{"pagination":{"count":1}}}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	env := newTestEnv(t, mustConfig(t, testModulesYAML))
	w := env.probe(t, probeQuery("default", srv.URL+"/netbackup"), nil)
	body := w.Body.String()
	if !utf8.ValidString(body) || !strings.Contains(body, "\uFFFD") {
		t.Fatalf("want valid UTF-8 with replacement characters:\n%s", body)
	}
	for _, want := range []string{`nbu_collector_success{collector="jobs"} 1`, `nbu_collector_success{collector="storage"} 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %q:\n%s\n%s", want, body, env.logs)
		}
	}
}
