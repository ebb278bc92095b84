// Package redact takes secrets (API keys, passwords, session tokens) out of text that is about to
// reach an error, a log line, a label, a span or the debug output. It scrubs any run of MinRun or
// more bytes of a secret, not only the whole secret: a server that echoes half a key must not
// print that half. The work is linear in the text: every MinRun-byte window of every secret is
// kept in a set, and the text is read one window at a time.
package redact

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// MinRun is the shortest run of a secret that is scrubbed, and the shortest secret the exporter
// accepts: a shorter one cannot be told apart from ordinary text (a one-byte token would scrub
// every "e" of every label).
const MinRun = 8

// Marker replaces what is scrubbed.
const Marker = "<redacted>"

// Set is an immutable set of secrets. The nil *Set holds none. A secret shorter than MinRun
// (refused at load and at login, but a caller of the nbu package may still pass one) is matched
// whole.
type Set struct {
	windows map[uint64]struct{} // every MinRun-byte window of every secret, big-endian
	// filter is a one-hash Bloom filter of the windows, 16 bits or more a window, so that most
	// bytes of a text cost no map lookup; shift maps a hash to a bit of it.
	filter  []uint64
	shift   uint
	short   []string
	longest int
}

// New builds the set of the non-empty secrets; nil when there is none.
func New(secrets ...string) *Set {
	s := &Set{}
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		s.longest = max(s.longest, len(secret))
		if len(secret) < MinRun {
			s.short = append(s.short, secret)
			continue
		}
		if s.windows == nil {
			s.windows = map[uint64]struct{}{}
		}
		for i := 0; i+MinRun <= len(secret); i++ {
			s.windows[window(secret[i:])] = struct{}{}
		}
	}
	if s.longest == 0 {
		return nil
	}
	bits := uint(12) // 4096 bits at least
	for 1<<bits < 16*len(s.windows) && bits < 24 {
		bits++
	}
	s.filter, s.shift = make([]uint64, (1<<bits)/64), 64-bits
	for w := range s.windows {
		h := s.filterBit(w)
		s.filter[h/64] |= 1 << (h % 64)
	}
	return s
}

// Longest is the length of the longest secret (0 for none).
func (s *Set) Longest() int {
	if s == nil {
		return 0
	}
	return s.longest
}

func window(b string) uint64 {
	var w uint64
	for i := range MinRun {
		w = w<<8 | uint64(b[i])
	}
	return w
}

func (s *Set) filterBit(w uint64) uint64 { return (w * 0x9E3779B97F4A7C15) >> s.shift }

func (s *Set) hasWindow(w uint64) bool {
	h := s.filterBit(w)
	if s.filter[h/64]&(1<<(h%64)) == 0 {
		return false
	}
	_, ok := s.windows[w]
	return ok
}

// Contains reports whether text holds a run of a secret that String would scrub.
func (s *Set) Contains(text string) bool {
	if s == nil {
		return false
	}
	for _, sh := range s.short {
		if strings.Contains(text, sh) {
			return true
		}
	}
	if s.windows == nil {
		return false
	}
	var w uint64
	for i := range len(text) {
		w = w<<8 | uint64(text[i])
		if i >= MinRun-1 && s.hasWindow(w) {
			return true
		}
	}
	return false
}

// String returns text with every run of MinRun or more bytes of a secret (and every whole short
// secret) replaced by Marker; runs that touch or overlap become one Marker. A run is widened to
// whole UTF-8 characters, so valid text stays valid. Text that holds no secret is returned as it
// is, without allocating.
func (s *Set) String(text string) string {
	if s == nil {
		return text
	}
	spans := s.spans(text)
	if len(spans) == 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	at := 0
	for _, sp := range spans {
		b.WriteString(text[at:sp.from])
		b.WriteString(Marker)
		at = sp.to
	}
	b.WriteString(text[at:])
	return b.String()
}

// Label returns the label value v scrubbed and cut to at most maxBytes bytes without splitting a
// UTF-8 character. It reads at most maxBytes plus the longest secret of v: a secret that crosses
// the cut is still recognised, and a 15 MB value costs what a short one does. What the cut leaves
// of a run is shorter than MinRun. maxBytes <= 0 means no cut.
func (s *Set) Label(v string, maxBytes int) string {
	if maxBytes <= 0 {
		return s.String(v)
	}
	if n := maxBytes + max(s.Longest(), MinRun); len(v) > n {
		v = v[:n]
	}
	return CutUTF8(s.String(v), maxBytes)
}

// CutUTF8 cuts v to at most n bytes without splitting a character.
func CutUTF8(v string, n int) string {
	if len(v) <= n {
		return v
	}
	for n > 0 && !utf8.RuneStart(v[n]) {
		n--
	}
	return v[:n]
}

type span struct{ from, to int }

// spans lists the byte ranges of text to scrub, sorted and merged. The windows are found in order
// and merged as they come, so a text made of secrets costs one span, not one per byte.
func (s *Set) spans(text string) []span {
	var out []span
	if s.windows != nil {
		var w uint64
		for i := range len(text) {
			w = w<<8 | uint64(text[i])
			if i >= MinRun-1 && s.hasWindow(w) {
				out = merge(out, text, span{i + 1 - MinRun, i + 1})
			}
		}
	}
	var short []span
	for _, sh := range s.short {
		for at := 0; ; {
			i := strings.Index(text[at:], sh)
			if i < 0 {
				break
			}
			short = append(short, span{at + i, at + i + len(sh)})
			at += i + 1
		}
	}
	if len(short) == 0 {
		return out
	}
	all := slices.SortedFunc(slices.Values(append(out, short...)), func(a, b span) int { return a.from - b.from })
	out = nil
	for _, sp := range all {
		out = merge(out, text, sp)
	}
	return out
}

// merge appends sp, widened to whole characters, to spans sorted by start, joining it with the
// last one when they touch or overlap.
func merge(spans []span, text string, sp span) []span {
	sp.from, sp.to = runeBounds(text, sp.from, sp.to)
	if n := len(spans); n > 0 && sp.from <= spans[n-1].to {
		spans[n-1].to = max(spans[n-1].to, sp.to)
		return spans
	}
	return append(spans, sp)
}

// runeBounds widens [from, to) to whole UTF-8 characters.
func runeBounds(text string, from, to int) (int, int) {
	for from > 0 && !utf8.RuneStart(text[from]) {
		from--
	}
	for to < len(text) && !utf8.RuneStart(text[to]) {
		to++
	}
	return from, to
}
