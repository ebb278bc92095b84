package prober

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// NetBackup's REST API listens on the PBX port under /netbackup unless the operator says otherwise.
const (
	defaultPort     = "1556"
	defaultBasePath = "/netbackup"
	maxTargetLength = 1024
)

// Target is a parsed probe target: where the NetBackup REST API of one primary server lives.
type Target struct {
	BaseURL string // scheme://host:port/path, no trailing slash
	Scheme  string // https, or http where the module allows it
	Host    string // host name or IP, without brackets
	Port    string
	Path    string // the API base path, e.g. /netbackup
}

// String is the canonical form used as the cache key and in logs.
func (t Target) String() string { return t.BaseURL }

// ParseTarget accepts `host`, `host:port` or `https://host[:port][/path]` (http:// is accepted for
// lab servers and fakes, and documented as sending the key in clear). It rejects anything that
// could smuggle credentials or a second request: user info, queries, fragments, control characters.
func ParseTarget(raw string) (Target, error) {
	if raw == "" {
		return Target{}, errors.New("target is empty")
	}
	if len(raw) > maxTargetLength {
		return Target{}, fmt.Errorf("target is %d bytes long (max %d)", len(raw), maxTargetLength)
	}
	for _, r := range raw {
		if r <= ' ' || r == 0x7f {
			return Target{}, fmt.Errorf("target %q contains whitespace or a control character", redactRawUserInfo(raw))
		}
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the whole input, user info included: say only what was wrong with it.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return Target{}, fmt.Errorf("target %q: %w", redactRawUserInfo(raw), err)
	}
	switch {
	case u.User != nil:
		return Target{}, fmt.Errorf("target %q: user info is not allowed (credentials come from the module)", redactUser(u))
	case u.Scheme != "https" && u.Scheme != "http":
		return Target{}, fmt.Errorf("target %q: scheme %q not supported (want https)", raw, u.Scheme)
	case u.RawQuery != "" || u.ForceQuery:
		return Target{}, fmt.Errorf("target %q: a query string is not allowed", raw)
	case u.Fragment != "":
		return Target{}, fmt.Errorf("target %q: a fragment is not allowed", raw)
	case u.Opaque != "":
		return Target{}, fmt.Errorf("target %q: not a host, host:port or URL", raw)
	}
	path, err := apiBasePath(u.EscapedPath())
	if err != nil {
		return Target{}, fmt.Errorf("target %q: %w", raw, err)
	}
	host := u.Hostname()
	if host == "" {
		return Target{}, fmt.Errorf("target %q: no host", raw)
	}
	if strings.ContainsAny(host, "/\\%@") {
		// '%' also catches an IPv6 zone (fe80::1%eth0): a zone names an interface of the
		// exporter's host, which a probe target has no business choosing.
		return Target{}, fmt.Errorf("target %q: invalid host %q", raw, host)
	}
	if strings.ContainsFunc(host, func(r rune) bool { return r >= utf8.RuneSelf }) {
		// The resolver would not look such a name up, and allowed_targets patterns are ASCII:
		// say so now rather than fail with "no such host".
		return Target{}, fmt.Errorf("target %q: host is not ASCII: write an internationalised name in its punycode form (xn--...)", raw)
	}
	if ip := strings.TrimSuffix(host, "."); ip != host && net.ParseIP(ip) != nil {
		// "10.0.0.5." is not a name to look up but the address with a stray dot, as
		// allowed_targets matching already treats it.
		host = ip
	}
	port := u.Port()
	if port == "" {
		if strings.HasSuffix(u.Host, ":") {
			return Target{}, fmt.Errorf("target %q: empty port", raw)
		}
		port = defaultPort
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return Target{}, fmt.Errorf("target %q: invalid port %q", raw, port)
	}
	// "01556" is port 1556: say it the one way allowed_targets patterns and the cache key do.
	port = strconv.Itoa(n)
	base := url.URL{Scheme: u.Scheme, Host: net.JoinHostPort(strings.ToLower(host), port)}
	return Target{Scheme: u.Scheme, BaseURL: base.String() + path, Host: strings.ToLower(host), Port: port, Path: path}, nil
}

// apiBasePath checks the target's path as the client will send it: the base of NetBackup's API
// (its last segment is "netbackup", under whatever prefix a reverse proxy adds), in plain
// characters only. Escapes are refused rather than decoded, so that the path checked here is
// byte for byte the one sent (a %252e%252e decoded twice would be ".."), and a path below the
// API base is not a new primary, nor a new session.
func apiBasePath(escaped string) (string, error) {
	path := strings.TrimRight(escaped, "/")
	if path == "" {
		return defaultBasePath, nil
	}
	for _, seg := range strings.Split(path[1:], "/") {
		switch {
		case seg == "." || seg == "..":
			return "", errors.New("path must not contain '.' or '..' segments")
		case seg == "" || strings.ContainsFunc(seg, func(r rune) bool { return !isPathChar(r) }):
			return "", fmt.Errorf("path segment %q: only letters, digits and -._~ are allowed, without escapes", clip(seg))
		}
	}
	if !strings.HasSuffix(path, defaultBasePath) {
		return "", fmt.Errorf("path %q is not a NetBackup API base: it must end in %s", clip(path), defaultBasePath)
	}
	return path, nil
}

func isPathChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_' || r == '~'
}

// redactRawUserInfo hides user info in a target that did not parse, which url.Parse could not take
// apart: everything of the authority before its last '@'.
func redactRawUserInfo(raw string) string {
	rest, scheme := raw, ""
	if i := strings.Index(raw, "://"); i >= 0 {
		scheme, rest = raw[:i+3], raw[i+3:]
	}
	authority, path, _ := strings.Cut(rest, "/")
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return raw
	}
	out := scheme + "xxxxx" + authority[at:]
	if len(rest) > len(authority) {
		out += "/" + path
	}
	return out
}

func redactUser(u *url.URL) string {
	c := *u
	c.User = url.User("xxxxx")
	return c.String()
}
