package prober

import (
	"hash/maphash"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/netbackup-exporter/netbackup_exporter/config"
	"github.com/netbackup-exporter/netbackup_exporter/internal/redact"
)

// Bounds on what one collector may put into a probe's answer: whatever a primary sends (50k
// distinct job types, a 20 MB storage unit name) must cost a bounded answer.
const (
	// maxLabelValueBytes cuts label values: NetBackup names are short, a longer value is junk.
	maxLabelValueBytes = 256
	// maxAnswerBytes bounds one probe's answer: what its collectors' series weigh (label values
	// and a share for the name and value of each). A collector whose series would pass it is left
	// out of the answer and fails; a real master's answer is a few megabytes.
	maxAnswerBytes = 64 << 20
	seriesOverhead = 64
)

// Reasons a series is left out, the reason label of nbu_series_dropped.
const (
	dropMaxSeries  = "max_series"  // past the module's max_series
	dropDuplicate  = "duplicate"   // the same family and label values as a series kept before, once cut and scrubbed
	dropAnswerSize = "answer_size" // the collector's series would have passed the answer's size bound
)

var dropReasons = []string{dropMaxSeries, dropDuplicate, dropAnswerSize}

// seriesCounts is what bounding one collector's series did.
type seriesCounts struct {
	series    int // kept
	truncated int // label values cut to maxLabelValueBytes
	bytes     int // what the kept series weigh in the answer, roughly
	// Series left out, by reason.
	overMax, duplicates, tooLarge int
}

func (c seriesCounts) dropped(reason string) int {
	switch reason {
	case dropMaxSeries:
		return c.overMax
	case dropDuplicate:
		return c.duplicates
	case dropAnswerSize:
		return c.tooLarge
	}
	return 0
}

func (c seriesCounts) droppedTotal() int { return c.overMax + c.duplicates + c.tooLarge }

// seriesLimits applies the bounds and the secret scrub to the series one collector run builds,
// and counts what they cut.
type seriesLimits struct {
	maxSeries int
	scrub     labelScrub // nil: nothing to scrub

	mu     sync.Mutex
	seen   map[uint64]struct{} // the seriesHash of each series kept
	counts seriesCounts
}

// labelScrub returns a label value with the module's secrets scrubbed, cut to at most maxBytes
// bytes; it reads at most maxBytes plus the longest secret, so a huge value costs what a short one
// does (nbu.Client.ScrubLabel).
type labelScrub func(v string, maxBytes int) string

func newSeriesLimits(maxSeries int, scrub labelScrub) *seriesLimits {
	return &seriesLimits{maxSeries: maxSeries, scrub: scrub}
}

// admit reports whether one more series of the family name fits, making its label values what a
// label value may be, in place (labelValue); it returns the series' seriesHash. A nil limits
// admits everything, unhashed.
func (l *seriesLimits) admit(name string, labels []string) (uint64, bool) {
	if l == nil {
		return 0, true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	cut, weight := 0, seriesOverhead
	for i, v := range labels {
		v, wasCut := l.labelValue(v)
		if wasCut {
			cut++
		}
		labels[i] = v
		weight += len(v)
	}
	h := seriesHash(name, labels)
	if _, dup := l.seen[h]; dup {
		l.counts.duplicates++
		return 0, false
	}
	if l.maxSeries > 0 && l.counts.series >= l.maxSeries {
		l.counts.overMax++
		return 0, false
	}
	if l.seen == nil {
		l.seen = map[uint64]struct{}{}
	}
	l.seen[h] = struct{}{}
	l.counts.series++
	l.counts.truncated += cut
	l.counts.bytes += weight
	return h, true
}

// labelValue is v as a label value may be: the module's secrets scrubbed (together with the cut, so
// that no piece of one is left at the end), cut to maxLabelValueBytes, and valid UTF-8 (the
// registry refuses anything else: an invalid byte becomes U+FFFD). This is the one place a label
// value is scrubbed.
func (l *seriesLimits) labelValue(v string) (string, bool) {
	cut := len(v) > maxLabelValueBytes
	if l.scrub != nil {
		v = l.scrub(v, maxLabelValueBytes)
	} else if cut {
		v = cutUTF8(v, maxLabelValueBytes)
	}
	if !utf8.ValidString(v) {
		v = cutUTF8(strings.ToValidUTF8(v, "\uFFFD"), maxLabelValueBytes)
	}
	return v, cut
}

// seriesSeed seeds seriesHash for the life of the process.
var seriesSeed = maphash.MakeSeed()

// seriesHash tells series apart as the registry does, by a 64-bit hash of the family name and the
// label values (separated by a byte that valid UTF-8 never holds): two series of a set, a few
// thousand at most, share one only by chance, far less likely than a hardware fault.
func seriesHash(name string, labels []string) uint64 {
	var h maphash.Hash
	h.SetSeed(seriesSeed)
	h.WriteString(name)
	for _, v := range labels {
		h.WriteByte(0xff)
		h.WriteString(v)
	}
	return h.Sum64()
}

// absorb adds the counts of series built under other limits (the jobs collector's cached series).
func (l *seriesLimits) absorb(c seriesCounts) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.counts.series += c.series
	l.counts.truncated += c.truncated
	l.counts.bytes += c.bytes
	l.counts.overMax += c.overMax
	l.counts.duplicates += c.duplicates
	l.counts.tooLarge += c.tooLarge
}

// done returns the counts and forgets the series seen: a finished run admits no more.
func (l *seriesLimits) done() seriesCounts {
	if l == nil {
		return seriesCounts{}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen = nil
	return l.counts
}

// cutUTF8 cuts s to at most n bytes without splitting a character.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// secretScrubber replaces every run of 8 or more bytes of the secrets in a text with <redacted>
// (a server echoing half a key must not print that half); nil when there is none.
func secretScrubber(secrets ...string) func(string) string {
	set := redact.New(secrets...)
	if set == nil {
		return nil
	}
	return set.String
}

// moduleSecrets are the credentials of a module that must never reach an answer or a log line.
func moduleSecrets(m *config.Module) []string {
	return []string{m.APIKeyValue(), m.PasswordValue()}
}
