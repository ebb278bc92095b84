package prober

import (
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// deviceModulesYAML: `devices` runs the three device collectors, `all` takes the default list,
// `tape10` talks API 10.0 (NetBackup 10.0-10.4) and runs tape alone.
const deviceModulesYAML = `
modules:
  devices:
    timeout: 10s
    api_key: ` + testKey + `
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    collectors: [disk_pools, tape, media_servers]
  all:
    timeout: 10s
    api_key: ` + testKey + `
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
  tape10:
    timeout: 10s
    api_key: ` + testKey + `
    api_version: "10.0"
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
    collectors: [tape]
`

// newDeviceFake is newFake with the demo devices: a DOWN pool, a full one, a DOWN drive, one
// needing cleaning, 250 tape media over three pages, an empty scratch pool, a media server down.
func newDeviceFake(t *testing.T, opts fakenbu.Options) (*fakenbu.Server, string) {
	fake, srv := newFake(t, opts)
	fake.SetDevices()
	return fake, srv.URL + "/netbackup"
}

func probeDevices(t *testing.T, env *testEnv, module, target string) map[string]*dto.MetricFamily {
	t.Helper()
	w := env.probe(t, probeQuery(module, target), nil)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	return parseExposition(t, w.Body.String())
}

// series returns a family's samples keyed by their label values in label-name order, joined by "|".
func series(mfs map[string]*dto.MetricFamily, name string) map[string]float64 {
	out := map[string]float64{}
	for _, m := range mfs[name].GetMetric() {
		var vals []string
		for _, lp := range m.GetLabel() {
			vals = append(vals, lp.GetValue())
		}
		out[strings.Join(vals, "|")] = m.GetGauge().GetValue() + m.GetUntyped().GetValue()
	}
	return out
}

func checkSeries(t *testing.T, mfs map[string]*dto.MetricFamily, name string, want map[string]float64) {
	t.Helper()
	got := series(mfs, name)
	for k, v := range want {
		if g, ok := got[k]; !ok || math.Abs(g-v) > 1e-9 {
			t.Errorf("%s{%s} = %v (present %v), want %v", name, k, g, ok, v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s{%s} is not in the fake's data", name, k)
		}
	}
}

// Every device metric equals what the fake holds, computed here from the fake's own data (labels
// in alphabetical order of their names, as the exposition sorts them).
func TestDeviceMetricsMatchTheFake(t *testing.T) {
	fake, target := newDeviceFake(t, fakenbu.Options{})
	env := newTestEnv(t, mustConfig(t, deviceModulesYAML))
	mfs := probeDevices(t, env, "devices", target)
	if v := sumFamily(mfs, "probe_success", nil); v != 1 {
		t.Fatalf("probe_success = %v; logs:\n%s", v, env.logs)
	}
	checkDiskPools(t, mfs, fake.DiskPools())
	checkDrives(t, mfs, fake.Drives())
	checkTapeMedia(t, mfs, fake.TapeMedia(), fake.VolumePools())
	checkSeries(t, mfs, "nbu_tape_robot_device_hosts", map[string]float64{"": float64(len(fake.RobotDeviceHosts()))})
	up, info := map[string]float64{}, map[string]float64{}
	for _, m := range fake.MediaServers() {
		up[m.Name] = boolGauge(m.Up)
		info[strings.Join([]string{m.Name, m.OSType, m.OSVersion, m.Status, m.NBUVersion}, "|")] = 1
	}
	checkSeries(t, mfs, "nbu_media_server_up", up)
	checkSeries(t, mfs, "nbu_media_server_info", info)

	// Spot checks the issue names, on top of the comparison.
	if series(mfs, "nbu_disk_pool_up")["dp-cloud-s3|PureDisk"] != 0 || series(mfs, "nbu_tape_drive_up")["HPUltrium8-002|media01.example.com"] != 0 {
		t.Error("a DOWN pool or a DOWN drive is not reported as 0")
	}
	mediaPages := (len(fake.TapeMedia()) + 99) / 100
	if got := fake.Requests("/storage/tape-media"); got != mediaPages || mediaPages < 3 {
		t.Errorf("tape media read in %d requests, want %d pages of 100", got, mediaPages)
	}
	checkSeries(t, mfs, "nbu_collector_requests", map[string]float64{"disk_pools": 1, "media_servers": 1, "tape": float64(3 + mediaPages)})

	// The next probe is served from the caches: no request, the same series.
	again := probeDevices(t, env, "devices", target)
	checkSeries(t, again, "nbu_collector_requests", map[string]float64{"disk_pools": 0, "media_servers": 0, "tape": 0})
	checkDrives(t, again, fake.Drives())
	// Their encoded series are served as they are; the family all three write stays one family.
	if got := series(again, "nbu_last_scrape_timestamp_seconds"); len(got) != 3 {
		t.Errorf("nbu_last_scrape_timestamp_seconds has %d series, want one per collector: %v", len(got), got)
	}
}

func checkDiskPools(t *testing.T, mfs map[string]*dto.MetricFamily, pools []fakenbu.DiskPool) {
	t.Helper()
	up, capacity, avail, used, high, low, vols := map[string]float64{}, map[string]float64{}, map[string]float64{},
		map[string]float64{}, map[string]float64{}, map[string]float64{}, map[string]float64{}
	for _, p := range pools {
		k := p.Name + "|" + p.SType
		up[k] = boolGauge(p.DiskPoolState == "UP")
		capacity[k], avail[k], used[k] = float64(p.UsableSizeBytes), float64(p.AvailableSpaceBytes), float64(p.UsedCapacityBytes)
		high[k], low[k] = float64(p.HighWaterMark)/100, float64(p.LowWaterMark)/100
		for _, v := range p.ServedVolumes() {
			vols[p.Name+"|"+v.State+"|"+p.StorageCategory]++
		}
	}
	checkSeries(t, mfs, "nbu_disk_pool_up", up)
	checkSeries(t, mfs, "nbu_disk_pool_capacity_bytes", capacity)
	checkSeries(t, mfs, "nbu_disk_pool_available_bytes", avail)
	checkSeries(t, mfs, "nbu_disk_pool_used_bytes", used)
	checkSeries(t, mfs, "nbu_disk_pool_high_watermark_ratio", high)
	checkSeries(t, mfs, "nbu_disk_pool_low_watermark_ratio", low)
	checkSeries(t, mfs, "nbu_disk_pool_volume_count", vols)
}

func checkDrives(t *testing.T, mfs map[string]*dto.MetricFamily, drives []fakenbu.Drive) {
	t.Helper()
	count, info, up, clean := map[string]float64{}, map[string]float64{}, map[string]float64{}, map[string]float64{}
	for _, d := range drives {
		status := strings.TrimPrefix(d.Status, "DRIVE_STATUS_")
		count[d.DriveType+"|"+d.RobotType+"|"+status]++
		for _, p := range d.Paths {
			info[strings.Join([]string{d.Name, d.DriveType, p.Host, strconv.FormatInt(d.RobotNumber, 10), status}, "|")] = 1
			up[d.Name+"|"+p.Host] = boolGauge(p.Up)
		}
		clean[d.Name] = boolGauge(d.NeedsCleaning)
	}
	checkSeries(t, mfs, "nbu_tape_drives_count", count)
	checkSeries(t, mfs, "nbu_tape_drive_info", info)
	checkSeries(t, mfs, "nbu_tape_drive_up", up)
	checkSeries(t, mfs, "nbu_tape_drive_cleaning_needed", clean)
}

func checkTapeMedia(t *testing.T, mfs map[string]*dto.MetricFamily, media []fakenbu.TapeMedium, pools []fakenbu.VolumePool) {
	t.Helper()
	count, status, free := map[string]float64{}, map[string]float64{}, map[string]float64{}
	for _, m := range media {
		count[m.MediaType+"|"+m.VolumePool+"|"+m.RobotType]++
		flags := strings.Fields(m.Status)
		for _, f := range flags {
			status[m.VolumePool+"|"+f]++
		}
		if !slices.ContainsFunc(flags, func(f string) bool { return slices.Contains([]string{"ACTIVE", "FULL", "FROZEN", "SUSPENDED"}, f) }) {
			free[m.VolumePool]++
		}
	}
	scratch, partial := map[string]float64{}, map[string]float64{}
	for _, p := range pools {
		partial[p.Name+"|"+p.PoolType] = float64(p.PartiallyFullMedia)
		if p.PoolType == "SCRATCH_MEDIA_POOL" {
			scratch[p.Name] = free[p.Name] // 0 for the empty one
		}
	}
	checkSeries(t, mfs, "nbu_tape_media_count", count)
	checkSeries(t, mfs, "nbu_tape_media_status_count", status)
	checkSeries(t, mfs, "nbu_tape_scratch_media_count", scratch)
	checkSeries(t, mfs, "nbu_tape_pool_partially_full", partial)
	if n := sumFamily(mfs, "nbu_tape_media_count", nil); n != float64(len(media)) {
		t.Errorf("media counted = %v, the fake holds %d", n, len(media))
	}
	if scratch["Scratch_LTO6"] != 0 || status["NetBackup|FROZEN"] == 0 {
		t.Error("the demo data lost its empty scratch pool or its frozen media")
	}
}

// A 10.0 primary (NetBackup 10.0-10.4) has drives but no tape media, volume pools or robots'
// device hosts: tape reports the drives, says which endpoints it skipped, and succeeds.
func TestTapeOnAPI10ReportsDrivesAndSkipsMedia(t *testing.T) {
	fake, target := newDeviceFake(t, fakenbu.Options{Versions: []string{"10.0"}})
	env := newTestEnv(t, mustConfig(t, deviceModulesYAML))
	mfs := probeDevices(t, env, "tape10", target)
	if sumFamily(mfs, "probe_success", nil) != 1 || sumFamily(mfs, "nbu_collector_success", map[string]string{"collector": "tape"}) != 1 {
		t.Fatalf("probe or tape failed on 10.0; logs:\n%s", env.logs)
	}
	checkDrives(t, mfs, fake.Drives())
	checkSeries(t, mfs, "nbu_collector_endpoint_skipped", map[string]float64{
		"tape|/storage/tape-media": 1, "tape|/storage/tape-volume-pools": 1, "tape|/storage/robots-device-hosts": 1})
	for _, name := range []string{"nbu_tape_media_count", "nbu_tape_media_status_count", "nbu_tape_scratch_media_count",
		"nbu_tape_pool_partially_full", "nbu_tape_robot_device_hosts", "nbu_collector_skipped"} {
		if mfs[name] != nil {
			t.Errorf("%s reported on 10.0", name)
		}
	}
	if n := fake.Requests("/storage/tape-media") + fake.Requests("/storage/tape-volume-pools"); n != 0 {
		t.Errorf("%d requests for endpoints 10.0 lacks", n)
	}
}

// An endpoint that fails for ever fails its collector only: every other collector's series are
// there, and probe_success is 0.
func TestOneFailingDeviceEndpointFailsOnlyItsCollector(t *testing.T) {
	for _, tt := range []struct {
		endpoint, collector string
		stillThere          string // a series of the failing collector that another endpoint gives
	}{
		{"/storage/disk-pools", "disk_pools", ""},
		{"/storage/drives", "tape", "nbu_tape_media_count"},
		{"/storage/tape-media", "tape", "nbu_tape_drive_up"},
		{"/storage/tape-volume-pools", "tape", "nbu_tape_media_count"},
		{"/config/media-servers", "media_servers", ""},
		{"/storage/storage-servers", "storage_servers", ""},
	} {
		t.Run(tt.endpoint, func(t *testing.T) {
			fake, target := newDeviceFake(t, fakenbu.Options{})
			fake.FailEndpoint(tt.endpoint, http.StatusInternalServerError)
			env := newTestEnv(t, mustConfig(t, deviceModulesYAML))
			mfs := probeDevices(t, env, "all", target)
			if v := sumFamily(mfs, "probe_success", nil); v != 0 {
				t.Errorf("probe_success = %v, want 0", v)
			}
			want := map[string]float64{"jobs": 1, "storage": 1, "disk_pools": 1, "tape": 1, "media_servers": 1, "storage_servers": 1}
			want[tt.collector] = 0
			checkSeries(t, mfs, "nbu_collector_success", want)
			family := map[string]string{"jobs": "nbu_jobs_count", "storage": "nbu_storage_info", "disk_pools": "nbu_disk_pool_up",
				"tape": "nbu_tape_drives_count", "media_servers": "nbu_media_server_up", "storage_servers": "nbu_storage_server_up"}
			for c, name := range family {
				if c != tt.collector && mfs[name] == nil {
					t.Errorf("%s (collector %s) missing", name, c)
				}
			}
			if tt.stillThere != "" && mfs[tt.stillThere] == nil {
				t.Errorf("%s missing: the endpoints of %s that answered should still be reported", tt.stillThere, tt.collector)
			}
		})
	}
}

// A primary without tape or disk pools answers empty lists: success, no device series.
func TestEmptyDeviceListsAreSuccessWithoutSeries(t *testing.T) {
	_, srv := newFake(t, fakenbu.Options{})
	env := newTestEnv(t, mustConfig(t, deviceModulesYAML))
	mfs := probeDevices(t, env, "devices", srv.URL+"/netbackup")
	checkSeries(t, mfs, "nbu_collector_success", map[string]float64{"disk_pools": 1, "tape": 1, "media_servers": 1})
	for name := range mfs {
		for _, prefix := range []string{"nbu_disk_pool_", "nbu_tape_", "nbu_media_server_", "nbu_collector_endpoint_skipped"} {
			if strings.HasPrefix(name, prefix) {
				t.Errorf("%s reported for empty lists", name)
			}
		}
	}
}

// A release that lacks an endpoint answers 404 or 501: the collector is skipped, not failed.
func TestMissingDeviceEndpointSkipsItsCollector(t *testing.T) {
	fake, target := newDeviceFake(t, fakenbu.Options{})
	fake.FailEndpoint("/config/media-servers", http.StatusNotFound)
	fake.FailEndpoint("/storage/disk-pools", http.StatusNotImplemented)
	fake.FailEndpoint("/storage/robots-device-hosts", http.StatusNotFound)
	env := newTestEnv(t, mustConfig(t, deviceModulesYAML))
	mfs := probeDevices(t, env, "devices", target)
	if v := sumFamily(mfs, "probe_success", nil); v != 1 {
		t.Errorf("probe_success = %v, want 1; logs:\n%s", v, env.logs)
	}
	checkSeries(t, mfs, "nbu_collector_skipped", map[string]float64{"disk_pools": 1, "media_servers": 1})
	checkSeries(t, mfs, "nbu_collector_success", map[string]float64{"tape": 1})
	checkSeries(t, mfs, "nbu_collector_endpoint_skipped", map[string]float64{"tape|/storage/robots-device-hosts": 1})
}

func TestDefaultCollectors(t *testing.T) {
	m := Schema().DefaultModule()
	if want := []string{"jobs", "storage", "disk_pools", "tape", "media_servers", "storage_servers"}; !slices.Equal(m.Collectors, want) {
		t.Errorf("default collectors = %v, want %v", m.Collectors, want)
	}
	if c := mustConfig(t, deviceModulesYAML).Modules["all"]; !slices.Equal(c.Collectors, m.Collectors) {
		t.Errorf("a module without collectors: gets %v", c.Collectors)
	}
}

// Each device collector is cached for its own cache_ttl (5m, 5m, 10m by default), and a cached
// answer keeps its fetch time.
func TestDeviceCachesFollowTheirTTL(t *testing.T) {
	fake, target := newDeviceFake(t, fakenbu.Options{})
	c := newClock(fixtureNow)
	env := newTestEnvAt(t, mustConfig(t, deviceModulesYAML), c)
	probeDevices(t, env, "devices", target)
	fetched := float64(fixtureNow.Unix())
	for _, tt := range []struct {
		advance  time.Duration
		requests map[string]float64 // nbu_collector_requests after the advance
		scraped  map[string]float64 // nbu_last_scrape_timestamp_seconds
	}{
		{4 * time.Minute, map[string]float64{"disk_pools": 0, "tape": 0, "media_servers": 0},
			map[string]float64{"disk_pools": fetched, "tape": fetched, "media_servers": fetched}},
		{2 * time.Minute, map[string]float64{"disk_pools": 1, "tape": 6, "media_servers": 0},
			map[string]float64{"disk_pools": fetched + 360, "tape": fetched + 360, "media_servers": fetched}},
		{5 * time.Minute, map[string]float64{"disk_pools": 1, "tape": 6, "media_servers": 1},
			map[string]float64{"disk_pools": fetched + 660, "tape": fetched + 660, "media_servers": fetched + 660}},
	} {
		c.Advance(tt.advance)
		mfs := probeDevices(t, env, "devices", target)
		checkSeries(t, mfs, "nbu_collector_requests", tt.requests)
		checkSeries(t, mfs, "nbu_last_scrape_timestamp_seconds", tt.scraped)
	}
	if fake.Requests("/config/media-servers") != 2 {
		t.Errorf("media servers read %d times in 11 minutes, want 2", fake.Requests("/config/media-servers"))
	}
}
