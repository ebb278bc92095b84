package prober

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// /probe with odd parameters answers 400 (or 403) or probes the right target, never panics and
// never connects anywhere else. The module may only reach 127.0.0.1; a decoy listener on another
// port of that address stands for "somewhere else", and many rows try to smuggle it in.
func TestProbeOddParameters(t *testing.T) {
	fake, srv, fakeL := startFake(t, testKey)
	decoy := newTrackingListener(t)
	go func() {
		for {
			c, err := decoy.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	defer decoy.Close()
	_, fakePort, _ := net.SplitHostPort(hostPort(srv.URL))
	_, decoyPort, _ := net.SplitHostPort(decoy.Addr().String())
	fakeAddr, decoyAddr := "127.0.0.1:"+fakePort, "127.0.0.1:"+decoyPort
	env := newSecEnv(t, mustConfig(t, `
modules:
  default:
    timeout: 10s
    api_key: `+testKey+`
    allowed_targets: ["127.0.0.1"]
    insecure_http: true
`))
	esc := url.QueryEscape
	long := strings.Repeat("a", 1<<20)

	const (
		reject = 400
		refuse = 403
		probe  = 200
	)
	tests := []struct {
		name, query string
		want        int
	}{
		// The baseline: these reach the fake.
		{"plain", "target=" + esc("http://"+fakeAddr), probe},
		{"encoded once", "target=http%3A%2F%2F127.0.0.1%3A" + fakePort + "%2Fnetbackup", probe},
		{"empty module means default", "module=&target=" + esc("http://"+fakeAddr), probe},
		{"upper-case scheme", "target=" + esc("HTTP://"+fakeAddr), probe},
		{"port with leading zeros", "target=" + esc("http://127.0.0.1:0"+fakePort), probe},
		{"IP with trailing dot", "target=" + esc("http://127.0.0.1.:"+fakePort), probe},
		{"repeated debug ignored", "debug=true&debug=true&target=" + esc("http://"+fakeAddr), probe},
		{"very long debug value", "debug=" + long + "&target=" + esc("http://"+fakeAddr), probe},
		// A path is the API base or nothing: no other primary hides behind it, and it is no new session.
		{"decoy in the path", "target=" + esc("http://"+fakeAddr+"/@"+decoyAddr), reject},

		// Repeated and empty.
		{"target twice, same", "target=" + esc("http://"+fakeAddr) + "&target=" + esc("http://"+fakeAddr), reject},
		{"target twice, different", "target=" + esc("http://"+fakeAddr) + "&target=" + esc("http://"+decoyAddr), reject},
		{"target twice, second empty", "target=" + esc("http://"+fakeAddr) + "&target=", reject},
		{"empty target", "target=", reject},
		{"bare target", "target", reject},
		{"no parameters", "", reject},
		{"module twice", "module=default&module=default&target=" + esc("http://"+fakeAddr), reject},

		// Very long.
		{"1 MB target", "target=" + long, reject},
		{"1 MB target after a good host", "target=" + esc("http://"+fakeAddr+"/"+long), reject},
		{"1 MB module", "module=" + long + "&target=" + esc("http://"+fakeAddr), reject},

		// Encoded twice: decoded once, it is not a URL.
		{"encoded twice", "target=http%253A%252F%252F127.0.0.1%253A" + fakePort, reject},
		{"encoded twice, decoy", "target=http%253A%252F%252F" + strings.ReplaceAll(decoyAddr, ":", "%253A"), reject},
		{"encoded host", "target=" + esc("http://127.0.0.1%3A"+decoyPort), reject},

		// Control characters.
		{"CRLF header injection", "target=" + fakeAddr + "%0D%0AHost:%20" + decoyAddr, reject},
		{"LF", "target=" + fakeAddr + "%0A", reject},
		{"NUL", "target=" + fakeAddr + "%00." + decoyAddr, reject},
		{"tab", "target=%09" + fakeAddr, reject},
		{"CRLF in module", "module=default%0D%0A&target=" + esc("http://"+fakeAddr), reject},
		{"NUL in module", "module=default%00&target=" + esc("http://"+fakeAddr), reject},

		// Smuggling the decoy.
		{"user info", "target=" + esc("http://"+fakeAddr+"@"+decoyAddr), reject},
		{"backslash user info", "target=" + esc("http://"+fakeAddr+"\\@"+decoyAddr), reject},
		{"fragment", "target=" + esc("http://"+decoyAddr+"#@"+fakeAddr), reject},
		{"query", "target=" + esc("http://"+fakeAddr+"/netbackup?x=http://"+decoyAddr), reject},
		{"scheme-relative", "target=" + esc("//"+decoyAddr), reject},
		{"two ports", "target=" + esc(fakeAddr+":"+decoyPort), reject},
		{"signed port", "target=" + esc("http://127.0.0.1:+"+decoyPort), reject},
		{"port out of range", "target=" + esc("http://127.0.0.1:7"+fakePort+"0"), reject},
		{"other scheme", "target=" + esc("file:///etc/passwd"), reject},
		{"dot-dot path", "target=" + esc("http://"+fakeAddr+"/a/../../b"), reject},

		// Unicode and IPv6.
		{"unicode host", "target=" + esc("http://nbü.example:"+fakePort), reject},
		{"full-width digits", "target=" + esc("http://１２７.０.０.１:"+fakePort), reject},
		{"invalid UTF-8", "target=%ff%fe" + fakeAddr, reject},
		{"IPv6 zone", "target=" + esc("http://[fe80::1%25lo]:"+fakePort), reject},
		{"IPv6 loopback zone", "target=" + esc("http://[::1%25lo]:"+decoyPort), reject},
		{"IPv6 not allowed", "target=" + esc("http://[::1]:"+fakePort), refuse},
		{"IPv4-mapped IPv6", "target=" + esc("http://[::ffff:127.0.0.1]:"+fakePort), refuse},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			beforeReq := fake.TotalRequests()
			w := env.serve(t, tc.query, http.Header{scrapeTimeoutHeader: {"5"}}, 5*time.Second+probeLimit)
			gotReq := fake.TotalRequests() - beforeReq
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.want, clip(w.Body.String()))
			}
			if n := w.Body.Len(); tc.want != probe && n > 4096 {
				t.Errorf("a %d answer of %d bytes: the input is echoed back unbounded", w.Code, n)
			}
			switch {
			case tc.want == probe && gotReq == 0:
				t.Errorf("answered %d but the fake got no request:\n%s", w.Code, clip(w.Body.String()))
			case tc.want != probe && gotReq != 0:
				t.Errorf("answered %d but the fake got %d request(s)", w.Code, gotReq)
			}
		})
	}
	if n := decoy.acceptedBefore(t); n != 0 {
		t.Errorf("the decoy accepted %d connection(s)", n)
	}
	if n := fakeL.acceptedBefore(t); n == 0 {
		t.Error("the fake's listener saw no connection: the probe rows did not reach it")
	}
}
