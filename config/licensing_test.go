package config

import (
	"strings"
	"testing"
	"time"
)

func TestLicensingDefaultsAndOverrides(t *testing.T) {
	cfg, err := testSchema.Parse([]byte(`modules:
  default:
    api_key: test-key-01
    allow_any_target: true
  tuned:
    api_key: test-key-01
    allow_any_target: true
    licensing: {cache_ttl: 6h}
    certificates: {cache_ttl: 0s}
`), "modules.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	def, tuned := cfg.Modules["default"], cfg.Modules["tuned"]
	if def.Licensing.CacheTTL != Duration(time.Hour) || def.Certificates.CacheTTL != Duration(time.Hour) {
		t.Errorf("defaults = %+v %+v", def.Licensing, def.Certificates)
	}
	if tuned.Licensing.CacheTTL != Duration(6*time.Hour) || tuned.Certificates.CacheTTL != 0 {
		t.Errorf("overrides = %+v %+v", tuned.Licensing, tuned.Certificates)
	}
}

func TestLicensingValidation(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{"licensing: {cache_ttl: -1m}", `licensing.cache_ttl: not a valid duration string`},
		{"certificates: {cache_ttl: -1h}", `certificates.cache_ttl: not a valid duration string`},
		{"certificates: {max_series: 3}", `certificates.max_series: unknown key`},
		{"licensing: {bogus: 1}", `licensing.bogus: unknown key`},
	} {
		_, err := testSchema.Parse([]byte("modules:\n  m:\n    api_key: test-key-01\n    allow_any_target: true\n    "+tc.body+"\n"), "modules.yml", t.TempDir())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.body, err, tc.want)
		}
	}
}
