package prober

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// names lists the modules of the kept probes, newest first, as the landing page shows them.
func names(h *History) string {
	var out []string
	for _, r := range h.List() {
		out = append(out, r.Module)
	}
	return strings.Join(out, " ")
}

func TestHistory(t *testing.T) {
	tests := []struct {
		name  string
		limit int
		adds  string // one probe per word: s<name> succeeded, f<name> failed
		want  string
	}{
		{"under the limit", 3, "s1 f2", "f2 s1"},
		{"successes pushed out", 3, "s1 s2 s3 s4 s5", "s5 s4 s3"},
		{"failure outlives many successes", 3, "f1 s2 s3 s4 s5 s6 s7 s8 s9", "s9 s8 s7 f1"},
		{"older failures are bounded too", 2, "f1 f2 f3 f4 f5 s6 s7", "s7 s6 f5 f4"},
		{"limit 1", 1, "f1 s2 f3 s4", "s4 f3"},
		{"disabled", 0, "f1 s2", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHistory(tc.limit)
			for _, a := range strings.Fields(tc.adds) {
				h.Add(ProbeResult{Module: a, Success: a[0] == 's', DebugOutput: "debug " + a})
			}
			if got := names(h); got != tc.want {
				t.Errorf("kept %q, want %q", got, tc.want)
			}
			for _, r := range h.List() {
				got, ok := h.Get(r.ID)
				if !ok || got.DebugOutput != "debug "+r.Module {
					t.Errorf("Get(%d) = %+v, %v", r.ID, got, ok)
				}
			}
		})
	}
}

func TestHistoryGetDropped(t *testing.T) {
	h := NewHistory(1)
	first := h.Add(ProbeResult{Module: "a", Success: true})
	second := h.Add(ProbeResult{Module: "b", Success: true})
	if _, ok := h.Get(first); ok {
		t.Error("a success pushed out of the history is still returned")
	}
	if r, ok := h.Get(second); !ok || r.Module != "b" {
		t.Errorf("Get(%d) = %+v, %v", second, r, ok)
	}
}

func TestHistoryNil(t *testing.T) {
	var h *History
	if id := h.Add(ProbeResult{}); id != 0 {
		t.Errorf("nil Add = %d", id)
	}
	if len(h.List()) != 0 {
		t.Error("nil List not empty")
	}
	if _, ok := h.Get(0); ok {
		t.Error("nil Get found something")
	}
}

func TestHistoryConcurrent(t *testing.T) {
	const limit, writers, each = 10, 8, 50
	h := NewHistory(limit)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				h.Add(ProbeResult{Module: fmt.Sprint(w, "-", i), Success: i%2 == 0})
				_ = h.List()
			}
		}()
	}
	wg.Wait()
	if n := len(h.List()); n != 2*limit {
		t.Errorf("kept %d probes, want %d (limit recent plus limit older failures)", n, 2*limit)
	}
}
