package nbu

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// offsetServer serves pages keyed by the requested page[offset].
type offsetServer struct {
	mu      sync.Mutex
	path    string
	pages   map[string]string
	offsets []string
	limits  []string
}

func (s *offsetServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	s.offsets = append(s.offsets, q.Get("page[offset]"))
	s.limits = append(s.limits, q.Get("page[limit]"))
	s.mu.Unlock()
	if s.path != "" && r.URL.Path != s.path {
		writeJSON(w, 404, errorJSON(1, "wrong path "+r.URL.Path))
		return
	}
	body, ok := s.pages[q.Get("page[offset]")]
	if !ok {
		writeJSON(w, 400, errorJSON(1, "unexpected offset"))
		return
	}
	writeJSON(w, 200, body)
}

func offsetPage(offset, limit int, next string, count int, records ...string) string {
	nextField := ""
	if next != "" {
		nextField = `,"next":` + next
	}
	return fmt.Sprintf(`{"data":[%s],"links":{},"meta":{"pagination":{"count":%d,"offset":%d,"limit":%d,"first":0,"page":%d%s}}}`,
		strings.Join(records, ","), count, offset, limit, offset/limit+1, nextField)
}

func suJSON(name string) string {
	return fmt.Sprintf(`{"type":"storageUnit","id":%q,"attributes":{"name":%q,"storageType":"DISK","storageSubType":"PureDisk",
	"storageServerType":"PureDisk","storageCategory":"MSDP","freeCapacityBytes":1000,"totalCapacityBytes":"3000","usedCapacityBytes":2000.0,
	"maxConcurrentJobs":20,"maxFragmentSizeMegabytes":51200,"isCloudSTU":false,"wormCapable":"true","useWorm":1,
	"replicationCapable":true,"instantAccessEnabled":true,"accelerator":true,"mediaServerDetails":[{"name":"m1"}]}}`, name, name)
}

func TestStorageUnitsOffsetPaging(t *testing.T) {
	s := &offsetServer{path: "/netbackup/storage/storage-units", pages: map[string]string{
		"0": offsetPage(0, 2, "2", 5, suJSON("a"), suJSON("b")),
		"2": offsetPage(2, 2, `"4"`, 5, suJSON("c"), suJSON("d")), // next as a string
		"4": offsetPage(4, 2, "", 5, suJSON("e")),
	}}
	c, _, _ := newTestClient(t, s, nil)
	sus, err := c.StorageUnits(testCtx(t), 2)
	assertNoKey(t, err)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, su := range sus {
		names = append(names, su.Name)
	}
	if !slices.Equal(names, []string{"a", "b", "c", "d", "e"}) {
		t.Errorf("names = %v", names)
	}
	if !slices.Equal(s.offsets, []string{"0", "2", "4"}) || !slices.Equal(s.limits, []string{"2", "2", "2"}) {
		t.Errorf("offsets = %v, limits = %v", s.offsets, s.limits)
	}
	want := StorageUnit{Name: "a", StorageType: "DISK", StorageSubType: "PureDisk", StorageServerType: "PureDisk",
		StorageCategory: "MSDP", FreeCapacityBytes: Some[int64](1000), TotalCapacityBytes: Some[int64](3000),
		UsedCapacityBytes: Some[int64](2000), MaxConcurrentJobs: Some[int64](20), MaxFragmentSizeMegabytes: Some[int64](51200),
		IsCloudSTU: Some(false), WormCapable: Some(true), UseWorm: Some(true), ReplicationCapable: Some(true),
		InstantAccessEnabled: Some(true), Accelerator: Some(true)}
	if sus[0] != want {
		t.Errorf("unit =\n %+v\nwant\n %+v", sus[0], want)
	}
}

