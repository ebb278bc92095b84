package nbu

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func collectStorageServers(t *testing.T, c *Client) ([]StorageServer, error) {
	t.Helper()
	var out []StorageServer
	err := c.StorageServers(testCtx(t), 0, func(s *StorageServer) error {
		out = append(out, *s)
		return nil
	})
	return out, err
}

// Odd shapes real servers send: numbers for strings, other enum spellings, fields left out, an
// attribute of the wrong kind, records without a name. Absent is not zero: its Known flag says so.
func TestStorageServersDecodeLeniently(t *testing.T) {
	page := `{"data":[
	 {"type":"storageServer","id":"PureDisk:msdp01","attributes":{"name":"msdp01","sType":"PureDisk","storageCategory":"MSDP",
	  "nbuHostVersion":10.5,"storageServerState":"UP","additionalMediaServersDetails":[{"name":"m1"},{"name":"m2"}],
	  "msdpAttributes":{"storagePoolDetails":{"sizeBytes":"1000","usedSpaceBytes":250.0,"availableSpaceBytes":750}}}},
	 {"type":"storageServer","id":"AdvancedDisk:adv01","attributes":{"storageServerState":"down","additionalMediaServersDetails":[]}},
	 {"type":"storageServer","id":"cloud01","attributes":{"name":"cloud01","sType":"amazon_raw","additionalMediaServersDetails":"n/a",
	  "msdpAttributes":"n/a"}},
	 {"type":"storageServer","attributes":{"sType":"PureDisk"}},
	 "not a record",
	 {"type":"storageServer","id":"PureDisk:msdp02","attributes":{"name":"msdp02","storageServerState":7,
	  "msdpAttributes":{"storagePoolDetails":{"usedSpaceBytes":null}}}}
	],"meta":{"pagination":{"count":6,"offset":0,"limit":100}}}`
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/netbackup/storage/storage-servers" || r.URL.Query().Get("page[limit]") != "100" ||
			r.URL.Query().Get("page[offset]") != "0" {
			writeJSON(w, 400, errorJSON(400, "unexpected request "+r.URL.String()))
			return
		}
		writeJSON(w, 200, page)
	}), nil)
	got, err := collectStorageServers(t, c)
	if err != nil {
		t.Fatal(err)
	}
	want := []StorageServer{
		{ID: "PureDisk:msdp01", Name: "msdp01", SType: "PureDisk", Category: "MSDP", Version: "10.5", State: "UP",
			AdditionalMediaServers: Some(2),
			Pool:                   StoragePool{SizeBytes: Some[int64](1000), UsedBytes: Some[int64](250), AvailableBytes: Some[int64](750)}},
		{ID: "AdvancedDisk:adv01", Name: "adv01", SType: "AdvancedDisk", State: "down", AdditionalMediaServers: Some(0)},
		{ID: "cloud01", Name: "cloud01", SType: "amazon_raw"},
		{ID: "PureDisk:msdp02", Name: "msdp02", SType: "PureDisk", State: "7"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("storage servers:\n got %+v\nwant %+v", got, want)
	}
}

// Every page is read, at the spec's maximum of 100 a page.
func TestStorageServersPages(t *testing.T) {
	const total = 230
	var offsets []string
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		offsets = append(offsets, q.Get("page[offset]"))
		var off, limit int
		fmt.Sscan(q.Get("page[offset]"), &off)
		fmt.Sscan(q.Get("page[limit]"), &limit)
		var recs []string
		for i := off; i < min(off+limit, total); i++ {
			recs = append(recs, fmt.Sprintf(`{"id":"PureDisk:s%03d","attributes":{"name":"s%03d","storageServerState":"UP"}}`, i, i))
		}
		next := ""
		if off+limit < total {
			next = fmt.Sprintf(`,"next":%d`, off+limit)
		}
		writeJSON(w, 200, fmt.Sprintf(`{"data":[%s],"meta":{"pagination":{"count":%d%s}}}`, strings.Join(recs, ","), total, next))
	}), nil)
	got, err := collectStorageServers(t, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != total || got[total-1].Name != "s229" {
		t.Errorf("%d servers, want %d", len(got), total)
	}
	if want := []string{"0", "100", "200"}; !reflect.DeepEqual(offsets, want) {
		t.Errorf("offsets %v, want %v", offsets, want)
	}
}

// A hostile array of 100,000 elements costs its count, not 100,000 decoded records.
func TestStorageServersHugeArrayIsCounted(t *testing.T) {
	const n = 100_000
	body := `{"data":[{"id":"PureDisk:big","attributes":{"additionalMediaServersDetails":[` +
		strings.TrimSuffix(strings.Repeat("{},", n), ",") + `]}}]}`
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, body) }), nil)
	got, err := collectStorageServers(t, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].AdditionalMediaServers != Some(n) {
		t.Errorf("got %+v", got)
	}
}

func TestOptCount(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want optCount
	}{
		{`[]`, optCount{0, true}},
		{`[1, "a", {"b": [1, 2]}, null]`, optCount{4, true}},
		{`null`, optCount{}},
		{`"n/a"`, optCount{}},
		{`{"a": 1}`, optCount{}},
		{`7`, optCount{}},
	} {
		var o optCount
		if err := o.UnmarshalJSON([]byte(tc.in)); err != nil || o != tc.want {
			t.Errorf("%s: %+v, %v; want %+v", tc.in, o, err, tc.want)
		}
	}
}
