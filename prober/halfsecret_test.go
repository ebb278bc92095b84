package prober

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// A primary that echoes half the key, in an error body or in the names it sends, gets no 8 bytes
// of it into the answer, the debug output or the log.
func TestHalfKeyEchoScrubbed(t *testing.T) {
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}, Now: func() time.Time { return fixtureNow }})
	j := finished(1, fixtureNow.Add(-time.Minute), 0)
	j.JobType = "T-" + testKey[:len(testKey)/2]
	j.PolicyName = testKey[len(testKey)/2-4:] + "-p"
	fake.SetJobs([]fakenbu.Job{j})
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/storage/storage-units") {
			key := r.Header.Get("Authorization")
			w.Header().Set("Content-Type", "application/vnd.netbackup+json;version=13.0")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"errorCode":500,"errorMessage":"key starts ` + key[:12] + `","errorDetails":["ends ` + key[len(key)-10:] + `"]}`))
			return
		}
		fake.ServeHTTP(w, r)
	})
	srv := httptest.NewServer(echo)
	t.Cleanup(srv.Close)
	env := newTestEnv(t, mustConfig(t, boundsModule("jobs, storage", 1000)))
	body := env.probe(t, probeQuery("default", srv.URL+"/netbackup")+"&debug=true", nil).Body.String()
	if !strings.Contains(body, "key starts <redacted>") || !strings.Contains(body, "T-<redacted>") {
		t.Errorf("the echoes are not in the debug output, redacted:\n%s", body)
	}
	for name, text := range map[string]string{"answer": body, "log": env.logs.String()} {
		for i := 0; i+8 <= len(testKey); i++ {
			if strings.Contains(text, testKey[i:i+8]) {
				t.Fatalf("the %s holds %q, 8 bytes of the key", name, testKey[i:i+8])
			}
		}
	}
}
