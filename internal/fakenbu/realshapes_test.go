package fakenbu

import (
	"encoding/json"
	"net/url"
	"os"
	"testing"
	"time"
)

const realShapesDir = "../../nbu/testdata/realprimaries"

func TestShapeFile(t *testing.T) {
	for in, want := range map[string]string{
		"/storage/disk-pools":                 "storage_disk-pools.json",
		"/storage/disk-pools/PureDisk_dp-01":  "storage_disk-pools_PureDisk_dp-01.json",
		"/config/policies/":                   "config_policies.json",
		"/malware/latest-scan-results":        "malware_latest-scan-results.json",
		"/storage/robots-device-hosts":        "storage_robots-device-hosts.json",
		"/config/policies/name with a space":  "config_policies_name with a space.json",
		"/admin/jobs/5":                       "admin_jobs_5.json",
		"/catalog/images":                     "catalog_images.json",
		"/storage/tape-volume-pools":          "storage_tape-volume-pools.json",
		"/manage/alerts":                      "manage_alerts.json",
		"/config/media-servers":               "config_media-servers.json",
		"/storage/storage-units":              "storage_storage-units.json",
		"/storage/drives":                     "storage_drives.json",
		"/storage/tape-media":                 "storage_tape-media.json",
		"/storage/disk-pools/AdvancedDisk_x1": "storage_disk-pools_AdvancedDisk_x1.json",
	} {
		if got := ShapeFile(in); got != want {
			t.Errorf("ShapeFile(%q) = %q, want %q", in, got, want)
		}
	}
}

// In real-shapes mode an endpoint with a document answers it as is, whatever the query; one
// without answers as usual; the jobs come without a top-level meta, ids as numbers and statuses
// as strings.
func TestRealShapesMode(t *testing.T) {
	s, ts := newTestServer(t, Options{RealShapes: os.DirFS(realShapesDir)})
	s.SetJobs(GenerateJobs(1, 30, time.Hour, testNow))
	s.SetDiskPools([]DiskPool{{Name: "dp-fake", SType: "PureDisk", DiskPoolState: "UP", UsableSizeBytes: 10}})
	for _, path := range []string{"/storage/disk-pools", "/storage/disk-pools/PureDisk_dp-msdp-01", "/catalog/images"} {
		want, err := os.ReadFile(realShapesDir + "/" + ShapeFile(path))
		if err != nil {
			t.Fatal(err)
		}
		r := do(t, ts, "/netbackup"+path, url.Values{"page[limit]": {"1"}, "filter": {"anything"}}, nil)
		if r.status != 200 || string(r.body) != string(want) {
			t.Errorf("GET %s: %d %s, want the document", path, r.status, r.body)
		}
	}
	// No document: the fake's own pools, by their id.
	if r := do(t, ts, "/netbackup/storage/disk-pools/dp-fake", nil, nil); r.status != 200 {
		t.Errorf("GET a pool without a document: %d %s", r.status, r.body)
	}
	if r := do(t, ts, "/netbackup/storage/disk-pools/dp-none", nil, nil); r.status != 404 {
		t.Errorf("GET an unknown pool: %d, want 404", r.status)
	}
	// Authentication still comes first.
	if r := do(t, ts, "/netbackup/storage/disk-pools", nil, map[string]string{"Authorization": "wrong"}); r.status != 401 {
		t.Errorf("a wrong key got %d", r.status)
	}

	r := do(t, ts, "/netbackup/admin/jobs", url.Values{"page[limit]": {"100"}}, nil)
	var page map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &page); err != nil || r.status != 200 {
		t.Fatalf("jobs page: %d %v", r.status, err)
	}
	if _, ok := page["meta"]; ok {
		t.Error("the jobs page has a top-level meta")
	}
	var data []struct {
		ID   json.RawMessage `json:"id"`
		Meta struct {
			Page struct {
				Cursor string `json:"cursor"`
			} `json:"page"`
		} `json:"meta"`
		Attributes map[string]json.RawMessage `json:"attributes"`
	}
	if err := json.Unmarshal(page["data"], &data); err != nil || len(data) != 30 {
		t.Fatalf("%d jobs, %v", len(data), err)
	}
	spellings := map[string]bool{}
	for _, d := range data {
		if d.ID[0] == '"' || d.Meta.Page.Cursor == "" || d.Attributes["status"][0] != '"' ||
			string(d.Attributes["acceleratorOptimization"]) != "0.0" {
			t.Fatalf("job %s: id, cursor, status or acceleratorOptimization not as real primaries send them: %s %+v", d.ID, d.Meta.Page.Cursor, d.Attributes)
		}
		var pt string
		_ = json.Unmarshal(d.Attributes["policyType"], &pt)
		spellings[pt] = true
	}
	if !spellings["Standard"] || !spellings["STANDARD"] {
		t.Errorf("policy types %v: want both spellings", spellings)
	}
}
