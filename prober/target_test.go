package prober

import (
	"net/url"
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in, want, wantHost, wantPort, wantErr string
	}{
		{in: "nbu1", want: "https://nbu1:1556/netbackup", wantHost: "nbu1", wantPort: "1556"},
		{in: "NBU1.Example.com", want: "https://nbu1.example.com:1556/netbackup", wantHost: "nbu1.example.com", wantPort: "1556"},
		{in: "nbu1:8443", want: "https://nbu1:8443/netbackup", wantHost: "nbu1", wantPort: "8443"},
		{in: "10.0.0.5", want: "https://10.0.0.5:1556/netbackup", wantHost: "10.0.0.5", wantPort: "1556"},
		{in: "[::1]:1556", want: "https://[::1]:1556/netbackup", wantHost: "::1", wantPort: "1556"},
		{in: "https://nbu1", want: "https://nbu1:1556/netbackup", wantHost: "nbu1", wantPort: "1556"},
		{in: "https://nbu1/", want: "https://nbu1:1556/netbackup"},
		{in: "https://nbu1:1556/netbackup/", want: "https://nbu1:1556/netbackup"},
		{in: "https://nbu1:443/proxy/netbackup", want: "https://nbu1:443/proxy/netbackup"},
		{in: "http://127.0.0.1:8080/netbackup", want: "http://127.0.0.1:8080/netbackup"},
		{in: "", wantErr: "target is empty"},
		{in: "ftp://nbu1", wantErr: `scheme "ftp" not supported`},
		{in: "https://admin:pw@nbu1", wantErr: "user info is not allowed"},
		{in: "https://nbu1/netbackup?x=1", wantErr: "query string is not allowed"},
		{in: "https://nbu1/netbackup#x", wantErr: "fragment is not allowed"},
		{in: "nbu1:99999", wantErr: `invalid port "99999"`},
		{in: "nbu1:abc", wantErr: "invalid port"},
		{in: "nbu1:", wantErr: "empty port"},
		{in: "https://:1556", wantErr: "no host"},
		{in: "nbu1\r\nHost: evil", wantErr: "control character"},
		{in: "nbu 1", wantErr: "whitespace"},
		{in: "https://nbu1/a/../b", wantErr: "'..'"},
		{in: "https://nbu1/netbackup/%252e%252e/%252e%252e/other", wantErr: "without escapes"},
		{in: "https://nbu1/netbackup/%2e%2e", wantErr: "without escapes"},
		{in: "https://nbu1/netbackup/x1", wantErr: "must end in /netbackup"},
		{in: "https://nbu1/a//netbackup", wantErr: "only letters"},
		{in: "https://nbu1/./netbackup", wantErr: "'.' or '..'"},
		{in: strings.Repeat("a", 2000), wantErr: "max 1024"},
	}
	for _, tc := range tests {
		got, err := ParseTarget(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseTarget(%q) error = %v, want containing %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseTarget(%q): %v", tc.in, err)
			continue
		}
		if got.BaseURL != tc.want {
			t.Errorf("ParseTarget(%q) = %q, want %q", tc.in, got.BaseURL, tc.want)
		}
		if tc.wantHost != "" && (got.Host != tc.wantHost || got.Port != tc.wantPort) {
			t.Errorf("ParseTarget(%q) host/port = %q/%q, want %q/%q", tc.in, got.Host, got.Port, tc.wantHost, tc.wantPort)
		}
	}
}

func TestParseTargetHidesUserInfo(t *testing.T) {
	for _, in := range []string{
		"https://admin:s3cr3t@nbu1",
		"https://admin:s3cr3t@[::1",     // does not parse
		"https://admin:s3cr3t@nbu 1",    // a space
		"https://admin:s3cr3t@nbu1:99x", // a bad port
		"admin:s3cr3t@nbu1:99999",       // no scheme
		"ftp://admin:s3cr3t@nbu1",       // another scheme
		"https://a:s3cr3t@b@nbu1/x%zz",  // two @, a bad escape
		"https://admin:s3cr3t@nbu1\x00", // a control character
	} {
		_, err := ParseTarget(in)
		if err == nil || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("ParseTarget(%q): error must exist and hide the password: %v", in, err)
		}
	}
}

func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"nbu1", "nbu1:1556", "https://nbu1:1556/netbackup", "[::1]:1", "http://a@b", "%zz", "https://[::1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := ParseTarget(s)
		if err != nil {
			return
		}
		again, err := ParseTarget(tg.BaseURL)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse again: %v", tg.BaseURL, s, err)
		}
		if again != tg {
			t.Fatalf("ParseTarget is not idempotent: %q gives %+v, then %+v", s, tg, again)
		}
		// The allow-list is checked on Host and Port; the client dials what BaseURL says. They
		// must be the same place, or a crafted target passes the check for one host and
		// connects to another.
		u, err := url.Parse(tg.BaseURL)
		if err != nil {
			t.Fatalf("BaseURL %q of %q is not a URL: %v", tg.BaseURL, s, err)
		}
		if u.Hostname() != tg.Host || u.Port() != tg.Port || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("%q: BaseURL %q dials %q port %q, the allow-list checks %q port %q", s, tg.BaseURL, u.Hostname(), u.Port(), tg.Host, tg.Port)
		}
		if strings.ContainsFunc(tg.Host, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
			t.Fatalf("%q: host %q has a control or non-ASCII character", s, tg.Host)
		}
	})
}
