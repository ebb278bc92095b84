package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPostureDefaultsAndOverrides(t *testing.T) {
	cfg, err := testSchema.Parse([]byte(`modules:
  default:
    api_key: test-key-01
    allow_any_target: true
  tuned:
    api_key: test-key-01
    allow_any_target: true
    clients: {max_requests_per_probe: 0, max_series: 5, success_statuses: [0]}
    policies: {cache_ttl: 0s}
    catalog: {images_lookback: 7d}
    alerts: {page_size: 500}
`), "modules.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	def, tuned := cfg.Modules["default"], cfg.Modules["tuned"]
	if def.Clients.MaxRequestsPerProbe != 10 || def.Clients.MaxSeries != 20000 || !slices.Equal(def.Clients.SuccessStatuses, []int{0, 1}) {
		t.Errorf("clients defaults = %+v", def.Clients)
	}
	if def.Policies.CacheTTL != Duration(time.Hour) || def.Catalog.ImagesLookback != Duration(24*time.Hour) ||
		def.SLP.PageSize != 1000 || def.Alerts.PageSize != 100 || def.Malware.CacheTTL != Duration(time.Hour) ||
		def.Malware.Lookback != Duration(24*time.Hour) {
		t.Errorf("defaults = %+v %+v %+v %+v %+v", def.Policies, def.Catalog, def.SLP, def.Alerts, def.Malware)
	}
	if tuned.Clients.MaxRequestsPerProbe != 0 || tuned.Clients.MaxSeries != 5 || !slices.Equal(tuned.Clients.SuccessStatuses, []int{0}) ||
		tuned.Policies.CacheTTL != 0 || tuned.Catalog.ImagesLookback != Duration(7*24*time.Hour) || tuned.Alerts.PageSize != 500 {
		t.Errorf("overrides = %+v %+v %+v %+v", tuned.Clients, tuned.Policies, tuned.Catalog, tuned.Alerts)
	}
	// The default's status list is a fresh slice per module.
	def.Clients.SuccessStatuses[0] = 99
	if testSchema.DefaultModule().Clients.SuccessStatuses[0] != 0 {
		t.Error("modules share the default success_statuses")
	}
}

func TestPostureValidation(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{"clients: {max_requests_per_probe: -1}", `clients.max_requests_per_probe: -1 is out of range (want 0..1000)`},
		{"clients: {max_series: 0}", `clients.max_series: 0 is out of range`},
		{"clients: {success_statuses: []}", `clients.success_statuses: at least one status code is required`},
		{"clients: {success_statuses: [0, 0]}", `status 0 listed twice`},
		{"clients: {success_statuses: [-3]}", `status -3 is not a NetBackup status code`},
		{"catalog: {images_lookback: 0s}", `catalog.images_lookback: must be greater than 0`},
		{"slp: {cache_ttl: -1m}", `slp.cache_ttl: not a valid duration string: "-1m"`},
		{"slp: {page_size: 1001}", `slp.page_size: 1001 is out of range (want 1..1000)`},
		{"policies: {max_requests_per_probe: 0}", `policies.max_requests_per_probe: 0 is out of range`},
		{"malware: {bogus: 1}", `malware.bogus: unknown key`},
		{"malware: {lookback: 0s}", `malware.lookback: must be greater than 0`},
	} {
		_, err := testSchema.Parse([]byte("modules:\n  m:\n    api_key: test-key-01\n    allow_any_target: true\n    "+tc.body+"\n"), "modules.yml", t.TempDir())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tc.body, err, tc.want)
		}
	}
}
