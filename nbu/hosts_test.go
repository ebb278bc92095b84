package nbu

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// hostsJSON is a /config/hosts answer as the spec has it, with the loose kinds real servers send:
// a uuid as a number, a record without uuid, a record that is not an object, one of another type
// (a server ignoring the filter), members of the wrong kind, and members that are not read.
const hostsJSON = `{"hosts": [
  {"uuid": "u-1", "hostName": "media01", "nbuHostType": "MEDIA_SERVER", "hostMappings": [{"mappedHostName": "m1"}],
   "servers": ["p"], "isSecureEnabled": "yes"},
  {"uuid": 42, "hostName": "media02", "nbuHostType": "MEDIA_SERVER"},
  {"hostName": "no-uuid", "nbuHostType": "MEDIA_SERVER"},
  "not an object",
  null,
  {"uuid": "u-c", "hostName": "client01", "nbuHostType": "CLIENT"},
  {"uuid": "u-3", "hostName": {"odd": 1}, "nbuHostType": "MEDIA_SERVER"},
  {"uuid": "u-4"}
], "extra": {"nested": [1, 2, {"x": []}]}}`

func TestHostsOfTypeDecodesLeniently(t *testing.T) {
	var asked []string
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.Path+"?"+r.URL.RawQuery)
		writeJSON(w, 200, hostsJSON)
	}), nil)
	hosts, more, err := c.HostsOfType(testCtx(t), HostTypeMedia, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []Host{{ID: "u-1", Name: "media01", Type: HostTypeMedia}, {ID: "42", Name: "media02", Type: HostTypeMedia},
		{ID: "u-3", Type: HostTypeMedia}, {ID: "u-4"}}
	if !reflect.DeepEqual(hosts, want) || more != 0 {
		t.Errorf("hosts = %+v (more %d), want %+v", hosts, more, want)
	}
	if len(asked) != 1 || asked[0] != "/netbackup/config/hosts?filter=nbuHostType+eq+%27MEDIA_SERVER%27" {
		t.Errorf("requests %v, want one GET /config/hosts filtered on nbuHostType", asked)
	}
}

func TestHostsOfTypeOddShapes(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		hosts      int
		wantErr    bool
	}{
		{"empty body", ``, 0, false},
		{"hosts null", `{"hosts": null}`, 0, false},
		{"hosts an object", `{"hosts": {"uuid": "u", "a": [1, {"b": 2}]}, "later": 1}`, 0, false},
		{"hosts a string", `{"hosts": "none"}`, 0, false},
		{"no hosts member", `{"data": []}`, 0, false},
		{"two hosts members", `{"hosts": [{"uuid": "a"}], "hosts": [{"uuid": "b"}]}`, 2, false},
		{"an array", `[{"uuid": "a"}]`, 0, true},
		{"cut short", `{"hosts": [{"uuid": "a"}, {"uuid": `, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 200, tc.body)
			}), nil)
			hosts, _, err := c.HostsOfType(testCtx(t), HostTypePrimary, 10)
			if (err != nil) != tc.wantErr || len(hosts) != tc.hosts {
				t.Errorf("hosts %+v, err %v; want %d hosts, error %v", hosts, err, tc.hosts, tc.wantErr)
			}
		})
	}
}

// A list far longer than the limit keeps limit hosts and counts the others.
func TestHostsOfTypeBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"hosts": [`)
	for i := range 20000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"uuid": "u-%d", "hostName": "h%d", "nbuHostType": "MEDIA_SERVER"}`, i, i)
	}
	b.WriteString(`]}`)
	body := b.String()
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, body) }), nil)
	hosts, more, err := c.HostsOfType(testCtx(t), HostTypeMedia, 7)
	if err != nil || len(hosts) != 7 || more != 20000-7 {
		t.Errorf("kept %d, more %d, err %v; want 7, %d", len(hosts), more, err, 20000-7)
	}
}

func TestHostServicesDecodesLeniently(t *testing.T) {
	var asked []string
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.Path)
		writeJSON(w, 200, `{"data": [
		  {"type": "service", "id": "bprd", "attributes": {"status": "RUNNING", "access": [1, 1, 1]}},
		  {"type": "service", "attributes": {"daemonCode": "nbemm", "status": "STOPPED"}},
		  {"type": "service", "id": "bprd", "attributes": {"status": "STOPPED"}},
		  {"type": "service", "id": "nbwmc"},
		  {"type": "service", "attributes": {"status": "RUNNING"}},
		  {"type": "service", "id": 7, "attributes": {"status": 3}},
		  "junk"
		]}`)
	}), nil)
	got, more, err := c.HostServices(testCtx(t), "0a1b-uuid", 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []Service{{Name: "bprd", Status: "RUNNING"}, {Name: "nbemm", Status: "STOPPED"}, {Name: "nbwmc"}, {Name: "7", Status: "3"}}
	if !reflect.DeepEqual(got, want) || more != 0 {
		t.Errorf("services = %+v (more %d), want %+v", got, more, want)
	}
	if len(asked) != 1 || asked[0] != "/netbackup/admin/hosts/0a1b-uuid/services" {
		t.Errorf("requests %v", asked)
	}
	if got, more, err = c.HostServices(testCtx(t), "0a1b-uuid", 2); len(got) != 2 || more != 2 || err != nil {
		t.Errorf("limit 2: %d services, more %d, err %v; want 2, 2", len(got), more, err)
	}
}

// A host id that would change the path is refused before any request; a 501 for a host is an
// APIError with that status.
func TestHostServicesIDsAndErrors(t *testing.T) {
	requests := 0
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests++
		writeJSON(w, http.StatusNotImplemented, errorJSON(501, "Not implemented for hosts with NetBackup release version prior to 8.2."))
	}), nil)
	for _, id := range []string{"", "a/../b", "a?b", "a#b", "a%2fb", strings.Repeat("x", 300)} {
		if _, _, err := c.HostServices(testCtx(t), id, 10); err == nil {
			t.Errorf("host id %q accepted", id)
		}
	}
	if requests != 0 {
		t.Errorf("%d requests for refused ids", requests)
	}
	_, _, err := c.HostServices(testCtx(t), "old-host", 10)
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusNotImplemented || ae.Endpoint != hostServicesEndpoint {
		t.Errorf("err = %v, want an APIError 501 naming %s", err, hostServicesEndpoint)
	}
}
