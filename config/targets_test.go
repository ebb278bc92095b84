package config

import (
	"strings"
	"testing"
)

func TestTargetAllowed(t *testing.T) {
	m := testSchema.DefaultModule()
	m.AllowedTargets = []string{
		"nbu-*.example.com",
		"10.0.0.5:1556",
		"[::1]:1556",
		"[fd00::7]",
		"NBU-Upper.Example.COM",
		"backup?.corp",
		"10.1.0.*",
	}
	open := testSchema.DefaultModule()
	open.AllowAnyTarget = true

	for _, tc := range []struct {
		module     *Module
		host, port string
		want       bool
	}{
		{&m, "nbu-1.example.com", "1556", true},
		{&m, "nbu-1.example.com", "", true},
		{&m, "NBU-1.EXAMPLE.COM", "1556", true},
		{&m, "nbu-1.example.com.", "1556", true},
		{&m, "nbu-upper.example.com", "1556", true},
		{&m, "other.example.com", "1556", false},
		{&m, "nbu-1.example.org", "1556", false},
		{&m, "10.0.0.5", "1556", true},
		{&m, "10.0.0.5", "443", false},
		{&m, "10.0.0.5", "", false},
		{&m, "10.0.0.6", "1556", false},
		{&m, "::1", "1556", true},
		{&m, "[::1]", "1556", true},
		{&m, "::1", "443", false},
		{&m, "1", "1556", false}, // "[::1]" is not the character class [:1]
		{&m, "fd00::7", "443", true},
		{&m, "FD00::7", "443", true},
		{&m, "fd00:0:0::7", "443", true}, // the same address, spelt otherwise
		{&m, "fd00::8", "443", false},
		{&m, "backup1.corp", "1556", true},
		{&m, "backup12.corp", "1556", false},
		{&m, "", "", false},
		// '*' and '?' stop at dots, as DNS wildcards do.
		{&m, "nbu-1.attacker.example", "1556", false},
		{&m, "nbu-1.example.com.attacker.example", "1556", false},
		{&m, "10.1.0.9", "1556", true},
		{&m, "10.1.0.9.attacker.example", "1556", false},
		{&m, "backup..corp", "1556", false},
		{&open, "anything.example.net", "9999", true},
	} {
		if got := tc.module.TargetAllowed(tc.host, tc.port); got != tc.want {
			t.Errorf("TargetAllowed(%q, %q) with %v = %v, want %v", tc.host, tc.port, tc.module.AllowedTargets, got, tc.want)
		}
	}
}

