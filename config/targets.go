package config

import (
	"errors"
	"fmt"
	"net/netip"
	"path"
	"strings"
)

// targetKind says what an allowed_targets entry matches: host names, or addresses in one of three
// ways. A name pattern never matches an address, nor an address pattern a name: "10.1.2.*" must not
// admit the host name "10.1.2.corp", which a search domain or a wildcard record would resolve
// anywhere.
type targetKind int

const (
	namePattern   targetKind = iota // a glob on a host name, label by label
	ipv4Pattern                     // a glob on an IPv4 address, each label one octet
	addressTarget                   // one IPv4 or IPv6 address
	prefixTarget                    // an address prefix (CIDR)
)

// targetPattern is one allowed_targets entry, parsed.
type targetPattern struct {
	kind   targetKind
	glob   string // namePattern and ipv4Pattern: the host glob, in lower case
	addr   netip.Addr
	prefix netip.Prefix
	port   string // a glob on the port; "" matches any port
}

// parseTargetPatterns parses every entry, failing on the first that is malformed or ambiguous.
func parseTargetPatterns(entries []string) ([]targetPattern, error) {
	out := make([]targetPattern, 0, len(entries))
	for _, e := range entries {
		p, err := parseTargetPattern(e)
		if err != nil {
			return nil, keyError("allowed_targets", "pattern %q: %v", e, err)
		}
		out = append(out, p)
	}
	return out, nil
}

func parseTargetPattern(entry string) (targetPattern, error) {
	s := strings.ToLower(entry)
	if s == "" {
		return targetPattern{}, errors.New("empty pattern")
	}
	if p, ok := parseAddressPattern(s); ok {
		return p, nil
	}
	// A bracket holding a ':' opens an IPv6 address; any other opens a character class.
	if inner, _, ok := strings.Cut(s[1:], "]"); s[0] == '[' && ok && strings.Contains(inner, ":") {
		return parseBracketed(s)
	}
	host, port := s, ""
	if i := strings.LastIndex(s, ":"); i >= 0 {
		host, port = s[:i], s[i+1:]
	}
	host = strings.TrimSuffix(host, ".")
	switch {
	case host == "":
		return targetPattern{}, errors.New("no host")
	case strings.Contains(host, ":"):
		return targetPattern{}, errors.New("an IPv6 address is matched whole or by prefix, without wildcards, and goes in brackets before a port: [fd00::5], [fd00::5]:1556, [fd00::/64]")
	}
	if err := checkPortGlob(port, strings.Contains(s, ":")); err != nil {
		return targetPattern{}, err
	}
	if p, ok := parseAddressPattern(host); ok {
		p.port = port
		return p, nil
	}
	for _, r := range host {
		if !isHostChar(r) && !strings.ContainsRune(globChars, r) {
			return targetPattern{}, fmt.Errorf("%q cannot be part of a host name (a prefix is written 10.1.0.0/16, or [fd00::/64])", r)
		}
	}
	p := targetPattern{kind: namePattern, glob: host, port: port}
	labels := strings.Split(host, ".")
	if looksLikeIPv4(labels) {
		if err := checkIPv4Glob(labels); err != nil {
			return targetPattern{}, err
		}
		p.kind = ipv4Pattern
	}
	if _, err := path.Match(labelPath(host), ""); err != nil {
		return targetPattern{}, err
	}
	return p, nil
}

// parseAddressPattern reads s as one address or as a prefix.
func parseAddressPattern(s string) (targetPattern, bool) {
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return targetPattern{kind: addressTarget, addr: a}, true
	}
	if p, err := netip.ParsePrefix(s); err == nil {
		return targetPattern{kind: prefixTarget, prefix: p.Masked()}, true
	}
	return targetPattern{}, false
}

// parseBracketed reads "[fd00::5]", "[fd00::5]:1556", "[fd00::/64]" or "[fd00::/64]:1556".
func parseBracketed(s string) (targetPattern, error) {
	end := strings.Index(s, "]")
	inner, rest := s[1:end], s[end+1:]
	p, ok := parseAddressPattern(inner)
	if !ok {
		return targetPattern{}, fmt.Errorf("[%s] is not an IPv6 address or prefix (IPv6 addresses take no wildcards: list the address, or a prefix such as [fd00::/64])", inner)
	}
	if rest != "" {
		port, ok := strings.CutPrefix(rest, ":")
		if !ok {
			return targetPattern{}, fmt.Errorf("%q after the brackets: want :port", rest)
		}
		if err := checkPortGlob(port, true); err != nil {
			return targetPattern{}, err
		}
		p.port = port
	}
	return p, nil
}

