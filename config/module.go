package config

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"hash"
	"maps"
	"slices"

	promconfig "github.com/prometheus/common/config"
	"gopkg.in/yaml.v3"
)

// APIKeyValue returns the key to send: api_key, or the key from api_key_file or api_key_env as
// read at load time; "" for a module that logs in. Modules built in code rather than loaded fall
// back to APIKey.
func (m *Module) APIKeyValue() string {
	if m.resolved != nil {
		return m.resolved.apiKey
	}
	return string(m.APIKey)
}

// PasswordValue returns the login's password: password, or the one from password_file or
// password_env as read at load time. Modules built in code fall back to Password.
func (m *Module) PasswordValue() string {
	if m.resolved != nil {
		return m.resolved.password
	}
	return string(m.Password)
}

// Enabled reports whether the module's collectors list names collector.
func (m *Module) Enabled(collector string) bool {
	return slices.Contains(m.Collectors, collector)
}

// NewTLSConfig builds a tls.Config from the module's tls_config. It works on a copy because the
// client-certificate callback keeps a pointer to what it is given, and the module is shared.
func (m *Module) NewTLSConfig() (*tls.Config, error) {
	tc := m.TLSConfig
	if m.resolved != nil && m.resolved.tls != nil {
		tc = *m.resolved.tls
	}
	return promconfig.NewTLSConfig(&tc)
}

// inlineTLSFiles returns tc with each file it names replaced by the content read at load.
func inlineTLSFiles(tc promconfig.TLSConfig, files map[string][]byte) *promconfig.TLSConfig {
	// files holds the paths tc names (never ""), as read.
	if b, ok := files[tc.CAFile]; ok {
		tc.CA, tc.CAFile = string(b), ""
	}
	if b, ok := files[tc.CertFile]; ok {
		tc.Cert, tc.CertFile = string(b), ""
	}
	if b, ok := files[tc.KeyFile]; ok {
		tc.Key, tc.KeyFile = promconfig.Secret(b), ""
	}
	return &tc
}

// SessionFingerprint identifies everything of the module but its credentials (every key of the
// API key and the login, and what they resolve to), the contents of its TLS files included. It
// keys what the prober keeps per target, so that rotating a key or a password keeps a target's job
// counters while any change to what is collected, or to TLS, starts afresh. It is a hash, so it
// is safe to log, and it is computed at load so it does not change until the next reload.
func (m *Module) SessionFingerprint() string {
	if m.resolved != nil && m.resolved.sessionFingerprint != "" {
		return m.resolved.sessionFingerprint
	}
	// A module built in code: its TLS files as they are now.
	files, _ := readTLSFiles(&m.TLSConfig, ReadFile, func(string, error) error { return nil })
	return sessionFingerprint(m, files)
}

func sessionFingerprint(m *Module, tlsFiles map[string][]byte) string {
	c := *m
	c.APIKey, c.APIKeyFile, c.APIKeyEnv, c.Username, c.Password, c.PasswordFile, c.PasswordEnv = "", "", "", "", "", "", ""
	// The TLS key goes in as a hash of its own, so that the marshalled form never holds it,
	// whatever promconfig.MarshalSecretValue is set to.
	c.DomainType, c.DomainName, c.TokenTTL, c.TLSConfig.Key, c.resolved = "", "", 0, "", nil
	body, err := yaml.Marshal(&c)
	if err != nil {
		body = []byte("marshal error: " + err.Error())
	}
	h := sha256.New()
	writeField(h, "module", body)
	writeField(h, "tls_key", sum(string(m.TLSConfig.Key)))
	for _, p := range slices.Sorted(maps.Keys(tlsFiles)) {
		writeField(h, "file", []byte(p))
		writeField(h, "content", sum(string(tlsFiles[p])))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// writeField length-prefixes data so no two different inputs hash the same stream.
func writeField(h hash.Hash, label string, data []byte) {
	fmt.Fprintf(h, "%s %d\n", label, len(data))
	h.Write(data)
}

func sum(s string) []byte {
	b := sha256.Sum256([]byte(s))
	return b[:]
}

// Format prints only the module's name: promconfig.Secret has no String method, so %+v on a
// Module would otherwise print an inline api_key or password.
func (m Module) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "module %q", m.Name)
}
