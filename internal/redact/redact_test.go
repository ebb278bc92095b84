package redact

import (
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

const key = "k3y-0123456789abcdef" // 20 bytes

func TestString(t *testing.T) {
	for _, tc := range []struct {
		name    string
		secrets []string
		text    string
		want    string
	}{
		{"no secret", nil, "plain " + key, "plain " + key},
		{"whole key", []string{key}, "sent " + key + " back", "sent " + Marker + " back"},
		{"half the key", []string{key}, "echo " + key[:10] + "!", "echo " + Marker + "!"},
		{"the key's middle", []string{key}, "x" + key[6:14] + "y", "x" + Marker + "y"},
		{"seven bytes stay", []string{key}, "x" + key[:7] + "y", "x" + key[:7] + "y"},
		{"at the start", []string{key}, key[4:] + " tail", Marker + " tail"},
		{"at the end", []string{key}, "head " + key[:12], "head " + Marker},
		{"the text is the key", []string{key}, key, Marker},
		{"twice, touching", []string{key}, key + key, Marker},
		{"two runs apart", []string{key}, key[:8] + "--" + key[10:], Marker + "--" + Marker},
		{"repeated characters", []string{"aaaaaaaaaaaa"}, "baaaaaaaab aaaaaaa aaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "b" + Marker + "b aaaaaaa " + Marker},
		{"overlapping secrets", []string{"abcdefghij", "ghijklmnop"}, "<abcdefghijklmnop>", "<" + Marker + ">"},
		{"a run across two secrets is not one", []string{"abcdefgh", "12345678"}, "efgh1234", "efgh1234"},
		{"utf-8 secret", []string{"pässwörd-ünïcode"}, "got ässwörd-ü!", "got " + Marker + "!"},
		{"a run starting inside a character", []string{"xéééééé"}, "aéééé", "a" + Marker},
		{"short secret whole", []string{"abc"}, "xabcxab", "x" + Marker + "xab"},
		{"short secret overlapping", []string{"aba"}, "ababa", Marker},
		{"short and long touching", []string{"abc", key}, "abc" + key, Marker},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(tc.secrets...)
			if got := s.String(tc.text); got != tc.want {
				t.Errorf("String(%q) = %q, want %q", tc.text, got, tc.want)
			}
			if got, want := s.Contains(tc.text), tc.want != tc.text; got != want {
				t.Errorf("Contains(%q) = %v, want %v", tc.text, got, want)
			}
		})
	}
}

// reference scrubs the slow way: a byte is covered when one of the MinRun-byte windows that hold
// it is a substring of a secret.
func reference(secrets []string, text string) string {
	isSecret := func(w string) bool {
		for _, s := range secrets {
			if len(s) >= MinRun && strings.Contains(s, w) {
				return true
			}
		}
		return false
	}
	covered := make([]bool, len(text))
	for i := 0; i+MinRun <= len(text); i++ {
		if isSecret(text[i : i+MinRun]) {
			for j := i; j < i+MinRun; j++ {
				covered[j] = true
			}
		}
	}
	var spans []span
	for i := 0; i < len(text); {
		if !covered[i] {
			i++
			continue
		}
		j := i
		for j < len(text) && covered[j] {
			j++
		}
		from, to := runeBounds(text, i, j)
		if n := len(spans); n > 0 && from <= spans[n-1].to {
			spans[n-1].to = max(spans[n-1].to, to)
		} else {
			spans = append(spans, span{from, to})
		}
		i = j
	}
	var b strings.Builder
	at := 0
	for _, sp := range spans {
		b.WriteString(text[at:sp.from] + Marker)
		at = sp.to
	}
	return b.String() + text[at:]
}

// Texts spliced from pieces of the secrets and noise scrub as the slow reference does.
func TestStringMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", "é", "ü", "-", "0"}
	randomSecret := func() string {
		var b strings.Builder
		for b.Len() < MinRun+rng.IntN(20) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 2000 {
		secrets := []string{randomSecret(), randomSecret()}
		var b strings.Builder
		for range 1 + rng.IntN(6) {
			if rng.IntN(2) == 0 {
				s := secrets[rng.IntN(2)]
				from := rng.IntN(len(s))
				b.WriteString(s[from : from+rng.IntN(len(s)-from+1)])
			} else {
				b.WriteString(alphabet[rng.IntN(len(alphabet))])
			}
		}
		text := b.String()
		if got, want := New(secrets...).String(text), reference(secrets, text); got != want {
			t.Fatalf("secrets %q, text %q: String = %q, reference = %q", secrets, text, got, want)
		}
	}
}

