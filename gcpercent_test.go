package main

import "testing"

func TestGCPercentDefaultsUnlessGOGCIsSet(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want int // the percent set; 0: none
	}{
		{"unset", map[string]string{}, defaultGCPercent},
		{"set", map[string]string{"GOGC": "200"}, 0},
		{"set to off", map[string]string{"GOGC": "off"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := 0
			lookup := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			applied := applyGCPercent(lookup, func(p int) int { got = p; return 100 })
			if got != tt.want || applied != (tt.want != 0) {
				t.Errorf("set %d (applied %v), want %d", got, applied, tt.want)
			}
		})
	}
}
