package prober

import (
	"math"
	"slices"
)

// idSet is the set of job ids a minute bucket has counted: a job read again (re-read ties, the
// overlap, an update after it finished) must be recognised and not counted twice. A map costs
// about 25 bytes an id; this costs about 9: the ids sorted in a slice with at most a quarter to
// spare, and the ids added since in a short unsorted tail, merged into the slice when it fills.
// Every job a read brings is checked, so the tail stays short enough to scan (about the square
// root of the set), and merging, which copies the slice, happens once per tail.
type idSet struct {
	sorted []int64
	tail   []int64
}

// minIDTail is the least tail: small sets merge every few ids, which is cheap, but not every one.
const minIDTail = 32

func (s *idSet) len() int { return len(s.sorted) + len(s.tail) }

func (s *idSet) has(id int64) bool {
	if _, ok := slices.BinarySearch(s.sorted, id); ok {
		return true
	}
	return slices.Contains(s.tail, id)
}

// add adds id and reports whether it was new.
func (s *idSet) add(id int64) bool {
	if s.has(id) {
		return false
	}
	if s.tail == nil {
		s.tail = make([]int64, 0, minIDTail)
	}
	s.tail = append(s.tail, id)
	if len(s.tail) >= max(minIDTail, int(math.Sqrt(float64(len(s.sorted))))) {
		s.merge()
	}
	return true
}

// merge moves the tail into the sorted slice, from the end, in place when the slice has room.
// When it has not, the slice grows by a quarter: the set is kept for the window's length, so
// spare capacity is paid for an hour (doubling would cost up to 16 bytes an id), and growing by a
// quarter still copies each id only a few times.
func (s *idSet) merge() {
	slices.Sort(s.tail)
	a, n := len(s.sorted), len(s.sorted)+len(s.tail)
	if n > cap(s.sorted) {
		grown := make([]int64, a, n+n/4)
		copy(grown, s.sorted)
		s.sorted = grown
	}
	s.sorted = s.sorted[:n]
	i, j := a-1, len(s.tail)-1
	for k := n - 1; j >= 0; k-- {
		if i >= 0 && s.sorted[i] > s.tail[j] {
			s.sorted[k] = s.sorted[i]
			i--
		} else {
			s.sorted[k] = s.tail[j]
			j--
		}
	}
	s.tail = s.tail[:0]
}
