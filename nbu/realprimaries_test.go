package nbu

import (
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"sync"
	"testing"
	"time"
)

// The documents of testdata/realprimaries are shaped as real primaries send them (see the README
// there): each decodes, absent fields are not Known, and enum values come out in the spec's
// spelling.

func realShape(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/realprimaries/" + file)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// shapeServer answers every request with one file of testdata/realprimaries.
func shapeServer(t *testing.T, file string) http.Handler {
	body := realShape(t, file)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, body) })
}

func TestRealPrimaryInventories(t *testing.T) {
	some := Some[int64]
	for _, tt := range []struct {
		file string
		get  func(*Client) (any, error)
		want any
	}{
		{"storage_storage-units.json", func(c *Client) (any, error) { return c.StorageUnits(testCtx(t), 0) }, []StorageUnit{
			{Name: "stu-primary-01", StorageType: "DISK", StorageSubType: "PureDisk", StorageServerType: "PureDisk",
				StorageCategory: "PRIMARY", FreeCapacityBytes: some(400e9), TotalCapacityBytes: some(1000e9),
				UsedCapacityBytes: some(600e9), MaxConcurrentJobs: some(20), MaxFragmentSizeMegabytes: some(51200),
				IsCloudSTU: Some(false), WormCapable: Some(false), UseWorm: Some(false), ReplicationCapable: Some(true),
				InstantAccessEnabled: Some(false), Accelerator: Some(false)},
			{Name: "stu-adv-nocap", StorageType: "DISK", StorageSubType: "AdvancedDisk", StorageServerType: "AdvancedDisk",
				StorageCategory: "ADVANCED_DISK", MaxConcurrentJobs: some(4)},
			{Name: "stu-tape-01", StorageType: "Tape", StorageSubType: "hcart3", StorageCategory: "TAPE", MaxConcurrentDrives: some(2)},
		}},
		{"storage_disk-pools.json", func(c *Client) (any, error) { return c.DiskPools(testCtx(t), 0) }, []DiskPool{
			{ID: "PureDisk_dp-msdp-01", Name: "dp-msdp-01", SType: "PureDisk", StorageCategory: "MSDP", DiskPoolState: "UP",
				DiskVolumes: []DiskVolume{{Name: "PureDiskVolume", ID: "PureDisk:PureDiskVolume", DiskMediaID: "@aaaab",
					State: "UP", RawSizeBytes: some(2000e9), FreeSizeBytes: some(1200e9)}}},
			{ID: "AdvancedDisk_dp-adv-01", Name: "dp-adv-01", SType: "AdvancedDisk", StorageCategory: "ADVANCED_DISK",
				DiskPoolState: "DOWN", DiskVolumes: []DiskVolume{{Name: "/advdisk/vol1", State: "DOWN", RawSizeBytes: some(500e9)},
					{Name: "/advdisk/vol2"}}},
			{Name: "dp-noid", SType: "PureDisk", StorageCategory: "MSDP", DiskPoolState: "UP"},
		}},
		{"storage_disk-pools_PureDisk_dp-msdp-01.json", func(c *Client) (any, error) {
			return c.DiskPoolDetail(testCtx(t), "PureDisk_dp-msdp-01")
		}, DiskPool{ID: "PureDisk_dp-msdp-01", Name: "dp-msdp-01", SType: "PureDisk", StorageCategory: "MSDP", DiskPoolState: "UP",
			RawSizeBytes: some(2000e9), UsableSizeBytes: some(1900e9), AvailableSpaceBytes: some(1200e9),
			UsedCapacityBytes: some(700e9), HighWaterMark: some(98), LowWaterMark: some(80),
			DiskVolumes: []DiskVolume{{Name: "PureDiskVolume", ID: "PureDisk:PureDiskVolume", DiskMediaID: "@aaaab",
				State: "UP", RawSizeBytes: some(2000e9), FreeSizeBytes: some(1200e9)}}}},
		{"storage_disk-pools_AdvancedDisk_dp-adv-01.json", func(c *Client) (any, error) {
			return c.DiskPoolDetail(testCtx(t), "AdvancedDisk_dp-adv-01")
		}, DiskPool{ID: "AdvancedDisk_dp-adv-01", Name: "dp-adv-01", SType: "AdvancedDisk", StorageCategory: "ADVANCED_DISK",
			DiskPoolState: "DOWN", HighWaterMark: some(95), LowWaterMark: some(80)}},
		{"storage_drives.json", func(c *Client) (any, error) { return c.Drives(testCtx(t), 0) }, []Drive{
			{Name: "IBM.ULT3580-HH8.000", DriveType: "DT_HCART3", RobotType: "TLD", RobotNumber: "0", DriveStatus: "DRIVE_STATUS_UP",
				DeviceHost: "media-01.example.com", Paths: []DrivePath{{DeviceHost: "media-01.example.com",
					DriveName: "IBM.ULT3580-HH8.000", DevicePath: "/dev/nst0", PathStatus: "PATH_STATUS_UP", Enabled: true}}},
			{Name: "IBM.ULT3580-HH8.001", DriveType: "DT_HCART3", RobotType: "TLD", RobotNumber: "0", DeviceHost: "media-01.example.com"},
		}},
		{"storage_tape-media.json", func(c *Client) (any, error) {
			var out []TapeMedium
			_, err := c.TapeMedia(testCtx(t), 0, func(m *TapeMedium) error { out = append(out, *m); return nil })
			return out, err
		}, []TapeMedium{
			{ID: "A00001", Barcode: "A00001L8", MediaType: "HCART3", RobotType: "TLD", RobotNumber: "0",
				RobotHost: "media-01.example.com", VolumeGroup: "000_00000_TLD", VolumePool: "NetBackup", MediaStatus: "ACTIVE",
				KiloBytes: some(104857600), Images: some(12), ValidImages: some(12)},
			{ID: "A00002", Barcode: "A00002L8", MediaType: "HCART3", RobotType: "TLD", RobotNumber: "0",
				VolumeGroup: "000_00000_TLD", VolumePool: "Scratch"},
			{ID: "A00003", Barcode: "A00003L8", MediaType: "HCART3", RobotType: "TLD", RobotNumber: "0",
				VolumeGroup: "000_00000_TLD", VolumePool: "Scratch"},
		}},
		{"storage_tape-volume-pools.json", func(c *Client) (any, error) { return c.VolumePools(testCtx(t), 0) }, []VolumePool{
			{ID: "0", Name: "None", PoolType: "REGULAR_MEDIA_POOL", PartiallyFullMedia: some(0)},
			{ID: "1", Name: "NetBackup", Description: "the default pool", PoolType: "REGULAR_MEDIA_POOL", PartiallyFullMedia: some(3)},
			{ID: "4", Name: "Scratch", PoolType: "SCRATCH_MEDIA_POOL"},
			{ID: "3", Name: "CatalogBackup", PoolType: "CATALOG_MEDIA_POOL", PartiallyFullMedia: some(1)},
		}},
		{"storage_robots-device-hosts.json", func(c *Client) (any, error) { return c.RobotDeviceHosts(testCtx(t)) },
			[]string{"media-01.example.com"}},
		{"config_media-servers.json", func(c *Client) (any, error) { return c.MediaServers(testCtx(t), 0) }, []MediaServer{
			{Name: "media-01.example.com", OSType: "Linux", OSVersion: "5.14.0-362.8.1.el9_3.x86_64", NBUVersion: "10.3",
				Status: "ACTIVE_FOR_TAPE_AND_DISK"},
		}},
		{"config_policies.json", func(c *Client) (any, error) { return c.Policies(testCtx(t), 0) }, []Policy{
			{Name: "vm-gold", Type: "VMWARE", Active: Some(true)},
			{Name: "vm-silver", Type: "VMWARE", Active: Some(false)},
			{Name: "win-fs", Type: "WINDOWS_NT"},
			{Name: "fs-daily", Type: "STANDARD", Active: Some(true)},
		}},
		{"config_policies_win-fs.json", func(c *Client) (any, error) { return c.PolicyDetail(testCtx(t), "win-fs") },
			PolicyDetail{Policy: Policy{Name: "win-fs", Type: "WINDOWS_NT"}, Clients: []string{"win-01.example.com"}}},
		{"catalog_images.json", func(c *Client) (any, error) { return c.CatalogImageCount(testCtx(t), "malwareStatus eq 'CLEAN'") },
			int64(0)},
		{"manage_alerts.json", func(c *Client) (any, error) {
			var out []Alert
			err := c.Alerts(testCtx(t), AlertsQuery{}, func(a *Alert) error { out = append(out, *a); return nil })
			return out, err
		}, []Alert{
			{ID: "17", Severity: "WARNING", Category: "JOB", SubCategory: "JOB_FAILURE", Context: "job 1234 failed with status 96",
				Created: time.Date(2026, 11, 26, 10, 15, 0, 0, time.UTC)},
			{Severity: "ERROR", Category: "JOB", SubCategory: "JOB_FAILURE", Context: "job 1240 failed with status 58",
				Created: time.Date(2026, 11, 26, 10, 45, 0, 0, time.UTC)},
		}},
		{"malware_latest-scan-results.json", func(c *Client) (any, error) {
			var out []ScanResult
			err := c.LatestScanResults(testCtx(t), "", 0, func(r *ScanResult) error { out = append(out, *r); return nil })
			return out, err
		}, []ScanResult{
			{ID: "41", Client: "client-a.example.com", ScanState: "SCAN_COMPLETED", ScanResult: "CLEAN", FilesScanned: some(15000),
				FilesImpacted: some(0), DateOfScan: time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)},
			{ID: "42", Client: "client-b.example.com", ScanState: "SCAN_FAILED", ScanResult: "NOT_SCANNED"},
		}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			c, _, _ := newTestClient(t, shapeServer(t, tt.file), nil)
			got, err := tt.get(c)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("decoded\n %+v\nwant\n %+v", got, tt.want)
			}
		})
	}
}

