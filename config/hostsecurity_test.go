package config

import (
	"strings"
	"testing"
	"time"
)

func TestServicesAndSecurityDefaultsAndOverrides(t *testing.T) {
	cfg, err := testSchema.Parse([]byte(`modules:
  default:
    api_key: test-key-01
    allow_any_target: true
  tuned:
    api_key: test-key-01
    api_key_tag: 0f1e2d3c
    allow_any_target: true
    services: {cache_ttl: 0s, hosts_cache_ttl: 2h, hosts_per_probe: 10, max_hosts: 5}
    security: {cache_ttl: 1h, anomalies_lookback: 30d, max_anomalies: 500}
`), "modules.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	def, tuned := cfg.Modules["default"], cfg.Modules["tuned"]
	if def.Services != (ServicesConfig{CacheTTL: Duration(10 * time.Minute), HostsCacheTTL: Duration(time.Hour), HostsPerProbe: 2, MaxHosts: 200}) {
		t.Errorf("services defaults = %+v", def.Services)
	}
	if def.Security != (SecurityConfig{CacheTTL: Duration(15 * time.Minute), AnomaliesLookback: Duration(7 * 24 * time.Hour), MaxAnomalies: 10000}) || def.APIKeyTag != "" {
		t.Errorf("security defaults = %+v, tag %q", def.Security, def.APIKeyTag)
	}
	if tuned.Services != (ServicesConfig{CacheTTL: 0, HostsCacheTTL: Duration(2 * time.Hour), HostsPerProbe: 10, MaxHosts: 5}) {
		t.Errorf("services overrides = %+v", tuned.Services)
	}
	if tuned.Security != (SecurityConfig{CacheTTL: Duration(time.Hour), AnomaliesLookback: Duration(30 * 24 * time.Hour), MaxAnomalies: 500}) || tuned.APIKeyTag != "0f1e2d3c" {
		t.Errorf("security overrides = %+v, tag %q", tuned.Security, tuned.APIKeyTag)
	}
}

func TestServicesAndSecurityValidation(t *testing.T) {
	const key = "api_key: test-key-01\n    "
	for _, tc := range []struct{ body, want string }{
		{key + "services: {hosts_per_probe: 0}", `services.hosts_per_probe: 0 is out of range (want 1..100)`},
		{key + "services: {max_hosts: 10001}", `services.max_hosts: 10001 is out of range (want 1..10000)`},
		{key + "services: {cache_ttl: -1m}", `services.cache_ttl: not a valid duration string`},
		{key + "services: {bogus: 1}", `services.bogus: unknown key`},
		{key + "security: {anomalies_lookback: 0s}", `security.anomalies_lookback: must be greater than 0`},
		{key + "security: {max_anomalies: 0}", `security.max_anomalies: 0 is out of range (want 1..1000000)`},
		{key + "api_key_tag: \"a b\"", `api_key_tag: contains whitespace or control characters`},
		{key + "api_key_tag: test-key-01", `api_key_tag: is the API key itself`},
		{key + "api_key_tag: " + strings.Repeat("t", 257), `api_key_tag: longer than 256 bytes`},
		// A login has no API key: a tag would name a key the module does not use.
		{"username: monitor\n    password: secret-password\n    api_key_tag: 0f1e", `api_key_tag: names the tag of the module's API key, but the module logs in`},
	} {
		_, err := testSchema.Parse([]byte("modules:\n  m:\n    allow_any_target: true\n    "+tc.body+"\n"), "modules.yml", t.TempDir())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tc.body, err, tc.want)
		}
	}
}