func TestLabel(t *testing.T) {
	s := New(key)
	for _, tc := range []struct {
		name, v string
		max     int
		want    string
	}{
		{"short value", "pool-1", 16, "pool-1"},
		{"cut", strings.Repeat("x", 40), 16, strings.Repeat("x", 16)},
		{"cut before a split character", strings.Repeat("x", 15) + "é", 16, strings.Repeat("x", 15)},
		{"key across the cut", strings.Repeat("s", 10) + key, 16, strings.Repeat("s", 10) + "<redac"},
		{"key just past the cut", strings.Repeat("s", 16) + key, 16, strings.Repeat("s", 16)},
		{"no cut", "a" + key, 0, "a" + Marker},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := s.Label(tc.v, tc.max)
			if got != tc.want {
				t.Errorf("Label = %q, want %q", got, tc.want)
			}
			if !utf8.ValidString(got) || (tc.max > 0 && len(got) > tc.max) {
				t.Errorf("Label = %q: invalid UTF-8 or longer than %d", got, tc.max)
			}
		})
	}
	if got := (*Set)(nil).Label("abcdef", 3); got != "abc" {
		t.Errorf("nil set: Label = %q", got)
	}
}

// A 15 MB label value full of the secret costs what the kept bytes and one secret cost: the value
// is never read whole nor copied.
func TestLabelReadsABoundedPrefix(t *testing.T) {
	s := New(key, "e-token-1234")
	huge := strings.Repeat(key, 15<<20/len(key))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	got := s.Label(huge, 256)
	runtime.ReadMemStats(&after)
	if got != Marker {
		t.Errorf("Label = %q, want the marker alone", got)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<10 {
		t.Errorf("Label allocated %d bytes for a 15 MB value", alloc)
	}
	plain := strings.Repeat("x", 1<<20)
	if n := testing.AllocsPerRun(10, func() { _ = s.Label(plain, 256) }); n != 0 {
		t.Errorf("Label of a value without a secret: %v allocations, want 0 (cut, not copied)", n)
	}
}

func TestNoSecret(t *testing.T) {
	if New() != nil || New("", "") != nil {
		t.Error("New of no secret is not nil")
	}
	var s *Set
	if s.String("x") != "x" || s.Contains("x") || s.Longest() != 0 {
		t.Error("the nil set scrubs")
	}
	text := "nothing secret here, long enough to have windows"
	set := New(key)
	if n := testing.AllocsPerRun(100, func() { _ = set.String(text) }); n != 0 {
		t.Errorf("String of text without a secret: %v allocations, want 0", n)
	}
}

// FuzzString checks String against the slow reference, and that what it returns holds no run of
// a secret and is valid UTF-8 when the text is.
func FuzzString(f *testing.F) {
	f.Add("k3y-0123456789abcdef", "aaaaaaaaaa", "echo k3y-0123456 and aaaaaaaaa é")
	f.Add("pässwörd-ünïcode", "x", "ässwörd-ü!x")
	f.Fuzz(func(t *testing.T, a, b, text string) {
		secrets := []string{a, b}
		got := New(secrets...).String(text)
		if want := reference(secrets, text); got != want && len(b) >= MinRun && len(a) >= MinRun {
			t.Fatalf("String = %q, reference = %q", got, want)
		}
		if utf8.ValidString(text) && !utf8.ValidString(got) {
			t.Fatalf("String(%q) = %q: not valid UTF-8", text, got)
		}
		for _, s := range secrets {
			if len(s) >= MinRun && New(s).Contains(strings.ReplaceAll(got, Marker, "\x00")) {
				t.Fatalf("String(%q) = %q still holds a run of %q", text, got, s)
			}
		}
	})
}
