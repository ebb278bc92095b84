package prober

import (
	"math"
	"math/rand/v2"
	"slices"
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

// Ids that do not fit an offset from the set's base (far apart, negative, at the int64 extremes,
// on either side of the base's reach) are kept as well as the close ones, each in one place.
func TestIDSetFarIDs(t *testing.T) {
	const lo, hi = math.MinInt64, math.MaxInt64
	for _, tc := range []struct {
		name string
		ids  []int64
	}{
		{"far apart", []int64{1, 1 << 40, 2, 1<<40 + 1, 1 << 62, 3}},
		{"negative", []int64{-1, -5, -1 << 33, 0, 7, -1 << 62}},
		{"int64 extremes", []int64{hi, lo, 0, hi - 1, lo + 1, -1, 1}},
		{"lowest first", []int64{lo, lo + 1, lo + idReach, lo + 1<<32 - 1, lo + 1<<32, hi}},
		{"highest first", []int64{hi, hi - 1, hi - idReach, hi - idReach - 1, lo}},
		{"edges of the reach", []int64{1 << 40, 1<<40 - idReach, 1<<40 - idReach - 1, 1<<40 + idReach - 1, 1<<40 + idReach, 1<<40 + 1<<32}},
		{"first id the highest of its minute", []int64{9_000_000, 8_999_999, 8_999_000, 8_000_000, 9_000_001}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s idSet
			for i, id := range tc.ids {
				if s.has(id) {
					t.Fatalf("has(%d) before it was added", id)
				}
				if !s.add(id) {
					t.Fatalf("add(%d) = false for a new id", id)
				}
				for _, seen := range tc.ids[:i+1] {
					if !s.has(seen) || s.add(seen) {
						t.Fatalf("after adding %d: id %d not found, or added again", id, seen)
					}
				}
			}
			if s.len() != len(tc.ids) {
				t.Errorf("len %d, want %d", s.len(), len(tc.ids))
			}
			for _, id := range []int64{4, -4, 1<<40 + 2, lo + 2, hi - 2, 1 << 61} {
				if s.has(id) != slices.Contains(tc.ids, id) {
					t.Errorf("has(%d) = %v", id, s.has(id))
				}
			}
		})
	}
}

// The id set answers as a map would for ids drawn around a few centres anywhere in int64 (the
// extremes included), some close to each other and some not, enough of each to merge many tails.
func TestIDSetMatchesAMap(t *testing.T) {
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 13))
		centres := []int64{r.Int64(), -r.Int64(), math.MaxInt64, math.MinInt64, 0, r.Int64N(1 << 40)}
		spreads := []int64{50, 5000, 1 << 31, 1 << 33, math.MaxInt64}
		pick := func() int64 {
			c, sp := centres[r.IntN(len(centres))], spreads[r.IntN(len(spreads))]
			id := c + r.Int64N(sp) - sp/2 // may wrap around int64: any id will do
			if r.IntN(8) == 0 {
				id = r.Int64() - r.Int64()
			}
			return id
		}
		var s idSet
		want := map[int64]bool{}
		for range 3000 {
			id := pick()
			if s.add(id) == want[id] {
				t.Fatalf("seed %d: add(%d) = %v with the id seen before = %v", seed, id, !want[id], want[id])
			}
			want[id] = true
			if probe := pick(); s.has(probe) != want[probe] {
				t.Fatalf("seed %d: has(%d) = %v, want %v", seed, probe, s.has(probe), want[probe])
			}
		}
		if s.len() != len(want) || s.near.len()+s.far.len() != len(want) {
			t.Fatalf("seed %d: len %d, want %d", seed, s.len(), len(want))
		}
		for id := range want {
			if !s.has(id) {
				t.Fatalf("seed %d: id %d lost", seed, id)
			}
		}
	}
}

// A minute's ids close together all go to the 4-byte part, the others to the int64 one: near
// reaches idReach below the first id and idReach-1 above it, or from the lowest int64 up when
// the first id is too low for that.
func TestIDSetCloseIDsAreOffsets(t *testing.T) {
	for _, tc := range []struct {
		first     int64
		near, far []int64
	}{
		{5_000_000, []int64{5_000_001, 4_000_000, 5_000_000 - idReach, 5_000_000 + idReach - 1}, []int64{-1 << 40, 5_000_000 - idReach - 1, 5_000_000 + idReach}},
		{math.MinInt64 + 5, []int64{math.MinInt64, math.MinInt64 + 1<<32 - 1}, []int64{math.MinInt64 + 1<<32, 0}},
		{math.MaxInt64, []int64{math.MaxInt64 - idReach}, []int64{math.MaxInt64 - idReach - 1, math.MinInt64}},
	} {
		var s idSet
		s.add(tc.first)
		for _, id := range tc.near {
			if n := s.near.len(); !s.add(id) || s.near.len() != n+1 {
				t.Errorf("first %d: %d not kept as an offset", tc.first, id)
			}
		}
		for _, id := range tc.far {
			if n := s.far.len(); !s.add(id) || s.far.len() != n+1 {
				t.Errorf("first %d: %d not kept as itself", tc.first, id)
			}
		}
	}
}
