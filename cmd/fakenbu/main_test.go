package main

import (
	"io"
	"slices"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr bool
		check   func(t *testing.T, c config)
	}{
		{"defaults", nil, false, func(t *testing.T, c config) {
			if c.listen != "127.0.0.1:1556" || c.jobs != 500 || c.window != time.Hour || c.tls || len(c.apiKeys) != 0 {
				t.Errorf("defaults = %+v", c)
			}
		}},
		{"keys repeat and split", []string{"--api-key", "a,b", "--api-key=c"}, false, func(t *testing.T, c config) {
			if !slices.Equal(c.apiKeys, []string{"a", "b", "c"}) {
				t.Errorf("apiKeys = %v", c.apiKeys)
			}
		}},
		{"versions", []string{"--versions", "13.0, 12.0"}, false, func(t *testing.T, c config) {
			if !slices.Equal(c.versions, []string{"13.0", "12.0"}) {
				t.Errorf("versions = %v", c.versions)
			}
		}},
		{"cert implies tls", []string{"--tls-cert", "c.pem", "--tls-key", "k.pem"}, false, func(t *testing.T, c config) {
			if !c.tls {
				t.Error("tls not enabled by --tls-cert")
			}
		}},
		{"users", []string{"--user", "monitor:pw:with,comma", "--token-validity", "5m"}, false, func(t *testing.T, c config) {
			if !slices.Equal(c.users, repeatFlag{"monitor:pw:with,comma"}) || c.tokenTTL != 5*time.Minute {
				t.Errorf("users = %v, token validity %v", c.users, c.tokenTTL)
			}
		}},
		{"strict", []string{"--strict", "10.5"}, false, func(t *testing.T, c config) {
			if c.strict != "10.5" {
				t.Errorf("strict = %q", c.strict)
			}
		}},
		{"strict release without a spec", []string{"--strict", "9.1"}, true, nil},
		{"strict with versions", []string{"--strict", "10.5", "--versions", "12.0"}, true, nil},
		{"real shapes", []string{"--real-shapes", "../../nbu/testdata/realprimaries"}, false, func(t *testing.T, c config) {
			if c.realShapes != "../../nbu/testdata/realprimaries" {
				t.Errorf("realShapes = %q", c.realShapes)
			}
		}},
		{"real shapes not a folder", []string{"--real-shapes", "main.go"}, true, nil},
		{"user without password", []string{"--user", "monitor"}, true, nil},
		{"zero token validity", []string{"--token-validity", "0s"}, true, nil},
		{"bad version", []string{"--versions", "13"}, true, nil},
		{"cert without key", []string{"--tls-cert", "c.pem"}, true, nil},
		{"ca-out without tls", []string{"--tls-ca-out", "ca.pem"}, true, nil},
		{"negative jobs", []string{"--jobs", "-1"}, true, nil},
		{"zero window", []string{"--window", "0s"}, true, nil},
		{"stray argument", []string{"extra"}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseFlags(tt.args, io.Discard)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}