func TestStorageUnitsTapeAndFallbacks(t *testing.T) {
	body := `{"data":[
	  {"id":"tape_stu","attributes":{"storageCategory":"TAPE","maxConcurrentDrives":4,"isCloudSTU":"false"}},
	  "garbage",
	  {"id":"cloud","attributes":{"name":"cloud","isCloudSTU":true,"freeCapacityBytes":null}}
	]}`
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, body) }), nil)
	sus, err := c.StorageUnits(testCtx(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []StorageUnit{
		{Name: "tape_stu", StorageCategory: "TAPE", MaxConcurrentDrives: Some[int64](4), IsCloudSTU: Some(false)},
		{Name: "cloud", IsCloudSTU: Some(true)},
	}
	if !slices.Equal(sus, want) {
		t.Errorf("units = %+v, want %+v", sus, want)
	}
}

func TestDiskPoolsOffsetPaging(t *testing.T) {
	dp := func(id, name string) string {
		return fmt.Sprintf(`{"type":"diskPool","id":%q,"attributes":{"name":%q,"sType":"PureDisk","storageCategory":"MSDP",
		"diskPoolState":"UP","rawSizeBytes":100,"usableSizeBytes":"90","availableSpaceBytes":40.7,"usedCapacityBytes":50,
		"highWaterMark":98,"lowWaterMark":"80","diskVolumes":[{"name":"v","state":"UP"}],"maximumIoStreams":{"limitIoStreams":false}}}`, id, name)
	}
	s := &offsetServer{path: "/netbackup/storage/disk-pools", pages: map[string]string{
		"0":   offsetPage(0, 500, "500", 501, dp("id1", "p1")),
		"500": offsetPage(500, 500, "", 501, dp("id2", "p2")),
	}}
	c, _, _ := newTestClient(t, s, nil)
	dps, err := c.DiskPools(testCtx(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.offsets, []string{"0", "500"}) || s.limits[0] != "500" {
		t.Errorf("offsets = %v, limits = %v", s.offsets, s.limits)
	}
	want := []DiskPool{
		{ID: "id1", Name: "p1", SType: "PureDisk", StorageCategory: "MSDP", DiskPoolState: "UP", RawSizeBytes: Some[int64](100),
			UsableSizeBytes: Some[int64](90), AvailableSpaceBytes: Some[int64](40), UsedCapacityBytes: Some[int64](50),
			HighWaterMark: Some[int64](98), LowWaterMark: Some[int64](80),
			DiskVolumes: []DiskVolume{{Name: "v", State: "UP"}}},
		{ID: "id2", Name: "p2", SType: "PureDisk", StorageCategory: "MSDP", DiskPoolState: "UP", RawSizeBytes: Some[int64](100),
			UsableSizeBytes: Some[int64](90), AvailableSpaceBytes: Some[int64](40), UsedCapacityBytes: Some[int64](50),
			HighWaterMark: Some[int64](98), LowWaterMark: Some[int64](80),
			DiskVolumes: []DiskVolume{{Name: "v", State: "UP"}}},
	}
	if !reflect.DeepEqual(dps, want) {
		t.Errorf("pools =\n %+v\nwant\n %+v", dps, want)
	}
}

func TestOffsetPagingStops(t *testing.T) {
	tests := []struct {
		name     string
		pageSize int
		pages    map[string]string
		wantReqs []string
		wantErr  string
		wantN    int
	}{
		{name: "next equals the current offset", pageSize: 1, pages: map[string]string{
			"0": offsetPage(0, 1, "1", 9, suJSON("a")),
			"1": offsetPage(1, 1, "1", 9, suJSON("b")),
		}, wantReqs: []string{"0", "1"}, wantErr: "does not advance"},
		{name: "next goes backwards", pageSize: 1, pages: map[string]string{
			"0": offsetPage(0, 1, "3", 9, suJSON("a")),
			"3": offsetPage(3, 1, "2", 9, suJSON("b")),
		}, wantReqs: []string{"0", "3"}, wantErr: "does not advance"},
		{name: "next 0 on the last page", pageSize: 1, pages: map[string]string{
			"0": offsetPage(0, 1, "1", 2, suJSON("a")),
			"1": offsetPage(1, 1, "0", 2, suJSON("b")),
		}, wantReqs: []string{"0", "1"}, wantN: 2},
		{name: "empty page with a next", pageSize: 1, pages: map[string]string{
			"0": offsetPage(0, 1, "1", 0, suJSON("a")),
			"1": offsetPage(1, 1, "2", 0),
		}, wantReqs: []string{"0", "1"}, wantN: 1},
		{name: "next past count", pageSize: 1, pages: map[string]string{
			"0": offsetPage(0, 1, "1", 1, suJSON("a")),
		}, wantReqs: []string{"0"}, wantN: 1},
		{name: "next null", pageSize: 1, pages: map[string]string{
			"0": `{"data":[` + suJSON("a") + `],"meta":{"pagination":{"next":null}}}`,
		}, wantReqs: []string{"0"}, wantN: 1},
		{name: "next not a number", pageSize: 1, pages: map[string]string{
			"0": `{"data":[` + suJSON("a") + `],"meta":{"pagination":{"next":"later"}}}`,
		}, wantReqs: []string{"0"}, wantN: 1},
		{name: "page size capped at 500", pageSize: 10000, pages: map[string]string{
			"0": offsetPage(0, 500, "", 1, suJSON("a")),
		}, wantReqs: []string{"0"}, wantN: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &offsetServer{pages: tt.pages}
			c, _, _ := newTestClient(t, s, nil)
			sus, err := c.StorageUnits(testCtx(t), tt.pageSize)
			assertNoKey(t, err)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "/storage/storage-units") {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
			} else if err != nil || len(sus) != tt.wantN {
				t.Fatalf("units = %d, err = %v; want %d", len(sus), err, tt.wantN)
			}
			if !slices.Equal(s.offsets, tt.wantReqs) {
				t.Errorf("offsets requested = %v, want %v", s.offsets, tt.wantReqs)
			}
			if want := strconv.Itoa(min(tt.pageSize, 500)); s.limits[0] != want {
				t.Errorf("page[limit] = %s, want %s", s.limits[0], want)
			}
		})
	}
}
