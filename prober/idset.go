package prober

import (
	"cmp"
	"math"
	"slices"
)

// idSet is the set of job ids a minute bucket has counted: a job read again (re-read ties, the
// overlap, an update after it finished) must be recognised and not counted twice. A map costs
// about 25 bytes an id; this costs about 5. NetBackup numbers jobs in order, so the jobs that end
// in one minute have ids close to each other: an id is kept as its 4-byte offset from a base that
// the set's first id decides (near), and only an id more than 2^31 away from that first one (a
// primary whose ids jump, or are negative or huge) as itself (far), which is correct for any id
// and costs what every id cost before. Each part is a sortedSet.
type idSet struct {
	base int64
	near sortedSet[uint32] // id - base
	far  sortedSet[int64]  // the ids near cannot hold
}

// idReach is how far below the first id near reaches (and, less one, above): the first id is
// unlikely to be the lowest of its minute, so the base is put below it rather than at it.
const idReach = 1 << 31

func (s *idSet) len() int { return s.near.len() + s.far.len() }

// offset is id's place in near, ok false when it is outside near's range [base, base+2^32).
func (s *idSet) offset(id int64) (uint32, bool) {
	if id < s.base {
		return 0, false
	}
	d := uint64(id) - uint64(s.base) // id - base exactly: id >= base, and the difference fits in 64 bits unsigned
	return uint32(d), d <= math.MaxUint32
}

// has reports whether id is in the set: a full state asks it before refusing a job, so that a job
// read again is not counted as one left out.
func (s *idSet) has(id int64) bool {
	if o, ok := s.offset(id); ok {
		return s.near.has(o)
	}
	return s.far.has(id)
}

// add adds id and reports whether it was new.
func (s *idSet) add(id int64) bool {
	if s.len() == 0 {
		// The base is set once, by the first id, so that an id always belongs to the same part.
		s.base = math.MinInt64
		if id >= math.MinInt64+idReach {
			s.base = id - idReach
		}
	}
	if o, ok := s.offset(id); ok {
		return s.near.add(o)
	}
	return s.far.add(id)
}

// sortedSet holds values sorted in a slice with at most a quarter to spare, and the values added
// since in a short unsorted tail, merged into the slice when it fills. Every job a read brings is
// checked, so the tail stays short enough to scan (about the square root of the set), and merging,
// which copies the slice, happens once per tail.
type sortedSet[T cmp.Ordered] struct {
	sorted []T
	tail   []T
}

// minIDTail is the least tail: small sets merge every few ids, which is cheap, but not every one.
const minIDTail = 32

func (s *sortedSet[T]) len() int { return len(s.sorted) + len(s.tail) }

func (s *sortedSet[T]) has(v T) bool {
	if _, ok := slices.BinarySearch(s.sorted, v); ok {
		return true
	}
	return slices.Contains(s.tail, v)
}

// add adds v and reports whether it was new.
func (s *sortedSet[T]) add(v T) bool {
	if s.has(v) {
		return false
	}
	if s.tail == nil {
		s.tail = make([]T, 0, minIDTail)
	}
	s.tail = append(s.tail, v)
	if len(s.tail) >= max(minIDTail, int(math.Sqrt(float64(len(s.sorted))))) {
		s.merge()
	}
	return true
}

// merge moves the tail into the sorted slice, from the end, in place when the slice has room.
// When it has not, the slice grows by a quarter: the set is kept for the window's length, so
// spare capacity is paid for an hour (doubling would cost up to twice the values' size), and
// growing by a quarter still copies each value only a few times.
func (s *sortedSet[T]) merge() {
	slices.Sort(s.tail)
	a, n := len(s.sorted), len(s.sorted)+len(s.tail)
	if n > cap(s.sorted) {
		grown := make([]T, a, n+n/4)
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
