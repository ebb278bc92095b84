package nbu

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
)

// afterServer serves pages keyed by the requested page[after] ("" = first page).
type afterServer struct {
	mu     sync.Mutex
	path   string
	pages  map[string]string
	afters []string
	limits []string
}

func (s *afterServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	s.afters = append(s.afters, q.Get("page[after]"))
	s.limits = append(s.limits, q.Get("page[limit]"))
	s.mu.Unlock()
	if r.URL.Path != s.path {
		writeJSON(w, 404, errorJSON(404, "no such endpoint"))
		return
	}
	body, ok := s.pages[q.Get("page[after]")]
	if !ok {
		writeJSON(w, 400, errorJSON(1, "unexpected cursor"))
		return
	}
	writeJSON(w, 200, body)
}

func mediumJSON(id, pool, status string) string {
	return fmt.Sprintf(`{"type":"volumeInfo","id":%q,"attributes":{"barcode":"%sL8","mediaType":"HCART3",
	"robot":{"robotType":"TLD","robotNumber":"0","robotHost":"media01"},"volumeGroup":"000_00000_TLD",
	"volumePool":%q,"mediaStatus":%q,"kiloBytes":1.5e3,"images":"3","validImages":2}}`, id, id, pool, status)
}

func TestTapeMediaCursorPaging(t *testing.T) {
	s := &afterServer{path: "/netbackup/storage/tape-media", pages: map[string]string{
		"":     cursorPage("A002", mediumJSON("A001", "NetBackup", "ACTIVE MULTIPLEXED"), mediumJSON("A002", "Scratch", "")),
		"A002": cursorPage("A004", mediumJSON("A003", "NetBackup", "FROZEN"), `"not a record"`),
		"A004": cursorPage("", mediumJSON("A005", "NetBackup", "full,suspended")),
	}}
	c, _, _ := newTestClient(t, s, nil)
	var got []TapeMedium
	st, err := c.TapeMedia(testCtx(t), 0, func(m *TapeMedium) error { got = append(got, *m); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.afters, []string{"", "A002", "A004"}) || !slices.Equal(s.limits, []string{"100", "100", "100"}) {
		t.Errorf("afters = %q, limits = %q", s.afters, s.limits)
	}
	if st.Pages != 3 || st.Records != 4 || st.Skipped != 1 || len(got) != 4 {
		t.Fatalf("stats = %+v, media = %d", st, len(got))
	}
	want := TapeMedium{ID: "A001", Barcode: "A001L8", MediaType: "HCART3", RobotType: "TLD", RobotNumber: "0",
		RobotHost: "media01", VolumeGroup: "000_00000_TLD", VolumePool: "NetBackup", MediaStatus: "ACTIVE MULTIPLEXED",
		KiloBytes: Some[int64](1500), Images: Some[int64](3), ValidImages: Some[int64](2)}
	if got[0] != want {
		t.Errorf("medium = %+v\nwant %+v", got[0], want)
	}
	flags := [][]string{got[0].StatusFlags(), got[1].StatusFlags(), got[2].StatusFlags(), got[3].StatusFlags()}
	wantFlags := [][]string{{"ACTIVE", "MULTIPLEXED"}, {}, {"FROZEN"}, {"FULL", "SUSPENDED"}}
	for i := range flags {
		if !slices.Equal(flags[i], wantFlags[i]) {
			t.Errorf("medium %d flags = %q, want %q", i, flags[i], wantFlags[i])
		}
	}
}

func TestTapeMediaCallbackErrorAndLoop(t *testing.T) {
	s := &afterServer{path: "/netbackup/storage/tape-media", pages: map[string]string{
		"":  cursorPage("x", mediumJSON("A001", "p", "")),
		"x": cursorPage("x", mediumJSON("A002", "p", "")),
	}}
	c, _, _ := newTestClient(t, s, nil)
	boom := errors.New("boom")
	_, err := c.TapeMedia(testCtx(t), 0, func(*TapeMedium) error { return boom })
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "tape media callback") {
		t.Errorf("callback error = %v", err)
	}
	_, err = c.TapeMedia(testCtx(t), 0, func(*TapeMedium) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "already used") {
		t.Errorf("repeated cursor: err = %v", err)
	}
	if _, err := c.TapeMedia(testCtx(t), 0, nil); err == nil {
		t.Error("nil callback accepted")
	}
}

