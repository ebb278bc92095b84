package fakenbu

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
)

type wireOffset struct {
	Data []struct {
		Type          string         `json:"type"`
		ID            string         `json:"id"`
		Attributes    map[string]any `json:"attributes"`
		Relationships map[string]struct {
			Data any `json:"data"`
		} `json:"relationships"`
	} `json:"data"`
	Links map[string]struct {
		Href string `json:"href"`
	} `json:"links"`
	Meta struct {
		Pagination map[string]any `json:"pagination"`
	} `json:"meta"`
}

func manyUnits(n int) []StorageUnit {
	out := make([]StorageUnit, n)
	for i := range out {
		out[i] = StorageUnit{Name: fmt.Sprintf("stu-%02d", i), StorageCategory: "MSDP", TotalCapacityBytes: int64(i + 1)}
	}
	return out
}

func TestOffsetPaging(t *testing.T) {
	s, ts := newTestServer(t, Options{})
	const n = 23
	s.SetStorageUnits(manyUnits(n))
	for _, limit := range []int{1, 5, 10, 23, 500} {
		t.Run(strconv.Itoa(limit), func(t *testing.T) {
			var names []string
			offset := 0
			pages := (n + limit - 1) / limit
			for page := 1; ; page++ {
				q := url.Values{"page[limit]": {strconv.Itoa(limit)}, "page[offset]": {strconv.Itoa(offset)}}
				r := do(t, ts, "/netbackup/storage/storage-units", q, nil)
				if r.status != http.StatusOK {
					t.Fatalf("status %d: %s", r.status, r.body)
				}
				p := decode[wireOffset](t, r)
				pg := p.Meta.Pagination
				want := map[string]any{"count": float64(n), "pages": float64(pages), "page": float64(page),
					"offset": float64(offset), "limit": float64(limit), "first": float64(0), "last": float64((pages - 1) * limit)}
				for k, v := range want {
					if pg[k] != v {
						t.Errorf("page %d: pagination.%s = %v, want %v", page, k, pg[k], v)
					}
				}
				if prev, ok := pg["prev"]; ok != (page > 1) || (ok && prev != float64(max(offset-limit, 0))) {
					t.Errorf("page %d: prev = %v (present %v)", page, prev, ok)
				}
				for _, d := range p.Data {
					if d.Type != "storageUnit" || d.ID != d.Attributes["name"] {
						t.Errorf("record type/id = %s/%s", d.Type, d.ID)
					}
					names = append(names, d.ID)
				}
				next, ok := pg["next"].(float64)
				if !ok {
					if page != pages {
						t.Fatalf("next absent on page %d of %d", page, pages)
					}
					if p.Links["next"].Href != "" {
						t.Errorf("last page has links.next")
					}
					break
				}
				if next != float64(offset+limit) {
					t.Fatalf("next = %v, want %d", next, offset+limit)
				}
				offset = int(next)
			}
			var want []string
			for _, u := range manyUnits(n) {
				want = append(want, u.Name)
			}
			if !slices.Equal(names, want) {
				t.Errorf("names = %v, want %v", names, want)
			}
		})
	}
}

func TestOffsetPagingBadRequests(t *testing.T) {
	_, ts := newTestServer(t, Options{})
	for _, ep := range []string{"/netbackup/storage/storage-units", "/netbackup/storage/disk-pools"} {
		for _, q := range []url.Values{
			{"page[limit]": {"0"}},
			{"page[limit]": {"501"}},
			{"page[limit]": {"x"}},
			{"page[offset]": {"-1"}},
			{"page[offset]": {"1.5"}},
			{"sort": {"storageType"}},
			{"filter": {"name gt 'a'"}},
			{"filter": {"wormCapable eq 'true'"}},
		} {
			checkError(t, do(t, ts, ep, q, nil), http.StatusBadRequest)
		}
	}
}

func TestOffsetPagingBeyondEnd(t *testing.T) {
	s, ts := newTestServer(t, Options{})
	s.SetStorageUnits(manyUnits(3))
	p := decode[wireOffset](t, do(t, ts, "/netbackup/storage/storage-units", url.Values{"page[offset]": {"10"}}, nil))
	if len(p.Data) != 0 || p.Meta.Pagination["next"] != nil || p.Meta.Pagination["count"] != float64(3) {
		t.Errorf("beyond end: %d records, pagination %v", len(p.Data), p.Meta.Pagination)
	}
	s.SetStorageUnits(nil)
	p = decode[wireOffset](t, do(t, ts, "/netbackup/storage/storage-units", nil, nil))
	if p.Data == nil || len(p.Data) != 0 || p.Meta.Pagination["count"] != float64(0) {
		t.Errorf("empty list: data %v, pagination %v", p.Data, p.Meta.Pagination)
	}
}

