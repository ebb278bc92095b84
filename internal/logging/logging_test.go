package logging

import (
	"bytes"
	"strings"
	"testing"
)

func TestNewFiltersAndFormats(t *testing.T) {
	tests := []struct {
		level, format string
		wantDebug     bool
		wantPrefix    string
	}{
		{"info", "logfmt", false, "level="},
		{"debug", "logfmt", true, "level="},
		{"info", "json", false, `"level":"info"`},
	}
	for _, tc := range tests {
		var buf bytes.Buffer
		l, err := New(&buf, tc.level, tc.format)
		if err != nil {
			t.Fatalf("%s/%s: %v", tc.level, tc.format, err)
		}
		sl := NewSlogLogger(l)
		sl.Debug("quiet", "k", "v")
		sl.Info("loud", "k", "v")
		out := buf.String()
		if got := strings.Contains(out, "quiet"); got != tc.wantDebug {
			t.Errorf("%s/%s: debug line present = %v, want %v:\n%s", tc.level, tc.format, got, tc.wantDebug, out)
		}
		if !strings.Contains(out, "loud") || !strings.Contains(out, tc.wantPrefix) {
			t.Errorf("%s/%s: info line missing or wrong format:\n%s", tc.level, tc.format, out)
		}
	}
}

func TestNewRejectsBadValues(t *testing.T) {
	if _, err := New(&bytes.Buffer{}, "loud", "logfmt"); err == nil || !strings.Contains(err.Error(), `"loud"`) {
		t.Errorf("bad level: got %v", err)
	}
	if _, err := New(&bytes.Buffer{}, "info", "xml"); err == nil || !strings.Contains(err.Error(), `"xml"`) {
		t.Errorf("bad format: got %v", err)
	}
}

func TestSlogGroupsAndAttrs(t *testing.T) {
	var buf bytes.Buffer
	l, _ := New(&buf, "debug", "logfmt")
	NewSlogLogger(l).WithGroup("http").With("addr", ":1").Warn("listening", "tls", true)
	out := buf.String()
	for _, want := range []string{"level=warn", "msg=listening", "http.addr=:1", "http.tls=true"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in %s", want, out)
		}
	}
}