func TestVolumePoolsCursorPaging(t *testing.T) {
	vp := func(id, name, typ string, pf any) string {
		return fmt.Sprintf(`{"type":"volumePoolDetails","id":%q,"attributes":{"volumePoolName":%q,"description":"d",
		"partiallyFullMedia":%v,"poolType":%q}}`, id, name, pf, typ)
	}
	s := &afterServer{path: "/netbackup/storage/tape-volume-pools", pages: map[string]string{
		"":  cursorPage("2", vp("1", "NetBackup", "REGULAR_MEDIA_POOL", 3), vp("2", "Scratch", "SCRATCH_MEDIA_POOL", `"0"`)),
		"2": cursorPage("", vp("3", "", "CATALOG_MEDIA_POOL", 1.0)),
	}}
	c, _, _ := newTestClient(t, s, nil)
	got, err := c.VolumePools(testCtx(t), 500)
	if err != nil {
		t.Fatal(err)
	}
	want := []VolumePool{
		{ID: "1", Name: "NetBackup", Description: "d", PoolType: "REGULAR_MEDIA_POOL", PartiallyFullMedia: Some[int64](3)},
		{ID: "2", Name: "Scratch", Description: "d", PoolType: "SCRATCH_MEDIA_POOL", PartiallyFullMedia: Some[int64](0)},
		{ID: "3", Name: "3", Description: "d", PoolType: "CATALOG_MEDIA_POOL", PartiallyFullMedia: Some[int64](1)},
	}
	if !slices.Equal(got, want) || s.limits[0] != "100" {
		t.Errorf("pools = %+v (limit %s)\nwant %+v", got, s.limits[0], want)
	}
}

func driveJSON(id, attrs string) string {
	return fmt.Sprintf(`{"type":"drive","id":%q,"attributes":{"driveType":"DT_HCART3","robotType":"TLD","robotNumber":0%s}}`, id, attrs)
}

