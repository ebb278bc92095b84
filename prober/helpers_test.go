package prober

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-kit/log"
	dto "github.com/prometheus/client_model/go"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

const testKey = "test-api-key-0123456789"

var fixtureNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func at(hhmm string) time.Time {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		panic(err)
	}
	return time.Date(2026, 11, 26, t.Hour(), t.Minute(), 0, 0, time.UTC)
}

// fixtureJobs: four jobs end inside the 1h window before fixtureNow, one before it, three are not
// done.
func fixtureJobs() []fakenbu.Job {
	done := func(id int64, jobType, policyType string, status int64, start, end string, kb, files int64) fakenbu.Job {
		return fakenbu.Job{JobID: id, JobType: jobType, PolicyType: policyType, PolicyName: "p-" + policyType,
			ClientName: "client1", State: "DONE", Status: status, KilobytesTransferred: kb, NumberOfFiles: files,
			StartTime: at(start), EndTime: at(end), LastUpdateTime: at(end)}
	}
	running := func(id int64, jobType, policyType, state string, reason int64, start string) fakenbu.Job {
		return fakenbu.Job{JobID: id, JobType: jobType, PolicyType: policyType, PolicyName: "p-" + policyType,
			ClientName: "client2", State: state, JobQueueReason: reason, StartTime: at(start), LastUpdateTime: at(start)}
	}
	return []fakenbu.Job{
		done(1, "BACKUP", "STANDARD", 0, "11:00", "11:30", 1000, 10),
		done(2, "BACKUP", "STANDARD", 0, "11:40", "11:45", 2000, 5),
		done(3, "BACKUP", "VMWARE", 1, "11:50", "11:55", 500, 3),
		done(4, "DUPLICATE", "STANDARD", 191, "10:00", "11:10", 0, 0),
		done(5, "BACKUP", "STANDARD", 0, "09:00", "10:30", 9999, 99),
		running(6, "BACKUP", "WINDOWS_NT", "ACTIVE", 0, "11:58"),
		running(7, "BACKUP", "STANDARD", "QUEUED", 2, "11:59"),
		running(8, "RESTORE", "STANDARD", "QUEUED", 2, "11:59"),
	}
}

func fixtureStorage() []fakenbu.StorageUnit {
	return []fakenbu.StorageUnit{
		{Name: "msdp-stu", StorageType: "DISK", StorageSubType: "PureDisk", StorageServerType: "PureDisk", StorageCategory: "MSDP",
			FreeCapacityBytes: 600, UsedCapacityBytes: 400, TotalCapacityBytes: 1000, MaxConcurrentJobs: 20, MaxFragmentSizeMegabytes: 51200,
			WormCapable: true, ReplicationCapable: true, InstantAccessEnabled: true},
		{Name: "adv-stu", StorageType: "DISK", StorageSubType: "AdvancedDisk", StorageServerType: "AdvancedDisk", StorageCategory: "ADVANCED_DISK",
			FreeCapacityBytes: 50, UsedCapacityBytes: 150, TotalCapacityBytes: 200, MaxConcurrentJobs: 4, MaxFragmentSizeMegabytes: 1024},
		{Name: "cloud-stu", StorageType: "DISK", StorageSubType: "PureDisk", StorageServerType: "PureDisk", StorageCategory: "CLOUD", IsCloudSTU: true},
		{Name: "tape-stu", StorageType: "Tape", StorageSubType: "hcart2", StorageServerType: "", StorageCategory: "TAPE"},
	}
}

// newFake starts a fake primary with the fixture data.
func newFake(t *testing.T, opts fakenbu.Options) (*fakenbu.Server, *httptest.Server) {
	t.Helper()
	if len(opts.APIKeys) == 0 {
		opts.APIKeys = []string{testKey}
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return fixtureNow }
	}
	fake := fakenbu.New(opts)
	fake.SetJobs(fixtureJobs())
	fake.SetStorageUnits(fixtureStorage())
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, srv
}

func mustConfig(t *testing.T, yml string) *config.Config {
	t.Helper()
	c, err := Schema().Parse([]byte(yml), "test.yml", t.TempDir())
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return c
}

// testModules: `default` with small pages (several pages per walk), `pinned` on version 12.0,
// `badkey` with a wrong key, `storageonly`. They name their collectors rather than take the
// default list, so the tests (and the probe fixture) written for jobs and storage keep reading
// just those when collectors are added; devices_test.go has modules for the device collectors.
const testModulesYAML = `
modules:
  default:
    timeout: 10s
    api_key: ` + testKey + `
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    collectors: [jobs, storage]
    jobs: {lookback: 1h, page_size: 2}
    storage: {cache_ttl: 5m, page_size: 2}
  pinned:
    timeout: 10s
    api_key: ` + testKey + `
    api_version: "12.0"
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    collectors: [jobs, storage]
  badkey:
    timeout: 10s
    api_key: wrong-key-wrong-key
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    collectors: [jobs, storage]
  storageonly:
    timeout: 10s
    api_key: ` + testKey + `
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    collectors: [storage]
  httpsonly:
    timeout: 10s
    api_key: ` + testKey + `
    allowed_targets: ["127.0.0.1"]
    collectors: [jobs, storage]
  elsewhere:
    timeout: 10s
    api_key: ` + testKey + `
    allowed_targets: ["nbu-*.example.com"]
    insecure_http: true
    collectors: [jobs, storage]
`

type testEnv struct {
	handler *Handler
	logs    *bytes.Buffer
	metrics *ExporterMetrics
}

func newTestEnv(t *testing.T, cfg *config.Config) *testEnv {
	t.Helper()
	var logs bytes.Buffer
	m := NewExporterMetrics(newTestRegistry())
	sessions := NewSessions(time.Hour, m.ObserveRequest)
	t.Cleanup(sessions.Close)
	h := &Handler{
		Config:        func() *config.Config { return cfg },
		Logger:        log.NewLogfmtLogger(log.NewSyncWriter(&logs)),
		Sessions:      sessions,
		Metrics:       m,
		History:       NewHistory(10),
		TimeoutOffset: 500 * time.Millisecond,
		Now:           func() time.Time { return fixtureNow },
	}
	return &testEnv{handler: h, logs: &logs, metrics: m}
}

func (e *testEnv) probe(t *testing.T, query string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("GET", "/probe?"+query, nil)
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	e.handler.ServeHTTP(w, r)
	return w
}

func probeQuery(module, target string) string {
	v := url.Values{}
	if module != "" {
		v.Set("module", module)
	}
	v.Set("target", target)
	return v.Encode()
}

// stripVolatile removes the lines whose values depend on wall-clock time.
func stripVolatile(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, "probe_duration_seconds ") || strings.HasPrefix(line, "nbu_collector_duration_seconds{") {
			continue
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

type cfgT = config.Config

func parseConfig(yml string) (*config.Config, error) {
	return Schema().Parse([]byte(yml), "bench.yml", ".")
}

type dtoFamily = dto.MetricFamily
type dtoMetric = dto.Metric
