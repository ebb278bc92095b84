package prober

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// head keeps what the history keeps of a log, without copying the rest first, and says what it
// left out.
func TestLogHeadCutsAtACharacter(t *testing.T) {
	tests := []struct {
		name, log string
		limit     int
		want      string // a prefix of the answer
		cut       bool
	}{
		{"short", "a line\n", 64, "a line\n", false},
		{"exactly", "12345678", 8, "12345678", false},
		{"long", strings.Repeat("x", 100), 10, strings.Repeat("x", 10) + "\n... log truncated for the history: 90 more bytes", true},
		{"character on the cut", "abcdefgh€€", 9, "abcdefgh\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &lockedBuffer{}
			_, _ = b.Write([]byte(tt.log))
			got := b.head(tt.limit)
			if !strings.HasPrefix(got, tt.want) || strings.Contains(got, "truncated") != tt.cut || !utf8.ValidString(got) {
				t.Errorf("head(%d) = %q, want it to start with %q (cut: %v)", tt.limit, got, tt.want, tt.cut)
			}
		})
	}
}
