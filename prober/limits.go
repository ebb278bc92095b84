package prober

import (
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

// seriesLimits applies the bounds and the secret scrub to the series one collector run builds,
// and counts what they cut.
type seriesLimits struct {
	maxSeries int
	scrub     func(string) string // nil: nothing to scrub

	mu        sync.Mutex
	series    int
	dropped   int
	truncated int
	bytes     int // what the admitted series weigh in the answer, roughly
}

func newSeriesLimits(maxSeries int, scrub func(string) string) *seriesLimits {
	return &seriesLimits{maxSeries: maxSeries, scrub: scrub}
}

// admit reports whether one more series fits, cutting and scrubbing its label values in place.
func (l *seriesLimits) admit(labels []string) bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.maxSeries > 0 && l.series >= l.maxSeries {
		l.dropped++
		return false
	}
	l.series++
	l.bytes += seriesOverhead
	for i, v := range labels {
		if l.scrub != nil {
			v = l.scrub(v)
		}
		if len(v) > maxLabelValueBytes {
			v = cutUTF8(v, maxLabelValueBytes)
			l.truncated++
		}
		labels[i] = v
		l.bytes += len(v)
	}
	return true
}

// absorb adds the counts of series built under other limits (the jobs collector's cached series).
func (l *seriesLimits) absorb(series, dropped, truncated, bytes int) {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.series += series
	l.dropped += dropped
	l.truncated += truncated
	l.bytes += bytes
	l.mu.Unlock()
}

func (l *seriesLimits) counts() (series, dropped, truncated int) {
	if l == nil {
		return 0, 0, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.series, l.dropped, l.truncated
}

func (l *seriesLimits) weight() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bytes
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
