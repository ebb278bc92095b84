package prober

import (
	"math/rand/v2"
	"testing"
)

// The id set answers as a map would, whatever the order and repetition of the ids: a job is
// counted once.
func TestIDSetIsASet(t *testing.T) {
	for _, tc := range []struct {
		name   string
		n, max int64
	}{
		{"few, many repeats", 200, 50},
		{"a minute's jobs", 5000, 4000},
		{"sparse ids", 20000, 1 << 40},
		{"negative ids", 3000, -1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(tc.n)))
			var s idSet
			want := map[int64]bool{}
			for range tc.n {
				id := r.Int64N(abs64(tc.max))
				if tc.max < 0 {
					id = -id
				}
				if got := s.add(id); got == want[id] {
					t.Fatalf("add(%d) = %v with the id seen before = %v", id, got, want[id])
				}
				want[id] = true
				if probe := r.Int64N(abs64(tc.max)); s.has(probe) != want[probe] {
					t.Fatalf("has(%d) = %v, want %v", probe, s.has(probe), want[probe])
				}
			}
			if s.len() != len(want) {
				t.Errorf("len %d, want %d", s.len(), len(want))
			}
			for id := range want {
				if !s.has(id) {
					t.Errorf("id %d lost", id)
				}
			}
		})
	}
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