func TestStorageUnitAttributes(t *testing.T) {
	s, ts := newTestServer(t, Options{})
	s.SetStorageUnits(DemoStorageUnits())
	p := decode[wireOffset](t, do(t, ts, "/netbackup/storage/storage-units", url.Values{"page[limit]": {"500"}}, nil))
	byName := map[string]map[string]any{}
	for _, d := range p.Data {
		byName[d.ID] = d.Attributes
		if d.Attributes["storageCategory"] != "TAPE" {
			if rel := d.Relationships["diskPool"].Data.(map[string]any); rel["type"] != "diskPool" || rel["id"] == "" {
				t.Errorf("%s: relationships.diskPool.data = %v", d.ID, rel)
			}
		}
	}
	if len(byName) != len(DemoStorageUnits()) {
		t.Fatalf("got %d units", len(byName))
	}
	msdp := byName["stu-msdp-01"]
	for _, k := range []string{"name", "storageType", "storageSubType", "storageServerType", "storageCategory",
		"freeCapacityBytes", "totalCapacityBytes", "usedCapacityBytes", "maxConcurrentJobs", "maxFragmentSizeMegabytes",
		"isCloudSTU", "wormCapable", "useWorm", "replicationCapable", "instantAccessEnabled", "accelerator"} {
		if _, ok := msdp[k]; !ok {
			t.Errorf("stu-msdp-01 lacks %s", k)
		}
	}
	if msdp["totalCapacityBytes"] != float64(100*tib) {
		t.Errorf("totalCapacityBytes = %v", msdp["totalCapacityBytes"])
	}
	tape := byName["stu-tape-hcart"]
	for _, k := range []string{"freeCapacityBytes", "totalCapacityBytes", "usedCapacityBytes", "maxConcurrentJobs"} {
		if _, ok := tape[k]; ok {
			t.Errorf("tape unit has %s", k)
		}
	}
	if tape["maxConcurrentDrives"] != float64(4) {
		t.Errorf("tape maxConcurrentDrives = %v", tape["maxConcurrentDrives"])
	}

	f := decode[wireOffset](t, do(t, ts, "/netbackup/storage/storage-units",
		url.Values{"filter": {"storageCategory ne 'TAPE' and wormCapable eq false"}, "sort": {"-name"}}, nil))
	var names []string
	for _, d := range f.Data {
		names = append(names, d.ID)
	}
	if want := []string{"stu-msdp-01", "stu-cloud-s3", "stu-adv-01"}; !slices.Equal(names, want) {
		t.Errorf("filtered, sorted names = %v, want %v", names, want)
	}
}

func TestDiskPools(t *testing.T) {
	s, ts := newTestServer(t, Options{})
	s.SetDiskPools(DemoDiskPools())
	p := decode[wireOffset](t, do(t, ts, "/netbackup/storage/disk-pools", nil, nil))
	if len(p.Data) != len(DemoDiskPools()) {
		t.Fatalf("got %d pools", len(p.Data))
	}
	for _, d := range p.Data {
		a := d.Attributes
		if d.Type != "diskPool" || d.ID != a["name"] {
			t.Errorf("type/id = %s/%s", d.Type, d.ID)
		}
		for _, k := range []string{"sType", "storageCategory", "diskPoolState", "rawSizeBytes", "usableSizeBytes",
			"availableSpaceBytes", "usedCapacityBytes", "diskVolumes", "maximumIoStreams", "diskPoolCapabilities", "wormCapable", "mediaServersCount"} {
			if _, ok := a[k]; !ok {
				t.Errorf("%s lacks %s", d.ID, k)
			}
		}
		if rel, ok := d.Relationships["storageServers"].Data.([]any); !ok || len(rel) != 1 {
			t.Errorf("%s: relationships.storageServers.data = %v", d.ID, d.Relationships["storageServers"].Data)
		}
	}
	f := decode[wireOffset](t, do(t, ts, "/netbackup/storage/disk-pools", url.Values{"filter": {"storageCategory eq 'MSDP'"}}, nil))
	if len(f.Data) != 2 {
		t.Errorf("MSDP pools = %d, want 2", len(f.Data))
	}
}
