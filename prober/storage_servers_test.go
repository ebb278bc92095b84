package prober

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// storageServersYAML: `servers` runs the collector alone; `v<version>` pin an API version.
const storageServersYAML = `
modules:
  servers:
    timeout: 10s
    api_key: ` + testKey + `
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    collectors: [storage_servers]
  small:
    timeout: 10s
    api_key: ` + testKey + `
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    collectors: [storage_servers]
    max_series: 5
    storage_servers: {cache_ttl: 0s}
`

func newStorageServersEnv(t *testing.T, servers []fakenbu.StorageServer) (*fakenbu.Server, string, *testEnv, *clock) {
	t.Helper()
	fake, srv := newFake(t, fakenbu.Options{})
	fake.SetStorageServers(servers)
	c := newClock(fixtureNow)
	return fake, srv.URL + "/netbackup", newTestEnvAt(t, mustConfig(t, storageServersYAML), c), c
}

// Every demo storage server has its state, type, category and version; the MSDP pool sizes only
// where NetBackup gives them; the DOWN server says 0.
func TestStorageServersMetricsEqualFake(t *testing.T) {
	_, target, env, _ := newStorageServersEnv(t, fakenbu.DemoStorageServers())
	mfs := probeDevices(t, env, "servers", target)
	if v := sumFamily(mfs, "probe_success", nil); v != 1 {
		t.Fatalf("probe_success = %v; logs:\n%s", v, env.logs)
	}
	const tib = float64(1 << 40)
	checkSeries(t, mfs, "nbu_storage_server_up", map[string]float64{
		"media01.example.com|PureDisk": 1, "media02.example.com|AdvancedDisk": 1, "media02.example.com|PureDisk": 0,
		"s3.eu-west-1.amazonaws.com|amazon_raw": 1,
	})
	checkSeries(t, mfs, "nbu_storage_server_info", map[string]float64{
		"MSDP|media01.example.com|PureDisk|10.5": 1, "ADVANCED_DISK|media02.example.com|AdvancedDisk|10.5": 1,
		"MSDP|media02.example.com|PureDisk|10.5": 1, "CLOUD|s3.eu-west-1.amazonaws.com|amazon_raw|": 1,
	})
	checkSeries(t, mfs, "nbu_storage_server_additional_media_servers", map[string]float64{
		"media01.example.com|PureDisk": 1, "media02.example.com|AdvancedDisk": 0, "media02.example.com|PureDisk": 0,
		"s3.eu-west-1.amazonaws.com|amazon_raw": 1,
	})
	checkSeries(t, mfs, "nbu_storage_server_pool_size_bytes", map[string]float64{"media01.example.com|PureDisk": 150 * tib})
	checkSeries(t, mfs, "nbu_storage_server_pool_used_bytes", map[string]float64{"media01.example.com|PureDisk": 93 * tib})
	checkSeries(t, mfs, "nbu_storage_server_pool_available_bytes", map[string]float64{"media01.example.com|PureDisk": 57 * tib})
	checkSeries(t, mfs, "nbu_last_scrape_timestamp_seconds", map[string]float64{"storage_servers": float64(fixtureNow.Unix())})
}

// The collector is on by default and reads its list once per storage_servers.cache_ttl (5m).
func TestStorageServersDefaultAndCached(t *testing.T) {
	fake, target, env, c := newStorageServersEnv(t, fakenbu.DemoStorageServers())
	env.handler.Config = func() *cfgT { return mustConfig(t, deviceModulesYAML) }
	for i, advance := range []time.Duration{0, time.Minute, 3 * time.Minute, 2 * time.Minute} {
		c.Advance(advance)
		mfs := probeDevices(t, env, "all", target)
		if v := sumFamily(mfs, "nbu_storage_server_up", nil); v != 3 {
			t.Errorf("probe %d: %v storage servers up, want 3", i, v)
		}
	}
	if n := fake.Requests("/storage/storage-servers"); n != 2 {
		t.Errorf("storage servers read %d times in 6 minutes, want 2", n)
	}
}