// checkPortGlob accepts a port or a glob on one (15*); given says the entry had a ':'.
func checkPortGlob(port string, given bool) error {
	if given && port == "" {
		return errors.New("empty port after ':'")
	}
	if strings.ContainsFunc(port, func(r rune) bool { return !isDigit(r) && !strings.ContainsRune(globChars, r) }) {
		return fmt.Errorf("port %q: want a number, or a glob on one", port)
	}
	_, err := path.Match(port, "")
	return err
}

// globChars are path.Match's special characters; a label with one of globMeta is a glob, any
// other is written out.
const (
	globChars = `*?[]^!-\`
	globMeta  = "*?["
)

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// isHostChar is true for what a host name is made of (underscores included: some internal names
// have them).
func isHostChar(r rune) bool {
	return isDigit(r) || r >= 'a' && r <= 'z' || r == '-' || r == '_' || r == '.'
}

// looksLikeIPv4 is true for a host glob made of digits and wildcards only that has a number for a
// label or four labels: no host name ends in a number, so such a pattern means addresses.
func looksLikeIPv4(labels []string) bool {
	numeric := false
	for _, l := range labels {
		if l == "" || strings.ContainsFunc(l, func(r rune) bool { return !isDigit(r) && !strings.ContainsRune(globChars, r) }) {
			return false
		}
		numeric = numeric || !strings.ContainsAny(l, globMeta)
	}
	return numeric || len(labels) == 4
}

// checkIPv4Glob wants four labels, each an octet written as targets are (0..255, no leading zero)
// or a glob on one: "10.1.2.*" is 10.1.2.0 to 10.1.2.255, '*' standing for one whole octet.
func checkIPv4Glob(labels []string) error {
	if len(labels) != 4 {
		return fmt.Errorf("an IPv4 address pattern needs four parts, one per octet (such as 10.1.*.*), or a prefix (such as 10.1.0.0/16); got %d", len(labels))
	}
	for _, l := range labels {
		if strings.ContainsAny(l, globMeta) {
			continue
		}
		if a, err := netip.ParseAddr(l + ".0.0.0"); err != nil || !a.Is4() {
			return fmt.Errorf("%q is not an IPv4 octet (0..255, without leading zeros)", l)
		}
	}
	return nil
}

// TargetAllowed reports whether the module may be used against host on port. A name pattern
// matches host names, label by label, ignoring case and a trailing dot; an address pattern (an
// IPv4 glob, an address or a prefix) matches addresses only. A pattern with a port matches that
// port only. See docs/configuration.md, "allowed_targets patterns".
func (m *Module) TargetAllowed(host, port string) bool {
	if m.AllowAnyTarget {
		return true
	}
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
	}
	if h == "" {
		return false
	}
	// An IPv4-mapped address stays an IPv6 address: no IPv4 pattern admits ::ffff:10.0.0.5, so a
	// primary allowed by its IPv4 address is reached under that one spelling.
	addr, err := netip.ParseAddr(h)
	isAddr := err == nil
	for _, p := range m.targetPatterns() {
		if p.matches(h, addr, isAddr, port) {
			return true
		}
	}
	return false
}

// targetPatterns returns the patterns parsed at load; a module built in code parses them now, and
// a malformed one matches nothing.
func (m *Module) targetPatterns() []targetPattern {
	if m.resolved != nil && m.resolved.targets != nil {
		return m.resolved.targets
	}
	var out []targetPattern
	for _, e := range m.AllowedTargets {
		if p, err := parseTargetPattern(e); err == nil {
			out = append(out, p)
		}
	}
	return out
}

func (p targetPattern) matches(host string, addr netip.Addr, isAddr bool, port string) bool {
	if p.port != "" {
		if ok, _ := path.Match(p.port, port); !ok || port == "" {
			return false
		}
	}
	switch p.kind {
	case namePattern:
		return !isAddr && matchLabels(p.glob, host)
	case ipv4Pattern:
		return isAddr && addr.Is4() && matchLabels(p.glob, addr.String())
	case addressTarget:
		return isAddr && addr == p.addr
	case prefixTarget:
		return isAddr && p.prefix.Contains(addr)
	}
	return false
}

// matchLabels matches like path.Match, but with '.' as the separator that '*' and '?' do not
// cross, as in DNS wildcards: "nbu-*.example.com" must not allow "nbu-1.attacker.example".
func matchLabels(pattern, name string) bool {
	ok, _ := path.Match(labelPath(pattern), labelPath(name))
	return ok
}

func labelPath(s string) string { return strings.ReplaceAll(s, ".", "/") }