// The "Getting Started" guide's job answer: data a single object, fields outside the schema, a
// scheduleType outside the enum, acceleratorOptimization a float.
func TestRealPrimaryJobAnswer(t *testing.T) {
	c, _, _ := newTestClient(t, shapeServer(t, "admin_jobs_5.json"), nil)
	var got []Job
	if _, err := c.Jobs(testCtx(t), JobsQuery{}, func(j *Job) error { got = append(got, *j); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []Job{{ID: "5", JobID: 5, JobType: "BACKUP", PolicyType: "STANDARD", PolicyName: "fs-daily",
		ClientName: "client-a.example.com", ScheduleType: "FULL", State: "DONE", KilobytesTransferred: 51200, NumberOfFiles: 320,
		StartTime: time.Date(2018, 6, 26, 8, 0, 0, 0, time.UTC), EndTime: time.Date(2018, 6, 26, 8, 0, 30, 0, time.UTC),
		LastUpdateTime: time.Date(2018, 6, 26, 8, 0, 31, 0, time.UTC)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("jobs =\n %+v\nwant\n %+v", got, want)
	}
}

// A jobs page as real primaries send it: ids as numbers, status as a string, the policy type in
// two spellings (the exporter normalises it, the client passes it on as sent).
func TestRealPrimaryJobsPage(t *testing.T) {
	c, _, _ := newTestClient(t, shapeServer(t, "jobs_page_no_meta_2.json"), nil)
	var got []Job
	if _, err := c.Jobs(testCtx(t), JobsQuery{PageSize: 3}, func(j *Job) error { got = append(got, *j); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != "104" || got[0].JobID != 104 || got[0].Status != 1 || got[0].PolicyType != "NBU_CATALOG" {
		t.Errorf("jobs = %+v", got)
	}
}

// A full jobs page without a top-level meta is followed after its last record's cursor: the
// jobs of the second page are read too.
func TestRealPrimaryJobsPagesWithoutMeta(t *testing.T) {
	pages := map[string]string{"": realShape(t, "jobs_page_no_meta.json"), "MTAz": realShape(t, "jobs_page_no_meta_2.json")}
	var mu sync.Mutex
	var afters []string
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		after := r.URL.Query().Get("page[after]")
		mu.Lock()
		afters = append(afters, after)
		mu.Unlock()
		body, ok := pages[after]
		if !ok {
			writeJSON(w, 400, errorJSON(400, "no such cursor"))
			return
		}
		writeJSON(w, 200, body)
	}), nil)
	var got []Job
	st, err := c.Jobs(testCtx(t), JobsQuery{PageSize: 3}, func(j *Job) error { got = append(got, *j); return nil })
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, j := range got {
		ids = append(ids, j.JobID)
	}
	if !reflect.DeepEqual(ids, []int64{101, 102, 103, 104}) || st.Pages != 2 {
		t.Errorf("jobs %v in %d pages (afters %q), want 101..104 in 2", ids, st.Pages, afters)
	}
	if got[0].PolicyType != "VMware" || got[1].PolicyType != "VMWARE" || got[0].Status != 0 || got[0].DedupRatio != 7.5 {
		t.Errorf("first jobs = %+v", got[:2])
	}
}

// The /login answer: the token it gives is what the client sends.
func TestRealPrimaryLoginAnswer(t *testing.T) {
	var ans struct {
		Token string `json:"token"`
	}
	body := realShape(t, "login.json")
	if err := json.Unmarshal([]byte(body), &ans); err != nil || ans.Token == "" {
		t.Fatalf("login.json: %v", err)
	}
	var mu sync.Mutex
	var auth []string
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/netbackup/login" {
			writeJSON(w, 201, body)
			return
		}
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		mu.Unlock()
		writeJSON(w, 200, `{"data":[]}`)
	}), func(o *Options) { o.APIKey, o.Login = "", loginUser })
	if _, err := c.StorageUnits(testCtx(t), 0); err != nil {
		t.Fatal(err)
	}
	if len(auth) != 1 || auth[0] != ans.Token {
		t.Errorf("Authorization sent: %q, want the login answer's token", auth)
	}
}
