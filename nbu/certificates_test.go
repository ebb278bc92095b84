package nbu

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func collectCerts(t *testing.T, body string) ([]HostCertificate, error) {
	t.Helper()
	c, _, _ := newTestClient(t, &bodyServer{body: func(string) string { return body }}, nil)
	var got []HostCertificate
	err := c.HostCertificates(testCtx(t), func(h *HostCertificate) error { got = append(got, *h); return nil })
	return got, err
}

// notAfter is milliseconds in the spec; a numeric string, an RFC 3339 string, or nothing are
// read too; publicKey and unknown members are skipped; elements that are not objects are dropped.
func TestHostCertificatesDecode(t *testing.T) {
	key := strings.Repeat("A", 1<<20)
	body := `{"certificateList":[
		{"certificateKey":1,"hostId":"h1","hostName":"nbu1","serialNumber":5,"notBefore":1,"notAfter":1800000000000,"state":1,"publicKey":"` + key + `","hostType":1,"isCertDeleted":false},
		{"hostId":"h2","hostName":"c2","notAfter":"1800000000000","state":"2","hostType":"2","isCertDeleted":"true"},
		{"hostId":"h3","notAfter":"2027-01-01T00:00:00Z","state":"REVOKED"},
		{"hostId":"h4","notAfter":-5},
		{"hostId":"h5","notAfter":1e300},
		42, null, "x", [1],
		{"hostId":"h6","extra":{"nested":[1,2,{"a":3}]}}
	],"other":{"x":[1]}}`
	got, err := collectCerts(t, body)
	if err != nil {
		t.Fatal(err)
	}
	ms := time.UnixMilli(1800000000000).UTC()
	want := []HostCertificate{
		{HostID: "h1", HostName: "nbu1", NotAfter: ms, State: "1", HostType: "1"},
		{HostID: "h2", HostName: "c2", NotAfter: ms, State: "2", HostType: "2", Deleted: true},
		{HostID: "h3", NotAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), State: "REVOKED"},
		{HostID: "h4"}, {HostID: "h5"},
		{}, // null: an empty record, which has no host
		{HostID: "h6"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("certificates = %+v\nwant %+v", got, want)
	}
	if !got[1].Revoked() || !got[2].Revoked() || got[0].Revoked() {
		t.Errorf("Revoked: %v %v %v, want false true true", got[0].Revoked(), got[1].Revoked(), got[2].Revoked())
	}
}

func TestHostCertificatesOddShapes(t *testing.T) {
	for _, body := range []string{``, `{}`, `{"certificateList":null}`, `{"certificateList":{"hostId":"x","n":[1]}}`, `{"certificateList":"none"}`} {
		got, err := collectCerts(t, body)
		if err != nil || len(got) != 0 {
			t.Errorf("%q: %v, %v; want no certificate and no error", body, got, err)
		}
	}
	for _, body := range []string{`[]`, `{"certificateList":[{"hostId":"x"}`, `{"certificateList":[}`} {
		if _, err := collectCerts(t, body); err == nil {
			t.Errorf("%q: no error", body)
		}
	}
}

func TestHostCertificatesRequest(t *testing.T) {
	s := &bodyServer{body: func(string) string { return `{"certificateList":[]}` }}
	c, _, _ := newTestClient(t, s, nil)
	if err := c.HostCertificates(testCtx(t), func(*HostCertificate) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if s.queries[0] != "filter=isCertDeleted+eq+false" {
		t.Errorf("query %q", s.queries[0])
	}
}

// A body past the client's cap fails the read rather than growing without bound.
func TestHostCertificatesBodyCap(t *testing.T) {
	big := `{"certificateList":[` + strings.Repeat(`{"hostId":"h","hostName":"n","notAfter":1800000000000},`, 40000) + `{}]}`
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, big) }),
		func(o *Options) { o.MaxBodyBytes = 1 << 20 })
	err := c.HostCertificates(testCtx(t), func(*HostCertificate) error { return nil })
	if !errors.Is(err, ErrBodyTooLarge) {
		t.Errorf("err = %v, want the body cap", err)
	}
}
