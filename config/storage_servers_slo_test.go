package config

import (
	"strings"
	"testing"
	"time"
)

func TestStorageServersAndSLODefaultsAndOverrides(t *testing.T) {
	cfg, err := testSchema.Parse([]byte(`modules:
  default:
    api_key: test-key-01
    allow_any_target: true
  tuned:
    api_key: test-key-01
    allow_any_target: true
    storage_servers: {cache_ttl: 0s}
    slo: {cache_ttl: 10m, page_size: 500}
`), "modules.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	def, tuned := cfg.Modules["default"], cfg.Modules["tuned"]
	if def.StorageServers.CacheTTL != Duration(5*time.Minute) || def.SLO.CacheTTL != Duration(time.Hour) || def.SLO.PageSize != 100 {
		t.Errorf("defaults = %+v %+v", def.StorageServers, def.SLO)
	}
	if tuned.StorageServers.CacheTTL != 0 || tuned.SLO.CacheTTL != Duration(10*time.Minute) || tuned.SLO.PageSize != 500 {
		t.Errorf("overrides = %+v %+v", tuned.StorageServers, tuned.SLO)
	}
}

func TestStorageServersAndSLOValidation(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{"storage_servers: {page_size: 10}", `storage_servers.page_size: unknown key`},
		{"storage_servers: {cache_ttl: -1m}", `storage_servers.cache_ttl: not a valid duration string`},
		{"slo: {page_size: 0}", `slo.page_size: 0 is out of range (want 1..500)`},
		{"slo: {page_size: 501}", `slo.page_size: 501 is out of range (want 1..500)`},
		{"slo: {bogus: 1}", `slo.bogus: unknown key`},
	} {
		_, err := testSchema.Parse([]byte("modules:\n  m:\n    api_key: test-key-01\n    allow_any_target: true\n    "+tc.body+"\n"), "modules.yml", t.TempDir())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tc.body, err, tc.want)
		}
	}
}