// A record without a state has no up series; one without its media server list has no count.
func TestStorageServersAbsentFieldsHaveNoSeries(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.netbackup+json;version=14.0")
		_, _ = w.Write([]byte(`{"data":[{"id":"PureDisk:bare","type":"storageServer","attributes":{"name":"bare"}}]}`))
	}))
	t.Cleanup(srv.Close)
	env := newTestEnv(t, mustConfig(t, storageServersYAML+"    api_version: \"14.0\"\n"))
	mfs := probeDevices(t, env, "small", srv.URL+"/netbackup")
	checkSeries(t, mfs, "nbu_storage_server_info", map[string]float64{"|bare|PureDisk|": 1})
	for _, name := range []string{"nbu_storage_server_up", "nbu_storage_server_additional_media_servers", "nbu_storage_server_pool_size_bytes"} {
		if mfs[name] != nil {
			t.Errorf("%s reported for a record without the field: %v", name, series(mfs, name))
		}
	}
}

// A role without the storage-servers permission (403), or a primary without the endpoint (404),
// has the collector skipped, the reason in the debug output; the probe succeeds.
func TestStorageServersSkippedOn403And404(t *testing.T) {
	for _, status := range []int{http.StatusForbidden, http.StatusNotFound} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			fake, target, env, _ := newStorageServersEnv(t, fakenbu.DemoStorageServers())
			fake.FailEndpoint("/storage/storage-servers", status)
			mfs := probeDevices(t, env, "servers", target)
			if v := sumFamily(mfs, "probe_success", nil); v != 1 {
				t.Errorf("probe_success = %v, want 1", v)
			}
			checkSeries(t, mfs, "nbu_collector_skipped", map[string]float64{"storage_servers": 1})
			if mfs["nbu_storage_server_up"] != nil {
				t.Error("series of a skipped collector")
			}
			res, _ := env.handler.History.Get(env.handler.History.List()[0].ID)
			out := res.DebugOutput
			if status == http.StatusForbidden && !strings.Contains(out, "lacks the permission") {
				t.Errorf("the debug output does not say why:\n%s", out)
			}
		})
	}
}

// Every API version's spec has the endpoint: each release is asked, in its own version.
func TestStorageServersOnEveryAPIVersion(t *testing.T) {
	for _, v := range []string{"10.0", "12.0", "13.0", "14.0"} {
		t.Run(v, func(t *testing.T) {
			_, target, _, _ := newStorageServersEnv(t, fakenbu.DemoStorageServers())
			env := newTestEnv(t, mustConfig(t, strings.Replace(storageServersYAML, "collectors: [storage_servers]\n  small",
				"collectors: [storage_servers]\n    api_version: \""+v+"\"\n  small", 1)))
			mfs := probeDevices(t, env, "servers", target)
			checkSeries(t, mfs, "nbu_api_version", map[string]float64{v: 1})
			if n := len(series(mfs, "nbu_storage_server_up")); n != 4 {
				t.Errorf("%d storage servers, want 4", n)
			}
		})
	}
}

// More storage servers than max_series: the answer is cut and says so; they are read over
// several pages of the spec's maximum, 100.
func TestStorageServersBoundedByMaxSeries(t *testing.T) {
	var servers []fakenbu.StorageServer
	for i := range 250 {
		servers = append(servers, fakenbu.StorageServer{Name: fmt.Sprintf("msdp-%03d", i), SType: "PureDisk", Category: "MSDP", Up: true})
	}
	fake, target, env, _ := newStorageServersEnv(t, servers)
	mfs := probeDevices(t, env, "small", target)
	n := 0
	for name, mf := range mfs {
		if strings.HasPrefix(name, "nbu_storage_server_") {
			n += len(mf.GetMetric())
		}
	}
	if n > 5 {
		t.Errorf("%d storage server series, want at most max_series (5)", n)
	}
	if v := gaugeValue(mfs, "nbu_series_dropped", "collector", "storage_servers"); v <= 0 {
		t.Errorf("nbu_series_dropped{collector=storage_servers} = %v, want what was cut", v)
	}
	if r := fake.Requests("/storage/storage-servers"); r != 3 {
		t.Errorf("%d requests for 250 servers, want 3 pages of 100", r)
	}
}
