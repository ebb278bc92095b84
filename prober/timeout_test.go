package prober

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestProbeTimeout(t *testing.T) {
	tests := []struct {
		header string
		module time.Duration
		offset time.Duration
		want   time.Duration
		err    string
	}{
		{header: "", module: 30 * time.Second, offset: 500 * time.Millisecond, want: 30 * time.Second},
		{header: "15", module: 30 * time.Second, offset: 500 * time.Millisecond, want: 14500 * time.Millisecond},
		{header: "15", module: 5 * time.Second, offset: 500 * time.Millisecond, want: 5 * time.Second},
		{header: "9.5", module: 30 * time.Second, offset: time.Second, want: 8500 * time.Millisecond},
		{header: "0.4", module: 30 * time.Second, offset: 500 * time.Millisecond, want: 200 * time.Millisecond},
		{header: "abc", module: 30 * time.Second, err: "invalid value"},
		{header: "-3", module: 30 * time.Second, err: "invalid value"},
		{header: "NaN", module: 30 * time.Second, err: "invalid value"},
	}
	for _, tc := range tests {
		r := httptest.NewRequest("GET", "/probe", nil)
		if tc.header != "" {
			r.Header.Set(scrapeTimeoutHeader, tc.header)
		}
		got, err := probeTimeout(r, tc.module, tc.offset)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("header %q: err = %v, want %q", tc.header, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("header %q module %v offset %v: got %v, %v; want %v", tc.header, tc.module, tc.offset, got, err, tc.want)
		}
	}
}
