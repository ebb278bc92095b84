package fakenbu

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

const accept10 = "application/vnd.netbackup+json;version=10.0"

// wireCursor is a cursor-paged list page as a client sees it.
type wireCursor struct {
	Data []struct {
		Type       string         `json:"type"`
		ID         string         `json:"id"`
		Attributes map[string]any `json:"attributes"`
	} `json:"data"`
	Meta struct {
		Pagination struct {
			Limit int    `json:"limit"`
			Next  string `json:"next"`
			Prev  string `json:"prev"`
		} `json:"pagination"`
	} `json:"meta"`
}

// walkCursor reads every page of a cursor list at limit and returns the ids in order.
func walkCursor(t *testing.T, do func(q url.Values) wireCursor, limit string) ([]string, int) {
	t.Helper()
	var ids []string
	pages := 0
	q := url.Values{"page[limit]": {limit}}
	for {
		p := do(q)
		pages++
		for _, d := range p.Data {
			ids = append(ids, d.ID)
		}
		if p.Meta.Pagination.Next == "" || pages > 100 {
			return ids, pages
		}
		q.Set("page[after]", p.Meta.Pagination.Next)
	}
}

func TestTapeMediaCursorPaging(t *testing.T) {
	s, ts := newTestServer(t, Options{})
	s.SetTapeMedia(DemoTapeMedia())
	get := func(q url.Values) wireCursor {
		return decode[wireCursor](t, do(t, ts, "/netbackup/storage/tape-media", q, nil))
	}
	ids, pages := walkCursor(t, get, "100")
	var want []string
	for _, m := range s.TapeMedia() {
		want = append(want, m.MediaID)
	}
	if !slices.Equal(ids, want) || pages != 3 {
		t.Errorf("walked %d media in %d pages, want %d in 3", len(ids), pages, len(want))
	}
	first := get(url.Values{})
	if len(first.Data) != 10 || first.Meta.Pagination.Limit != 10 {
		t.Errorf("default page: %d records, limit %d; the spec's default is 10", len(first.Data), first.Meta.Pagination.Limit)
	}
	a := first.Data[0].Attributes
	robot, _ := a["robot"].(map[string]any)
	if first.Data[0].Type != "volumeInfo" || a["volumePool"] != "NetBackup" || robot["robotType"] != "TLD" || a["mediaStatus"] != "ACTIVE" {
		t.Errorf("first medium = %s %v", first.Data[0].Type, a)
	}
	before := get(url.Values{"page[before]": {"AA0005"}, "page[limit]": {"2"}})
	if len(before.Data) != 2 || before.Data[0].ID != "AA0003" || before.Data[1].ID != "AA0004" {
		t.Errorf("page[before] = %+v", before.Data)
	}
	for _, q := range []url.Values{{"page[limit]": {"101"}}, {"page[after]": {"nope"}}, {"filter": {"mediaType eq 'HCART'"}}} {
		checkError(t, do(t, ts, "/netbackup/storage/tape-media", q, nil), 400)
	}
}

func TestVolumePoolsAndRobots(t *testing.T) {
	s, ts := newTestServer(t, Options{})
	s.SetVolumePools(DemoVolumePools())
	s.SetRobotDeviceHosts(DemoRobotDeviceHosts())
	get := func(q url.Values) wireCursor {
		return decode[wireCursor](t, do(t, ts, "/netbackup/storage/tape-volume-pools", q, nil))
	}
	ids, _ := walkCursor(t, get, "4")
	if !slices.Equal(ids, []string{"0", "1", "2", "3", "4", "5"}) {
		t.Errorf("pool ids = %v", ids)
	}
	p := get(url.Values{"page[limit]": {"100"}})
	if a := p.Data[5].Attributes; p.Data[5].Type != "volumePoolDetails" || a["volumePoolName"] != "Scratch_LTO6" ||
		a["poolType"] != "SCRATCH_MEDIA_POOL" || a["partiallyFullMedia"] != 0.0 {
		t.Errorf("pool 5 = %+v", p.Data[5])
	}
	r := decode[wireCursor](t, do(t, ts, "/netbackup/storage/robots-device-hosts", nil, nil))
	if len(r.Data) != 2 || r.Data[0].Type != "deviceHost" || r.Data[0].ID != DemoRobotDeviceHosts()[0] {
		t.Errorf("robots-device-hosts = %+v", r.Data)
	}
}

// Tape media, volume pools and the robots' device hosts are in the specs from
// API 12.0 (NetBackup 10.5) on; drives and media servers in every release.
func TestDeviceEndpointVersionGates(t *testing.T) {
	_, ts := newTestServer(t, Options{})
	for _, tt := range []struct {
		path   string
		status int // for a 10.0 request
	}{
		{"/storage/tape-media", 404}, {"/storage/tape-volume-pools", 404}, {"/storage/robots-device-hosts", 404},
		{"/storage/drives", 200}, {"/config/media-servers", 200}, {"/storage/disk-pools", 200},
	} {
		r := do(t, ts, "/netbackup"+tt.path, nil, map[string]string{"Accept": accept10})
		if tt.status != 200 {
			checkError(t, r, tt.status)
		} else if r.status != 200 {
			t.Errorf("%s at 10.0: HTTP %d", tt.path, r.status)
		}
		if r := do(t, ts, "/netbackup"+tt.path, nil, nil); r.status != 200 {
			t.Errorf("%s at 13.0: HTTP %d %s", tt.path, r.status, r.body)
		}
	}
}