func TestDrivesOffsetPaging(t *testing.T) {
	paths := `,"deviceHost":"<multiple>","devicePaths":[{"deviceHost":"m1","driveName":"pathname","devicePath":"/dev/nst0",
		"pathStatus":"PATH_STATUS_UP","isEnabled":true},"junk",{"deviceHost":"m2","pathStatus":"PATH_STATUS_DOWN","port":"x"}]`
	s := &offsetServer{path: "/netbackup/storage/drives", pages: map[string]string{
		"0": offsetPage(0, 100, "100", 102, driveJSON("d1", `,"driveStatus":"DRIVE_STATUS_UP","cleaningComment":"NEEDS CLEANING"`+paths),
			driveJSON("d2", `,"driveName":"attrname","driveStatus":"DRIVE_STATUS_DOWN","driveControl":"DRIVE_CONTROL_DOWN"`)),
		"100": offsetPage(100, 100, "", 102, driveJSON("", `,"devicePaths":[{"driveName":"fromPath"}]`)),
	}}
	c, _, _ := newTestClient(t, s, nil)
	got, err := c.Drives(testCtx(t), 500)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.offsets, []string{"0", "100"}) || s.limits[0] != "100" {
		t.Errorf("offsets = %v, limits = %v (drives allow at most 100)", s.offsets, s.limits)
	}
	want := []Drive{
		{Name: "d1", DriveType: "DT_HCART3", RobotType: "TLD", RobotNumber: "0", DriveStatus: "DRIVE_STATUS_UP",
			DeviceHost: "<multiple>", CleaningComment: "NEEDS CLEANING", Paths: []DrivePath{
				{DeviceHost: "m1", DriveName: "pathname", DevicePath: "/dev/nst0", PathStatus: "PATH_STATUS_UP", Enabled: true},
				{DeviceHost: "m2", PathStatus: "PATH_STATUS_DOWN"}}},
		{Name: "attrname", DriveType: "DT_HCART3", RobotType: "TLD", RobotNumber: "0", DriveStatus: "DRIVE_STATUS_DOWN",
			DriveControl: "DRIVE_CONTROL_DOWN"},
		{Name: "fromPath", DriveType: "DT_HCART3", RobotType: "TLD", RobotNumber: "0",
			Paths: []DrivePath{{DriveName: "fromPath"}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("drives =\n %+v\nwant\n %+v", got, want)
	}
	if !got[0].NeedsCleaning() || got[1].NeedsCleaning() {
		t.Error("NeedsCleaning misread cleaningComment")
	}
}

func TestMediaServersOffsetPaging(t *testing.T) {
	ms := func(id, attrs string) string {
		return fmt.Sprintf(`{"type":"mediaServer","id":%q,"attributes":{"osType":"Linux","nbuVersion":"10.4"%s}}`, id, attrs)
	}
	s := &offsetServer{path: "/netbackup/config/media-servers", pages: map[string]string{
		"0": offsetPage(0, 500, "", 5,
			ms("i1", `,"hostName":"m1","isMachineUp":true,"status":{"name":"ACTIVE_FOR_TAPE_AND_DISK","resourceBundleKey":"k"}`),
			ms("m2", `,"isMachineUp":"false","status":"OFFLINE"`),
			ms("m3", `,"isMachineUp":null`), ms("m4", `,"isMachineUp":"n/a"`), ms("m5", `,"isMachineUp":0`)),
	}}
	c, _, _ := newTestClient(t, s, nil)
	got, err := c.MediaServers(testCtx(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []MediaServer{
		{Name: "m1", OSType: "Linux", NBUVersion: "10.4", MachineUp: Some(true), Status: "ACTIVE_FOR_TAPE_AND_DISK"},
		{Name: "m2", OSType: "Linux", NBUVersion: "10.4", MachineUp: Some(false), Status: "OFFLINE"},
		{Name: "m3", OSType: "Linux", NBUVersion: "10.4"},
		{Name: "m4", OSType: "Linux", NBUVersion: "10.4"},
		{Name: "m5", OSType: "Linux", NBUVersion: "10.4", MachineUp: Some(false)},
	}
	if !slices.Equal(got, want) || s.limits[0] != "500" {
		t.Errorf("media servers = %+v\nwant %+v", got, want)
	}
}

func TestRobotDeviceHosts(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "" {
			t.Errorf("unpaged endpoint got query %q", r.URL.RawQuery)
		}
		writeJSON(w, 200, `{"data":[{"type":"deviceHost","id":"h1"},{"type":"deviceHost","id":2},null,{"type":"deviceHost"}]}`)
	})
	c, _, _ := newTestClient(t, h, nil)
	got, err := c.RobotDeviceHosts(testCtx(t))
	if err != nil || !slices.Equal(got, []string{"h1", "2"}) {
		t.Errorf("hosts = %q, err = %v", got, err)
	}
}

// A release without an endpoint answers 404 (or 501); callers tell it from a failure by ErrEndpointMissing.
func TestEndpointMissing(t *testing.T) {
	for _, code := range []int{404, 501, 500, 400} {
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, code, errorJSON(int64(code), "x")) })
		c, _, _ := newTestClient(t, h, func(o *Options) { o.MaxTries = 1 })
		_, err := c.VolumePools(testCtx(t), 0)
		if got, want := errors.Is(err, ErrEndpointMissing), code == 404 || code == 501; got != want {
			t.Errorf("HTTP %d: errors.Is(ErrEndpointMissing) = %v, want %v (err %v)", code, got, want, err)
		}
	}
}