// A pattern of numbers matches addresses only, a pattern of names names only: "10.1.2.*" must not
// admit the host name "10.1.2.corp", which a search domain or a wildcard record resolves anywhere.
func TestTargetPatternKinds(t *testing.T) {
	for _, tc := range []struct {
		pattern, host, port string
		want                bool
	}{
		{"10.1.2.*", "10.1.2.3", "1556", true},
		{"10.1.2.*", "10.1.2.255", "1", true},
		{"10.1.2.*", "10.1.2.corp", "1556", false},
		{"10.1.2.*", "10.1.2.3.corp", "1556", false},
		{"10.1.2.*", "10.1.3.3", "1556", false},
		{"10.1.2.*", "10.1.2", "1556", false},
		{"10.1.2.*", "::ffff:10.1.2.3", "1556", false}, // another spelling, another session
		{"10.1.*.*", "10.1.200.7", "1556", true},
		{"*.*.*.*", "192.0.2.1", "1556", true},
		{"*.*.*.*", "a.b.c.d", "1556", false},
		{"1?.0.0.1", "12.0.0.1", "1556", true},
		{"1?.0.0.1", "1.0.0.1", "1556", false},
		{"192.168.0.[1-3]", "192.168.0.2", "1556", true},
		{"192.168.0.[1-3]", "192.168.0.4", "1556", false},
		{"10.1.2.*:1556", "10.1.2.3", "1556", true},
		{"10.1.2.*:1556", "10.1.2.3", "443", false},
		{"10.0.0.5", "10.0.0.5", "443", true},
		{"10.0.0.5", "10.0.0.5.corp", "443", false},
		// Prefixes (CIDR), with and without a port.
		{"10.2.0.0/16", "10.2.255.1", "1556", true},
		{"10.2.0.0/16", "10.3.0.1", "1556", false},
		{"10.2.0.0/16", "10.2.0.0.corp", "1556", false},
		{"10.2.0.0/16:1556", "10.2.0.9", "1556", true},
		{"10.2.0.0/16:1556", "10.2.0.9", "443", false},
		{"[fd00:1::/64]", "fd00:1::5", "1556", true},
		{"[fd00:1::/64]", "fd00:1:0:0:ffff::1", "1556", true},
		{"[fd00:1::/64]", "fd00:2::1", "1556", false},
		{"[fd00:1::/64]:1556", "fd00:1::5", "443", false},
		{"fd00:1::/64", "fd00:1::5", "443", true},
		{"fd00:3::7", "fd00:3::7", "443", true},
		{"[::ffff:10.9.9.9]", "10.9.9.9", "443", false},
		{"[::ffff:10.9.9.9]", "::ffff:10.9.9.9", "443", true},
		{"10.9.0.0/16", "::ffff:10.9.9.9", "443", false},
		// Names: a name pattern never matches an address, whatever its wildcards.
		{"*", "localhost", "1556", true},
		{"*", "10.0.0.1", "1556", false},
		{"*", "::1", "1556", false},
		{"nbu?", "nbu1", "1556", true},
		{"nbu-*.example.com", "10.0.0.1", "1556", false},
		{"nbu-*.example.com:15*", "nbu-1.example.com", "1556", true},
		{"nbu-*.example.com:15*", "nbu-1.example.com", "443", false},
		{"nbu-*.example.com.", "nbu-1.example.com", "443", true},
		// Names that only look like addresses are not addresses.
		{"10.1.2.*", "010.1.2.3", "1556", false},
		{"10.1.2.*", "10.1.2.0x3", "1556", false},
	} {
		m := testSchema.DefaultModule()
		m.AllowedTargets = []string{tc.pattern}
		if got := m.TargetAllowed(tc.host, tc.port); got != tc.want {
			t.Errorf("%q: TargetAllowed(%q, %q) = %v, want %v", tc.pattern, tc.host, tc.port, got, tc.want)
		}
	}
}

// Patterns that could not mean what their author wants are load errors that say what to write.
func TestTargetPatternErrors(t *testing.T) {
	for _, tc := range []struct{ pattern, want string }{
		{"", "empty pattern"},
		{"nbu-[.example.com", "syntax error in pattern"},
		{"10.1.2", "an IPv4 address pattern needs four parts"},
		{"10.1.*", "an IPv4 address pattern needs four parts"},
		{"10.1.2.3.*", "an IPv4 address pattern needs four parts"},
		{"10.1.2.300", `"300" is not an IPv4 octet`},
		{"10.1.02.*", `"02" is not an IPv4 octet`},
		{"10.1.2.10-20", `"10-20" is not an IPv4 octet`},
		{"10.0.0.0/33", `'/' cannot be part of a host name`},
		{"[fd00::*]", "IPv6 addresses take no wildcards"},
		{"[fd00::5]x", `"x" after the brackets`},
		{"fd00::*", "an IPv6 address is matched whole or by prefix"},
		{"fd00::5:*", "an IPv6 address is matched whole or by prefix"},
		{"fe80::1%eth0", "an IPv6 address is matched whole or by prefix"},
		{"nbu:https", `port "https": want a number`},
		{"nbu:", "empty port"},
		{"nbu.example.com/24", `'/' cannot be part of a host name`},
		{"nbu@example.com", `'@' cannot be part of a host name`},
		{":1556", "no host"},
	} {
		yml := "modules:\n  m:\n    api_key: test-key-01\n    allowed_targets: [" + quoteYAML(tc.pattern) + "]\n"
		_, err := testSchema.Parse([]byte(yml), "modules.yml", t.TempDir())
		prefix := `modules.yml:4: module "m": allowed_targets: pattern ` + quoteYAML(tc.pattern) + ": "
		if err == nil || !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %s...%s", tc.pattern, err, prefix, tc.want)
		}
	}
}

// quoteYAML writes s as a double-quoted scalar, which YAML and Go's %q read alike for these.
func quoteYAML(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }
