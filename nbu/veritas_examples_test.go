package nbu

import (
	"net/http"
	"os"
	"reflect"
	"testing"
)

// exampleServer serves a Veritas example document as the first page; a
// cursor-paged example carries "next": "next-example", answered with an
// empty last page.
func exampleServer(t *testing.T, file string) http.Handler {
	body, err := os.ReadFile("testdata/veritas/" + file)
	if err != nil {
		t.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page[after]") != "" {
			writeJSON(w, 200, `{"data":[]}`)
			return
		}
		writeJSON(w, 200, string(body))
	})
}

// The documents in testdata/veritas are the specs' own examples (see fromspec.py there):
// each must decode, with the values the spec gives.
func TestVeritasDeviceExamples(t *testing.T) {
	for _, tt := range []struct {
		file, version string
		get           func(*Client) (any, error)
		want          any
	}{
		{"disk_pools_13.0.json", "13.0", func(c *Client) (any, error) { return c.DiskPools(testCtx(t), 0) },
			[]DiskPool{{ID: "id-example", Name: "name-example", SType: "sType-example", StorageCategory: "ADVANCED_DISK",
				DiskPoolState: "UP", RawSizeBytes: Some[int64](7), UsableSizeBytes: Some[int64](7),
				AvailableSpaceBytes: Some[int64](7), UsedCapacityBytes: Some[int64](7), HighWaterMark: Some[int64](7),
				LowWaterMark: Some[int64](7), DiskVolumes: []DiskVolume{{Name: "name-example", ID: "id-example",
					DiskMediaID: "diskMediaId-example", State: "UP", RawSizeBytes: Some[int64](7), FreeSizeBytes: Some[int64](7)}}}}},
		{"drives_13.0.json", "13.0", func(c *Client) (any, error) { return c.Drives(testCtx(t), 0) }, []Drive{exampleDrive}},
		{"drives_10.0.json", "10.0", func(c *Client) (any, error) { return c.Drives(testCtx(t), 0) }, []Drive{exampleDrive}},
		{"tape_media_13.0.json", "13.0", func(c *Client) (any, error) {
			var out []TapeMedium
			_, err := c.TapeMedia(testCtx(t), 0, func(m *TapeMedium) error { out = append(out, *m); return nil })
			return out, err
		}, []TapeMedium{{ID: "ABC001", Barcode: "000000S", MediaType: "HCART", RobotType: "NA", RobotNumber: "7",
			RobotHost: "myhost.veritas.com", VolumeGroup: "myVolumeGroup", VolumePool: "myVolumePool",
			MediaStatus: "ACTIVE MULTIPLEXED", KiloBytes: Some[int64](2), Images: Some[int64](2), ValidImages: Some[int64](2)}}},
		{"tape_volume_pools_12.0.json", "12.0", func(c *Client) (any, error) { return c.VolumePools(testCtx(t), 0) },
			[]VolumePool{{ID: "id-example", Name: "volumePoolName-example", Description: "description-example",
				PoolType: "REGULAR_MEDIA_POOL", PartiallyFullMedia: Some[int64](7)}}},
		{"tape_volume_pools_13.0.json", "13.0", func(c *Client) (any, error) { return c.VolumePools(testCtx(t), 0) },
			[]VolumePool{{ID: "id-example", Name: "volumePoolName-example", Description: "description-example",
				PoolType: "REGULAR_MEDIA_POOL", PartiallyFullMedia: Some[int64](7)}}},
		{"robots_device_hosts_13.0.json", "13.0", func(c *Client) (any, error) { return c.RobotDeviceHosts(testCtx(t)) },
			[]string{"hostname1.com", "hostname2.com"}},
		{"media_servers_10.0.json", "10.0", func(c *Client) (any, error) { return c.MediaServers(testCtx(t), 0) },
			[]MediaServer{{Name: "hostName-example", OSType: "osType-example", OSVersion: "osVersion-example",
				OSReleaseVersion: "osReleaseVersion-example", NBUVersion: "nbuVersion-example", MachineUp: Some(true),
				Status: "VIRTUAL_NODE", ClusterName: "clusterName-example"}}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			c, _, _ := newTestClient(t, exampleServer(t, tt.file), func(o *Options) { o.APIVersion = tt.version })
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

var exampleDrive = Drive{Name: "id-example", DriveType: "DT_HCART", RobotType: "NA", RobotNumber: "7",
	DriveStatus: "DRIVE_STATUS_UP", DriveControl: "DRIVE_CONTROL_DOWN", DeviceHost: "deviceHost-example",
	AssignedHost: "assignedHost-example", CleaningComment: "cleaningComment-example",
	Paths: []DrivePath{{DeviceHost: "deviceHost-example", DriveName: "driveName-example", DevicePath: "devicePath-example",
		PathStatus: "PATH_STATUS_UP", DriveControl: "DRIVE_CONTROL_DOWN", Enabled: true}}}
