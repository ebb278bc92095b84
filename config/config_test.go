package config

import (
	"errors"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func testdataDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoadGood(t *testing.T) {
	dir := testdataDir(t)
	cfg, err := testSchema.Load("testdata/good.yml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got, want := slices.Sorted(maps.Keys(cfg.Modules)), []string{"default", "pinned", "quoted"}; !slices.Equal(got, want) {
		t.Fatalf("modules = %v, want %v", got, want)
	}

	def := cfg.Modules["default"]
	want := testSchema.DefaultModule()
	checks := []struct {
		name      string
		got, want any
	}{
		{"default name", def.Name, "default"},
		{"default timeout", def.Timeout, Duration(30 * time.Second)},
		{"default api_version", def.APIVersion, "auto"},
		{"default collectors", strings.Join(def.Collectors, ","), "jobs,storage"},
		{"default jobs", def.Jobs, want.Jobs},
		{"default jobs.lookback", def.Jobs.Lookback, Duration(time.Hour)},
		{"default jobs.page_size", def.Jobs.PageSize, 100},
		{"default storage.cache_ttl", def.Storage.CacheTTL, Duration(5 * time.Minute)},
		{"default storage.page_size", def.Storage.PageSize, 500},
		{"default disk_pools.cache_ttl", def.DiskPools.CacheTTL, Duration(5 * time.Minute)},
		{"default tape.cache_ttl", def.Tape.CacheTTL, Duration(5 * time.Minute)},
		{"default media_servers.cache_ttl", def.MediaServers.CacheTTL, Duration(10 * time.Minute)},
		{"default max_concurrent_requests", def.MaxConcurrentRequests, 4},
		{"default api_key_file", def.APIKeyFile, filepath.Join(dir, "api.key")},
		{"default key value", def.APIKeyValue(), "file-key-0123456789abcdef"},
		{"default allowed_targets", strings.Join(def.AllowedTargets, ","), "nbu-*.example.com,10.0.0.5:1556"},
		{"default allow_any_target", def.AllowAnyTarget, false},
		{"default insecure_skip_verify", def.TLSConfig.InsecureSkipVerify, false},

		{"pinned timeout", cfg.Modules["pinned"].Timeout, Duration(10 * time.Second)},
		{"pinned key value", cfg.Modules["pinned"].APIKeyValue(), "inline-key-abcdef"},
		{"pinned api_key_file", cfg.Modules["pinned"].APIKeyFile, ""},
		{"pinned api_version", cfg.Modules["pinned"].APIVersion, "13.0"},
		{"pinned server_name", cfg.Modules["pinned"].TLSConfig.ServerName, "nbu.example.com"},
		{"pinned insecure_skip_verify", cfg.Modules["pinned"].TLSConfig.InsecureSkipVerify, true},
		{"pinned min_version", cfg.Modules["pinned"].TLSConfig.MinVersion.String(), "TLS12"},
		{"pinned collectors", strings.Join(cfg.Modules["pinned"].Collectors, ","), "jobs"},
		{"pinned jobs", cfg.Modules["pinned"].Jobs, JobsConfig{Lookback: Duration(24 * time.Hour), PageSize: 50, StalledAfter: Duration(time.Hour), MaxJobs: defaultMaxJobs}},
		{"pinned storage", cfg.Modules["pinned"].Storage, StorageConfig{CacheTTL: 0, PageSize: 200}},
		{"pinned disk_pools", cfg.Modules["pinned"].DiskPools, CacheConfig{CacheTTL: Duration(time.Minute)}},
		{"pinned tape", cfg.Modules["pinned"].Tape, CacheConfig{}},
		{"pinned media_servers", cfg.Modules["pinned"].MediaServers, CacheConfig{CacheTTL: Duration(time.Hour)}},
		{"pinned max_concurrent_requests", cfg.Modules["pinned"].MaxConcurrentRequests, 8},
		{"pinned allow_any_target", cfg.Modules["pinned"].AllowAnyTarget, true},

		{"quoted api_version", cfg.Modules["quoted"].APIVersion, "10.0"},
		{"quoted api_key_file", cfg.Modules["quoted"].APIKeyFile, filepath.Join(dir, "api.key")},
		{"quoted collectors", strings.Join(cfg.Modules["quoted"].Collectors, ","), "storage"},
		{"quoted allowed_targets", strings.Join(cfg.Modules["quoted"].AllowedTargets, ","), "[::1]:1556"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}

	tc, err := cfg.Modules["pinned"].NewTLSConfig()
	if err != nil {
		t.Fatalf("NewTLSConfig: %v", err)
	}
	if tc.ServerName != "nbu.example.com" || !tc.InsecureSkipVerify {
		t.Errorf("tls.Config ServerName=%q InsecureSkipVerify=%v", tc.ServerName, tc.InsecureSkipVerify)
	}
}

// A byte order mark, which some Windows editors write, is not part of the first key.
func TestByteOrderMark(t *testing.T) {
	cfg, err := testSchema.Parse([]byte("\ufeffmodules:\n  m: {api_key: test-key-01, allow_any_target: true}\n"), "modules.yml", t.TempDir())
	if err != nil || cfg.Modules["m"] == nil {
		t.Fatalf("Parse with a BOM: %v", err)
	}
}

func TestDefaultsAreNotShared(t *testing.T) {
	cfg, err := testSchema.Parse([]byte(`
modules:
  a: {api_key: test-key-a1, allow_any_target: true}
  b: {api_key: test-key-a2, allow_any_target: true}
`), "modules.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	a, b := cfg.Modules["a"], cfg.Modules["b"]
	if a == b {
		t.Fatal("modules a and b are the same pointer")
	}
	a.Collectors[0] = "changed"
	if b.Collectors[0] != "jobs" {
		t.Errorf("changing a's collectors changed b's: %v", b.Collectors)
	}
	if testSchema.DefaultModule().Collectors[0] != "jobs" {
		t.Errorf("changing a's collectors changed the defaults: %v", testSchema.DefaultModule().Collectors)
	}
	if a.APIKeyValue() != "test-key-a1" || b.APIKeyValue() != "test-key-a2" {
		t.Errorf("keys = %q, %q", a.APIKeyValue(), b.APIKeyValue())
	}
}

func TestAPIVersionScalarForms(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{`10.0`, "10.0"},
		{`"10.0"`, "10.0"},
		{`'12.0'`, "12.0"},
		{`13.0`, "13.0"},
		{`14.0`, "14.0"},
		{`auto`, "auto"},
		{`"auto"`, "auto"},
		{`~`, "auto"}, // an empty value keeps the default
	} {
		t.Run(tc.yaml, func(t *testing.T) {
			cfg, err := testSchema.Parse([]byte("modules:\n  m:\n    api_key: test-key-01\n    allow_any_target: true\n    api_version: "+tc.yaml+"\n"), "modules.yml", "")
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Modules["m"].APIVersion; got != tc.want {
				t.Errorf("APIVersion = %q, want %q", got, tc.want)
			}
		})
	}
}

// A null value keeps the default, lists included (yaml.v3 decodes a null list as nil).
func TestNullKeepsTheDefault(t *testing.T) {
	cfg, err := testSchema.Parse([]byte(`modules:
  m:
    api_key: test-key-01
    allow_any_target: true
    timeout: ~
    collectors: ~
    api_paths:
    clients: {success_statuses: ~}
    jobs: ~
`), "modules.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	got, want := cfg.Modules["m"], testSchema.DefaultModule()
	if got.Timeout != want.Timeout || !slices.Equal(got.Collectors, want.Collectors) || !slices.Equal(got.APIPaths, want.APIPaths) ||
		!slices.Equal(got.Clients.SuccessStatuses, want.Clients.SuccessStatuses) || got.Jobs != want.Jobs {
		t.Errorf("module = %+v %v %v %v %+v, want the defaults", got.Timeout, got.Collectors, got.APIPaths, got.Clients.SuccessStatuses, got.Jobs)
	}
}

func TestMergeKeys(t *testing.T) {
	cfg, err := testSchema.Parse([]byte(`
modules:
  base: &base
    api_key_file: api.key
    allowed_targets: ["nbu-*.example.com"]
    jobs: {lookback: 2h}
  fast:
    <<: *base
    timeout: 5s
    allowed_targets: ["nbu-1.example.com"]
`), "modules.yml", "testdata")
	if err != nil {
		t.Fatal(err)
	}
	fast := cfg.Modules["fast"]
	if fast.APIKeyValue() != "file-key-0123456789abcdef" {
		t.Error("fast did not inherit api_key_file from base")
	}
	if fast.Jobs.Lookback != Duration(2*time.Hour) || fast.Jobs.PageSize != 100 {
		t.Errorf("fast jobs = %+v, want lookback 2h from base and the default page size", fast.Jobs)
	}
	if fast.Timeout != Duration(5*time.Second) {
		t.Errorf("fast timeout = %v", fast.Timeout)
	}
	if got := strings.Join(fast.AllowedTargets, ","); got != "nbu-1.example.com" {
		t.Errorf("fast allowed_targets = %q, want its own value to win over base's", got)
	}
}

func TestParseErrors(t *testing.T) {
	dir := testdataDir(t)
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"unknown field", `modules:
  default:
    api_key: test-key-01
    allowed_targets: [a]
    tiemout: 5s
`, `modules.yml:5: module "default": tiemout: unknown key`},
		{"invalid duration", `modules:
  default:
    timeout: 3x
    api_key: test-key-01
`, `modules.yml:3: module "default": timeout: unknown unit "x" in duration "3x" (want a number and a unit: ms, s, m, h, d, w or y, e.g. 30s)`},
		{"both keys", `modules:
  default:
    api_key: test-key-01
    api_key_file: api.key
    allow_any_target: true
`, `modules.yml:3: module "default": exactly one of api_key, api_key_file, api_key_env or a login (username with password, password_file or password_env) is required (found api_key, api_key_file)`},
		{"neither key", `modules:
  default:
    timeout: 5s
    allow_any_target: true
`, `modules.yml:3: module "default": exactly one of api_key, api_key_file, api_key_env or a login (username with password, password_file or password_env) is required (found none)`},
		{"null module has no key", `modules:
  default:
`, `modules.yml: module "default": exactly one of api_key, api_key_file, api_key_env or a login (username with password, password_file or password_env) is required (found none)`},
		{"missing key file", `modules:
  default:
    allow_any_target: true
    api_key_file: /nonexistent/api.key
`, `modules.yml:4: module "default": api_key_file: open /nonexistent/api.key: no such file or directory`},
		{"empty key file", `modules:
  default:
    api_key_file: empty.key
    allow_any_target: true
`, `modules.yml:3: module "default": api_key_file: $DIR/empty.key is empty`},
		{"key with whitespace", `modules:
  default:
    api_key: "abc def"
    allow_any_target: true
`, `modules.yml:3: module "default": api_key: the key contains whitespace or control characters`},
		{"unknown collector", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    collectors:
      - jobs
      - tape
`, `modules.yml:6: module "default": collectors: unknown collector "tape" (known: jobs, storage)`},
		{"duplicate collector", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    collectors: [jobs, storage, jobs]
`, `modules.yml:5: module "default": collectors: collector "jobs" listed twice`},
		{"no collectors", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    collectors: []
`, `modules.yml:5: module "default": collectors: at least one collector is required (known: jobs, storage)`},
		{"collectors not a list", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    collectors: jobs
`, `modules.yml:5: module "default": collectors: cannot unmarshal !!str ` + "`jobs`" + ` into []string`},
		{"unsupported version", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    timeout: 5s
    api_version: 3.0
`, `modules.yml:6: module "default": api_version: unsupported version "3.0" (want auto, 14.0, 13.0, 12.0 or 10.0)`},
		{"version without minor", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    api_version: 10
`, `modules.yml:5: module "default": api_version: unsupported version "10" (want auto, 14.0, 13.0, 12.0 or 10.0)`},
		{"no targets", `modules:
  default:
    api_key: test-key-01
`, `modules.yml:3: module "default": neither allowed_targets nor allow_any_target is set: a module carries credentials, so say which NetBackup primaries it may be sent to (allowed_targets), or set allow_any_target: true`},
		{"empty target list", `modules:
  default:
    api_key: test-key-01
    allowed_targets: []
    allow_any_target: false
`, `modules.yml:3: module "default": neither allowed_targets nor allow_any_target is set: a module carries credentials, so say which NetBackup primaries it may be sent to (allowed_targets), or set allow_any_target: true`},
		{"targets and any target", `modules:
  default:
    api_key: test-key-01
    allowed_targets: [a]
    allow_any_target: true
`, `modules.yml:3: module "default": allowed_targets and allow_any_target: true are mutually exclusive`},
		{"bad glob", `modules:
  default:
    api_key: test-key-01
    allowed_targets:
      - nbu-1.example.com
      - "nbu-[.example.com"
`, `modules.yml:5: module "default": allowed_targets: pattern "nbu-[.example.com": syntax error in pattern`},
		{"empty glob", `modules:
  default:
    api_key: test-key-01
    allowed_targets: [""]
`, `modules.yml:4: module "default": allowed_targets: pattern "": empty pattern`},
		{"unknown top-level field", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
module_defaults: {}
`, `modules.yml:5: module_defaults: unknown key`},
		{"no modules key", `# nothing here
`, `modules.yml: no modules defined`},
		{"empty file", ``, `modules.yml: no modules defined`},
		{"null modules", `modules:
`, `modules.yml: no modules defined`},
		{"empty modules", `
modules: {}
`, `modules.yml: no modules defined`},
		{"modules not a mapping", `modules: [default]
`, `modules.yml:1: modules: cannot unmarshal !!seq into map[string]*config.Module`},
		{"root not a mapping", `- modules
`, `modules.yml:1: cannot unmarshal !!seq into config.Config`},
		{"root a flow list", `[{a: 1}, 5]
`, `modules.yml:1: cannot unmarshal !!seq into config.Config`},
		{"empty module name", `modules:
  "":
    api_key: test-key-01
    allow_any_target: true
`, `modules.yml: module name must not be empty`},
		{"module defined twice", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
  default:
    api_key: test-key-01
    allow_any_target: true
`, `modules.yml:5: modules: mapping key "default" already defined at line 2`},
		{"field set twice", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    api_key: test-key-02
`, `modules.yml:5: module "default": mapping key "api_key" already defined at line 3`},
		{"module not a mapping", `modules:
  default: x
`, `modules.yml:2: module "default": want a mapping of settings, got !!str`},
		{"unknown jobs field", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    jobs:
      lookback: 1h
      pagesize: 10
`, `modules.yml:7: module "default": jobs.pagesize: unknown key`},
		{"unknown storage field", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    storage: {ttl: 1m}
`, `modules.yml:5: module "default": storage.ttl: unknown key`},
		{"unknown tls_config field", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    tls_config:
      insecure: true
`, `modules.yml:6: module "default": tls_config.insecure: unknown key`},
		{"jobs page_size too large", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    jobs:
      page_size: 101
`, `modules.yml:6: module "default": jobs.page_size: 101 is out of range (want 1..100)`},
		{"jobs page_size zero", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    jobs: {page_size: 0}
`, `modules.yml:5: module "default": jobs.page_size: 0 is out of range (want 1..100)`},
		{"jobs page_size not a number", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    jobs: {page_size: abc}
`, `modules.yml:5: module "default": jobs.page_size: cannot unmarshal !!str ` + "`abc`" + ` into int`},
		{"storage page_size too large", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    storage: {page_size: 501}
`, `modules.yml:5: module "default": storage.page_size: 501 is out of range (want 1..500)`},
		{"max_concurrent_requests zero", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    max_concurrent_requests: 0
`, `modules.yml:5: module "default": max_concurrent_requests: 0 is out of range (want 1..64)`},
		{"max_concurrent_requests too large", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    max_concurrent_requests: 65
`, `modules.yml:5: module "default": max_concurrent_requests: 65 is out of range (want 1..64)`},
		{"lookback zero", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    jobs: {lookback: 0}
`, `modules.yml:5: module "default": jobs.lookback: must be greater than 0, got 0s`},
		{"lookback negative", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    jobs: {lookback: -1h}
`, `modules.yml:5: module "default": jobs.lookback: not a valid duration string: "-1h" (want a number and a unit: ms, s, m, h, d, w or y, e.g. 30s)`},
		{"timeout zero", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    timeout: 0s
`, `modules.yml:5: module "default": timeout: must be greater than 0, got 0s`},
		{"negative cache_ttl", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    storage: {cache_ttl: -1m}
`, `modules.yml:5: module "default": storage.cache_ttl: not a valid duration string: "-1m" (want a number and a unit: ms, s, m, h, d, w or y, e.g. 30s)`},
		{"negative tape cache_ttl", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    tape: {cache_ttl: -1s}
`, `modules.yml:5: module "default": tape.cache_ttl: not a valid duration string: "-1s" (want a number and a unit: ms, s, m, h, d, w or y, e.g. 30s)`},
		{"page size for media servers", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    media_servers: {page_size: 10}
`, `modules.yml:5: module "default": media_servers.page_size: unknown key`},
		{"not a boolean", `modules:
  default:
    api_key: test-key-01
    allow_any_target: maybe
`, `modules.yml:4: module "default": allow_any_target: cannot unmarshal !!str ` + "`maybe`" + ` into bool`},
		{"missing ca_file", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    tls_config:
      ca_file: missing-ca.pem
`, `modules.yml:6: module "default": tls_config.ca_file: open $DIR/missing-ca.pem: no such file or directory`},
		{"invalid ca_file", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    tls_config:
      ca_file: bad-ca.pem
`, `modules.yml:6: module "default": tls_config: unable to use specified CA cert file $DIR/bad-ca.pem`},
		{"ca and ca_file", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    tls_config:
      ca: x
      ca_file: bad-ca.pem
`, `modules.yml:6: module "default": tls_config: at most one of ca, ca_file & ca_ref must be configured`},
		{"unknown TLS version", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    tls_config: {min_version: TLS99}
`, `modules.yml:5: module "default": tls_config: unknown TLS version: TLS99`},
		{"min_version not a string", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    tls_config: {min_version: [TLS12]}
`, `modules.yml:5: module "default": tls_config.min_version: cannot unmarshal !!seq into string`},
		{"list where a value belongs", `modules:
  default:
    api_key: [test-key-01]
    allow_any_target: true
`, `modules.yml:3: module "default": api_key: cannot unmarshal !!seq into string`},
		{"merge of a scalar", `modules:
  default:
    <<: 5
    api_key: test-key-01
`, `modules.yml:3: module "default": map merge requires map or sequence of maps as the value`},
		{"invalid YAML", `modules:
  default: [
`, `modules.yml: invalid YAML: line 2: did not find expected node content`},
		{"tab indentation", "modules:\n\tdefault: {api_key: test-key-01, allow_any_target: true}\n",
			`modules.yml: invalid YAML: line 2: found character that cannot start any token`},
		{"unknown key in a merged anchor", `modules:
  base: &base {api_key: test-key-01, allow_any_target: true, jobs: {lookback: 1h, pagesize: 10}}
  other:
    <<: *base
`, `modules.yml:2: module "base": jobs.pagesize: unknown key`},
		{"short key", `modules:
  default:
    api_key: k
    allow_any_target: true
`, `modules.yml:3: module "default": api_key: the key is shorter than 8 bytes`},
		{"second key of a flow mapping", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    jobs: {lookback: 1h, page_size: x}
`, `modules.yml:5: module "default": jobs.page_size: cannot unmarshal !!str ` + "`x`" + ` into int`},
		{"mapping for a duration", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    timeout: {seconds: 5}
`, `modules.yml:5: module "default": timeout: cannot unmarshal !!map into string`},
		{"one bad duration of several on a line", `modules:
  default: {api_key: test-key-01, allow_any_target: true, storage: {cache_ttl: 5m}, tape: {cache_ttl: 3x}}
`, `modules.yml:2: module "default": tape.cache_ttl: unknown unit "x" in duration "3x" (want a number and a unit: ms, s, m, h, d, w or y, e.g. 30s)`},
		{"errors in two modules", `modules:
  zeta:
    api_key: test-key-01
    allow_any_target: true
    bogus: 1
  alpha:
    api_key: test-key-01
    allow_any_target: true
    jobs: {lookback: 5 min}
`, `modules.yml:9: module "alpha": jobs.lookback: unknown unit " min" in duration "5 min" (want a number and a unit: ms, s, m, h, d, w or y, e.g. 30s)`},
		{"list as a key beside a merge key", `modules:
  m: {<<, [00000]}
`, `modules.yml: invalid YAML: a list or a mapping is used as a key where a merge key (<<) applies`},
		{"two documents", `modules:
  default: {api_key: test-key-01, allow_any_target: true}
---
modules: {}
`, `modules.yml:3: only one YAML document is allowed`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := testSchema.Parse([]byte(tc.yaml), "modules.yml", "testdata")
			want := strings.ReplaceAll(tc.want, "$DIR", dir)
			if err == nil {
				t.Fatalf("Parse succeeded, want error %q", want)
			}
			if err.Error() != want {
				t.Errorf("error:\n got: %s\nwant: %s", err, want)
			}
			if strings.Contains(err.Error(), "file-key-0123456789abcdef") || strings.Contains(err.Error(), "abc def") {
				t.Errorf("error reveals a key: %s", err)
			}
		})
	}
}

func TestLoadErrorsUnwrap(t *testing.T) {
	_, err := testSchema.Parse([]byte("modules:\n  m:\n    api_key_file: /nonexistent/api.key\n    allow_any_target: true\n"), "modules.yml", "")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is(%v, fs.ErrNotExist) = false, want the os error wrapped", err)
	}
	_, err = testSchema.Load("testdata/does-not-exist.yml")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of a missing file: %v, want fs.ErrNotExist", err)
	}
}

func TestKeyFiles(t *testing.T) {
	dir := testdataDir(t)
	cfg, err := testSchema.Load("testdata/good.yml")
	if err != nil {
		t.Fatal(err)
	}
	// default and quoted name the same file in two spellings; pinned has an inline key.
	got, want := cfg.KeyFiles(), []string{filepath.Join(dir, "api.key")}
	if !slices.Equal(got, want) {
		t.Errorf("KeyFiles() = %v, want %v", got, want)
	}
}

func TestEnabled(t *testing.T) {
	m := testSchema.DefaultModule()
	m.Collectors = []string{"storage"}
	for _, tc := range []struct {
		collector string
		want      bool
	}{
		{"storage", true},
		{"jobs", false},
		{"", false},
	} {
		if got := m.Enabled(tc.collector); got != tc.want {
			t.Errorf("Enabled(%q) = %v, want %v", tc.collector, got, tc.want)
		}
	}
}
