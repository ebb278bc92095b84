package config

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// fuzzFileKey is the content of the api_key_file the fuzz target offers; it must never show in a
// marshalled config.
const fuzzFileKey = "fuzz-file-key-8d2e4b6a1c"

// sandboxed keeps fuzzed paths inside dir: a fuzzer that writes api_key_file: /proc/kmsg must not
// make the test read it.
func sandboxed(dir string) fileReader {
	return func(path string, limit int64) ([]byte, error) {
		rel, err := filepath.Rel(dir, path)
		if err != nil || !filepath.IsLocal(rel) {
			return nil, os.ErrPermission
		}
		return ReadFile(path, limit)
	}
}

// FuzzParse: any bytes either load into a config that keeps every promise the schema makes, or
// give an error. Never a panic.
func FuzzParse(f *testing.F) {
	dir := f.TempDir()
	writeFile(f, filepath.Join(dir, "api.key"), fuzzFileKey+"\n")
	writeFile(f, filepath.Join(dir, "empty.key"), "")
	writeCert(f, dir, "ca.pem", "")
	writeCert(f, dir, "client.pem", "client-key.pem")
	if good, err := os.ReadFile(filepath.Join("testdata", "good.yml")); err == nil {
		f.Add(good)
	}
	for _, s := range []string{
		"modules:\n  default:\n    api_key: test-key-01\n    allowed_targets: [\"nbu-*.example.com\", \"10.0.0.5:1556\", \"[::1]\"]\n",
		"modules:\n  default:\n    api_key_file: api.key\n    allow_any_target: true\n    tls_config: {ca_file: ca.pem, cert_file: client.pem, key_file: client-key.pem}\n",
		"modules:\n  a: &a\n    api_key: test-key-01\n    allowed_targets: [x]\n    jobs: {lookback: 1d, page_size: 5}\n  b:\n    <<: *a\n    collectors: [storage]\n",
		"modules:\n  default:\n    api_key: test-key-01\n    allow_any_target: true\n    timeout: -1s\n",
		"modules:\n  default:\n    api_key: test-key-01\n    allowed_targets: [\"nbu-[\"]\n",
		"modules:\n  x: {api_key: test-key-01, allow_any_target: true, api_version: 10.0, storage: {cache_ttl: 0}}\n---\n",
		"modules: [1, 2]\n",
		"modules:\n  m:\n    api_key_file: ../../../../etc/passwd\n    allow_any_target: true\n",
		"modules:\n  m:\n    api_key: test-key-01\n    allow_any_target: true\n    tls_config: {ca: \"-----BEGIN CERTIFICATE-----\\n\", insecure_skip_verify: true, min_version: TLS13}\n",
		"modules:\n  m:\n    username: u\n    password_file: api.key\n    domain_type: NT\n    domain_name: CORP\n    token_ttl: 5m\n    allow_any_target: true\n",
		"modules:\n  m:\n    username: u\n    password: test-pw-02\n    allow_any_target: true\n  n:\n    api_key_env: NBU_FUZZ_UNSET\n    allow_any_target: true\n",
		"modules:\n  m:\n    api_key: test-key-01\n    allowed_targets: [\"10.1.2.*\", \"10.2.0.0/16:1556\", \"[fd00::/64]\", \"*.*.*.*:15*\"]\n",
		"modules:\n  m:\n    api_key: short\n    allow_any_target: true\n",
		"a: &a [*a]\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := testSchema.parse(data, "fuzz.yml", dir, sandboxed(dir))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if len(cfg.Modules) == 0 {
			t.Fatal("a config without modules loaded")
		}
		for name, m := range cfg.Modules {
			switch {
			case name == "" || m.Name != name:
				t.Fatalf("module %q has name %q", name, m.Name)
			case m.AllowAnyTarget == (len(m.AllowedTargets) > 0):
				t.Fatalf("module %q: allow_any_target %v with allowed_targets %q: exactly one must be set", name, m.AllowAnyTarget, m.AllowedTargets)
			case m.Username == "" && (len(m.APIKeyValue()) < MinSecretBytes || !validKey(m.APIKeyValue())):
				t.Fatalf("module %q loaded with an unusable key", name)
			case m.Username != "" && (m.APIKeyValue() != "" || len(m.PasswordValue()) < MinSecretBytes || strings.TrimSpace(m.PasswordValue()) == ""):
				t.Fatalf("module %q loaded a login with a key or without a usable password", name)
			case len(m.Collectors) == 0 || slices.ContainsFunc(m.Collectors, func(c string) bool { return !slices.Contains(testSchema.Collectors, c) }):
				t.Fatalf("module %q: collectors %q", name, m.Collectors)
			case m.Timeout <= 0 || m.Jobs.Lookback <= 0 || m.Storage.CacheTTL < 0:
				t.Fatalf("module %q: durations %v %v %v", name, m.Timeout, m.Jobs.Lookback, m.Storage.CacheTTL)
			case m.Jobs.PageSize < 1 || m.Jobs.PageSize > MaxJobsPageSize || m.Storage.PageSize < 1 || m.Storage.PageSize > MaxStoragePageSize:
				t.Fatalf("module %q: page sizes %d %d", name, m.Jobs.PageSize, m.Storage.PageSize)
			case m.MaxConcurrentRequests < 1 || m.MaxConcurrentRequests > MaxConcurrentRequests:
				t.Fatalf("module %q: max_concurrent_requests %d", name, m.MaxConcurrentRequests)
			}
			if _, err := m.NewTLSConfig(); err != nil {
				t.Fatalf("module %q loaded with a TLS config that does not build: %v", name, err)
			}
			m.TargetAllowed("nbu-1.example.com", "1556")
			m.TargetAllowed("::1", "1556")
			m.TargetAllowed("10.1.2.3", "1556")
		}
		out, err := yaml.Marshal(cfg)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if !bytes.Contains(data, []byte(fuzzFileKey)) && bytes.Contains(out, []byte(fuzzFileKey)) {
			t.Fatalf("the key read from api_key_file shows in the marshalled config:\n%s", out)
		}
		for name, m := range cfg.Modules {
			mo, _ := yaml.Marshal(m)
			if m.APIKey != "" && !bytes.Contains(mo, []byte("api_key: <secret>")) {
				t.Fatalf("module %q marshals its api_key in clear:\n%s", name, mo)
			}
			if m.Password != "" && !bytes.Contains(mo, []byte("password: <secret>")) {
				t.Fatalf("module %q marshals its password in clear:\n%s", name, mo)
			}
		}
		// Loading is deterministic: the same bytes give the same fingerprints (the session cache
		// key), so a reload of an unchanged file keeps every session.
		again, err := testSchema.parse(data, "fuzz.yml", dir, sandboxed(dir))
		if err != nil {
			t.Fatalf("second parse failed: %v", err)
		}
		for name, m := range cfg.Modules {
			if again.Modules[name].SessionFingerprint() != m.SessionFingerprint() {
				t.Fatalf("module %q: fingerprint differs between two loads of the same bytes", name)
			}
		}
	})
}
