package nbu

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestNewClientValidation(t *testing.T) {
	tests := []struct {
		name     string
		opts     Options
		wantErr  string
		wantBase string
	}{
		{name: "ok", opts: Options{BaseURL: "https://nbu.example:1556/netbackup"}, wantBase: "https://nbu.example:1556/netbackup"},
		{name: "trailing slash trimmed", opts: Options{BaseURL: "https://nbu:1556/netbackup/"}, wantBase: "https://nbu:1556/netbackup"},
		{name: "http allowed", opts: Options{BaseURL: "http://127.0.0.1:8080/netbackup"}, wantBase: "http://127.0.0.1:8080/netbackup"},
		{name: "pinned", opts: Options{BaseURL: "https://nbu/netbackup", APIVersion: "13.0"}, wantBase: "https://nbu/netbackup"},
		{name: "auto", opts: Options{BaseURL: "https://nbu/netbackup", APIVersion: "AUTO"}, wantBase: "https://nbu/netbackup"},
		{name: "empty", opts: Options{}, wantErr: "BaseURL is empty"},
		{name: "no scheme", opts: Options{BaseURL: "nbu:1556/netbackup"}, wantErr: "scheme"},
		{name: "ftp", opts: Options{BaseURL: "ftp://nbu/netbackup"}, wantErr: "scheme"},
		{name: "no host", opts: Options{BaseURL: "https:///netbackup"}, wantErr: "no host"},
		{name: "user info", opts: Options{BaseURL: "https://u:p@nbu/netbackup"}, wantErr: "user info"},
		{name: "query", opts: Options{BaseURL: "https://nbu/netbackup?x=1"}, wantErr: "query"},
		{name: "unparsable", opts: Options{BaseURL: "https://nbu:port/netbackup"}, wantErr: "invalid BaseURL"},
		{name: "bad version", opts: Options{BaseURL: "https://nbu/netbackup", APIVersion: "v13"}, wantErr: "invalid API version"},
		{name: "bad version 2", opts: Options{BaseURL: "https://nbu/netbackup", APIVersion: "13"}, wantErr: "invalid API version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.APIKey = testKey
			c, err := NewClient(tt.opts)
			assertNoKey(t, err)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), ":p@") {
					t.Errorf("error shows the URL password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if c.BaseURL() != tt.wantBase {
				t.Errorf("BaseURL = %q, want %q", c.BaseURL(), tt.wantBase)
			}
		})
	}
}

func TestNewClientDefaults(t *testing.T) {
	c, err := NewClient(Options{BaseURL: "https://nbu/netbackup"})
	if err != nil {
		t.Fatal(err)
	}
	if c.maxTries != 3 || c.maxBody != 32<<20 || c.requestTimeout != 60*time.Second || cap(c.sem) != 4 ||
		c.userAgent != "netbackup_exporter" || c.pinned != "" {
		t.Errorf("defaults: tries %d body %d timeout %v conc %d ua %q pinned %q",
			c.maxTries, c.maxBody, c.requestTimeout, cap(c.sem), c.userAgent, c.pinned)
	}
}

func TestPrintingHidesKey(t *testing.T) {
	opts := Options{BaseURL: "https://nbu/netbackup", APIKey: testKey}
	c, err := NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		fmt.Sprintf("%v", opts), fmt.Sprintf("%+v", opts), fmt.Sprintf("%#v", opts), fmt.Sprint(&opts),
		fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprint(c),
	} {
		if strings.Contains(s, testKey) {
			t.Errorf("printed value contains the API key: %s", s)
		}
	}
}

func TestNewClientRefusesEscapedOrDotPaths(t *testing.T) {
	for _, base := range []string{
		"https://nbu1:1556/netbackup/%252e%252e/other",
		"https://nbu1:1556/netbackup/%2e%2e",
		"https://nbu1:1556/netbackup/../other",
		"https://nbu1:1556/./netbackup",
	} {
		if _, err := NewClient(Options{BaseURL: base, APIKey: "k"}); err == nil || !strings.Contains(err.Error(), "escapes or dot segments") {
			t.Errorf("NewClient(%q) = %v, want the path refused", base, err)
		}
	}
}
