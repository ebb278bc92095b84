package nbu

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fuzzKey stands for the API key in fuzz inputs: "{KEY}" in any input is replaced by it, as a
// server or proxy that echoes request headers would.
const fuzzKey = "fuzz-key-5f0c1e9a77"

func withKey(s string) string { return strings.ReplaceAll(s, "{KEY}", fuzzKey) }

// assertErrNoKey checks every level of err's chain, since a caller may unwrap and print.
func assertErrNoKey(t *testing.T, err error) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), fuzzKey) {
			t.Fatalf("error text contains the API key: %q", e.Error())
		}
	}
}

// FuzzClientResponse serves one fuzzed answer (status, Content-Type, Retry-After, Location, body)
// to every request a client makes, through version detection, the cursor walk and both offset
// walks, the device lists included: every response decoder and every status branch. Whatever comes back, the client must not
// panic, must not leave the host it was given (no redirect followed), must end, and must not put
// the key into an error.
func FuzzClientResponse(f *testing.F) {
	f.Add(200, "application/vnd.netbackup+json;version=14.0", "", "", []byte(`{"data":[{"id":"1","attributes":{"jobId":1}}],"meta":{"pagination":{"next":""}}}`))
	f.Add(200, "application/json", "", "", []byte(`{"data":[{"id":"a","attributes":{"name":"a"}}],"meta":{"pagination":{"next":1,"count":2}}}`))
	f.Add(200, "text/html; charset=utf-8", "", "", []byte("<html>login {KEY}</html>"))
	f.Add(200, "text/html; {KEY}", "", "", []byte("<html/>"))
	f.Add(200, "", "", "", []byte(`{"data":[{"id":"1","attributes":{"jobId":1`))
	f.Add(401, "application/json", "", "", []byte(`{"errorCode":8,"errorMessage":"bad key {KEY}","errorDetails":["{KEY}"]}`))
	f.Add(406, "application/json", "", "", []byte(`{"errorCode":9,"errorMessage":"version"}`))
	f.Add(429, "application/json", "3600", "", []byte(`{"errorCode":1,"errorMessage":"slow down"}`))
	f.Add(429, "", "Wed, 21 Oct 2015 07:28:00 GMT", "", []byte(nil))
	f.Add(503, "application/json", "", "", []byte(`{"errorCode":503,"errorMessage":"busy {KEY}"}`))
	f.Add(302, "", "", "http://elsewhere.example/netbackup/admin/jobs?k={KEY}", []byte(nil))
	f.Add(307, "", "", "http://[{KEY}", []byte(nil))
	f.Add(199, "", "", "", []byte("x"))
	f.Add(200, "", "", "", []byte(`{"data":[{"id":"d1","attributes":{"driveStatus":"DRIVE_STATUS_UP","devicePaths":[{"deviceHost":"m","pathStatus":1},7],"robot":{"robotType":"TLD"},"mediaStatus":"FROZEN FULL","diskVolumes":[{"state":"UP"},"x"],"isMachineUp":"1","status":{"name":"OFFLINE"},"poolType":"SCRATCH_MEDIA_POOL"}}],"meta":{"pagination":{"next":"c1","count":1}}}`))
	f.Fuzz(func(t *testing.T, status int, contentType, retryAfter, location string, body []byte) {
		if status < 0 {
			status = -status
		}
		status = 100 + status%900
		contentType, retryAfter, location = withKey(contentType), withKey(retryAfter), withKey(location)
		body = bytes.ReplaceAll(body, []byte("{KEY}"), []byte(fuzzKey))

		var mu sync.Mutex
		requests := 0
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			mu.Lock()
			requests++
			n := requests
			mu.Unlock()
			if r.URL.Host != "nbu.test" {
				t.Errorf("request %d went to %q: a redirect was followed", n, r.URL.Host)
			}
			if n > 200 {
				return nil, errors.New("too many requests: the walk does not end")
			}
			h := http.Header{}
			for k, v := range map[string]string{"Content-Type": contentType, "Retry-After": retryAfter, "Location": location} {
				if v != "" {
					h.Set(k, v)
				}
			}
			return &http.Response{
				StatusCode: status, Status: strconv.Itoa(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
				Header: h, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: -1, Request: r,
			}, nil
		})
		c, err := NewClient(Options{BaseURL: "http://nbu.test/netbackup", APIKey: fuzzKey, Transport: rt, MaxBodyBytes: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		c.sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()

		_, err = c.Jobs(ctx, JobsQuery{PageSize: 10}, func(*Job) error { return nil })
		assertErrNoKey(t, err)
		_, err = c.StorageUnits(ctx, 10)
		assertErrNoKey(t, err)
		_, err = c.DiskPools(ctx, 10)
		assertErrNoKey(t, err)
		_, err = c.Drives(ctx, 10)
		assertErrNoKey(t, err)
		_, err = c.TapeMedia(ctx, 10, func(m *TapeMedium) error { _ = m.StatusFlags(); return nil })
		assertErrNoKey(t, err)
		_, err = c.VolumePools(ctx, 10)
		assertErrNoKey(t, err)
		_, err = c.RobotDeviceHosts(ctx)
		assertErrNoKey(t, err)
		_, err = c.MediaServers(ctx, 10)
		assertErrNoKey(t, err)
		if ctx.Err() != nil {
			t.Fatalf("the client did not end on its own: %v", err)
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzDecodeErrorBody runs NetBackup error bodies through readAPIError: no panic, bounded text, and
// an echoed key never reaches the error.
func FuzzDecodeErrorBody(f *testing.F) {
	f.Add([]byte(`{"errorCode":8000,"errorMessage":"Invalid filter.","errorDetails":["endTime: bad date"],"attributeErrors":{}}`))
	f.Add([]byte(`{"errorCode":"8000","errorMessage":12,"errorDetails":"one"}`))
	f.Add([]byte(`{"errorCode":1.5e3,"errorMessage":null,"errorDetails":[1,null,{"a":1},"{KEY}"]}`))
	f.Add([]byte(`{"errorMessage":"{KEY}{KEY}"}`))
	f.Add([]byte(`<html><body>Service Unavailable</body></html>`))
	f.Add([]byte(`{"errorCode":`))
	f.Add([]byte(`  {"errorDetails":["a","b","c","d","e","f","g","h","i","j"]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		body = bytes.ReplaceAll(body, []byte("{KEY}"), []byte(fuzzKey))
		c := &Client{auth: newAuth(Credentials{APIKey: fuzzKey}, NewLoginHoldoffs(1), "nbu:1556", time.Now), maxBody: 1 << 20}
		resp := &http.Response{StatusCode: 500, Body: io.NopCloser(bytes.NewReader(body))}
		e := c.readAPIError(resp, &request{method: http.MethodGet, endpoint: "/admin/jobs", version: "13.0"})
		msg := e.Error()
		if strings.Contains(msg, fuzzKey) {
			t.Fatalf("error text contains the key: %q", msg)
		}
		if len(e.ErrorMessage) > 512+len("...") || len(e.ErrorDetails) > 9 {
			t.Fatalf("unbounded error text: message %d bytes, %d details", len(e.ErrorMessage), len(e.ErrorDetails))
		}
		var eb errorBody
		_ = decodeErrorBody(body, &eb)
	})
}

// FuzzParseRetryAfter: any header value gives a wait within [0, maxRetryAfter], or none.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "120", " 30 ", "-1", "99999999999999999999", "1e3", "Wed, 21 Oct 2015 07:28:00 GMT",
		"Fri, 31 Dec 9999 23:59:59 GMT", "Monday, 02-Jan-06 15:04:05 MST", "Mon Jan  2 15:04:05 2006", ""} {
		f.Add(s)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseRetryAfter(v, now)
		switch {
		case !ok && d != 0:
			t.Fatalf("parseRetryAfter(%q) = %v without ok", v, d)
		case d < 0 || d > maxRetryAfter:
			t.Fatalf("parseRetryAfter(%q) = %v, outside [0, %v]", v, d, maxRetryAfter)
		}
	})
}

// FuzzDecodeDiskPoolsPage covers the disk-pool attributes, which FuzzDecodeOffsetPage (storage
// units) does not decode.
func FuzzDecodeDiskPoolsPage(f *testing.F) {
	f.Add([]byte(`{"data":[{"type":"diskPool","id":"1","attributes":{"name":"dp1","sType":"PureDisk","storageCategory":"MSDP","diskPoolState":"UP","rawSizeBytes":1000,"usableSizeBytes":900,"availableSpaceBytes":400,"usedCapacityBytes":500,"highWaterMark":98,"lowWaterMark":80}}],"meta":{"pagination":{"count":1}}}`))
	f.Add([]byte(`{"data":[{"id":2,"attributes":{"rawSizeBytes":"1e3","highWaterMark":98.5,"diskPoolState":7}}],"meta":{"pagination":{"next":"1"}}}`))
	f.Add([]byte(`{"data":[null,"x",[],{"attributes":null}]}`))
	f.Add([]byte(`{"data":[{"id":"1","attributes":{"name":"`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var (
			id   lString
			a    diskPoolAttrs
			meta offsetMeta
			out  []DiskPool
		)
		err := walkPage(bytes.NewReader(b), &recordSink{
			id: &id, attrs: &a, meta: &meta,
			reset: func() { id, a = "", diskPoolAttrs{} },
			emit:  func() error { out = append(out, a.toDiskPool(string(id))); return nil },
			skip:  func(int, string) {},
		})
		checkAccepted(t, b, err)
	})
}
