package nbu

import "testing"

func TestStatusCodeLabel(t *testing.T) {
	for code, want := range map[int]string{
		0: "0", 200: "200", 201: "201", 206: "206", 303: "303", 401: "401", 406: "406", 429: "429",
		502: "502", 504: "504", 507: "507", 203: "2xx", 302: "3xx", 418: "4xx", 499: "4xx", 599: "5xx",
		100: "1xx", 99: "other", 600: "other", 999: "other", -1: "other",
	} {
		if got := StatusCodeLabel(code); got != want {
			t.Errorf("StatusCodeLabel(%d) = %q, want %q", code, got, want)
		}
	}
	seen := map[string]bool{}
	for code := range 1000 {
		seen[StatusCodeLabel(code)] = true
	}
	if len(seen) > 32 {
		t.Errorf("%d label values for statuses 0-999", len(seen))
	}
}