func TestDrives(t *testing.T) {
	s, ts := newTestServer(t, Options{})
	s.SetDrives(DemoDrives())
	checkError(t, do(t, ts, "/netbackup/storage/drives", url.Values{"page[limit]": {"101"}}, nil), 400)
	p := decode[wireOffset](t, do(t, ts, "/netbackup/storage/drives", url.Values{"page[limit]": {"2"}, "page[offset]": {"2"}}, nil))
	if len(p.Data) != 2 || p.Data[0].ID != "HPUltrium8-002" || p.Meta.Pagination["next"] != 4.0 {
		t.Fatalf("page at offset 2 = %+v, meta %v", p.Data, p.Meta.Pagination)
	}
	down := p.Data[0].Attributes
	paths, _ := down["devicePaths"].([]any)
	path, _ := paths[0].(map[string]any)
	if down["driveStatus"] != "DRIVE_STATUS_DOWN" || down["driveControl"] != "DRIVE_CONTROL_DOWN" ||
		path["pathStatus"] != "PATH_STATUS_DOWN" || path["deviceHost"] != demoMedia1 {
		t.Errorf("DOWN drive = %v", down)
	}
	all := decode[wireOffset](t, do(t, ts, "/netbackup/storage/drives", url.Values{"page[limit]": {"100"}}, nil))
	if a := all.Data[0].Attributes; a["deviceHost"] != "<multiple>" || a["sharedDrive"] != true {
		t.Errorf("shared drive = %v", a)
	}
	if all.Data[1].Attributes["cleaningComment"] != "NEEDS CLEANING" {
		t.Errorf("drive needing cleaning = %v", all.Data[1].Attributes)
	}
}

func TestMediaServers(t *testing.T) {
	s, ts := newTestServer(t, Options{})
	s.SetMediaServers(DemoMediaServers())
	p := decode[wireOffset](t, do(t, ts, "/netbackup/config/media-servers", url.Values{"page[limit]": {"500"}}, nil))
	if len(p.Data) != 3 {
		t.Fatalf("got %d media servers", len(p.Data))
	}
	a := p.Data[2].Attributes
	st, _ := a["status"].(map[string]any)
	if p.Data[2].Type != "mediaServer" || a["hostName"] != "media03.example.com" || a["isMachineUp"] != false ||
		st["name"] != "OFFLINE" || a["osType"] != "Windows" {
		t.Errorf("media03 = %v", a)
	}
	checkError(t, do(t, ts, "/netbackup/config/media-servers", url.Values{"page[limit]": {"501"}}, nil), 400)
}

func TestFailEndpoint(t *testing.T) {
	s, ts := newTestServer(t, Options{})
	s.FailEndpoint("/storage/drives", 500)
	w := checkError(t, do(t, ts, "/netbackup/storage/drives", nil, nil), 500)
	if !strings.Contains(strings.Join(w.ErrorDetails, " "), "FailEndpoint") {
		t.Errorf("details = %v", w.ErrorDetails)
	}
	checkError(t, do(t, ts, "/netbackup/storage/drives", nil, map[string]string{"Authorization": "wrong"}), 401)
	s.FailEndpoint("/storage/drives", 0)
	if r := do(t, ts, "/netbackup/storage/drives", nil, nil); r.status != 200 {
		t.Errorf("after restoring: HTTP %d", r.status)
	}
}

// The demo must show what an operator is paged for.
func TestDemoDevices(t *testing.T) {
	has := func(what string, ok bool) {
		if !ok {
			t.Errorf("demo data lacks %s", what)
		}
	}
	pools := DemoDiskPools()
	has("a DOWN disk pool", slices.ContainsFunc(pools, func(p DiskPool) bool { return p.DiskPoolState == "DOWN" }))
	has("a nearly full disk pool", slices.ContainsFunc(pools, func(p DiskPool) bool {
		return p.AvailableSpaceBytes*100 <= p.UsableSizeBytes*(100-p.HighWaterMark)
	}))
	drives := DemoDrives()
	has("a DOWN drive", slices.ContainsFunc(drives, func(d Drive) bool { return d.Status == "DRIVE_STATUS_DOWN" }))
	has("a drive needing cleaning", slices.ContainsFunc(drives, func(d Drive) bool { return d.NeedsCleaning }))
	media := DemoTapeMedia()
	has("frozen media", slices.ContainsFunc(media, func(m TapeMedium) bool { return strings.Contains(m.Status, "FROZEN") }))
	has("media over several pages", len(media) > 2*maxJobsLimit)
	inPool := map[string]int{}
	for _, m := range media {
		inPool[m.VolumePool]++
	}
	has("an empty scratch pool", slices.ContainsFunc(DemoVolumePools(), func(p VolumePool) bool {
		return p.PoolType == "SCRATCH_MEDIA_POOL" && inPool[p.Name] == 0
	}))
	has("a media server down", slices.ContainsFunc(DemoMediaServers(), func(m MediaServer) bool { return !m.Up }))
}
