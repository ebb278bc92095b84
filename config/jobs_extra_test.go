package config

import (
	"strings"
	"testing"
	"time"
)

func TestJobsStalledAfter(t *testing.T) {
	cfg, err := testSchema.Parse([]byte(`modules:
  default: {api_key: test-key-01, allow_any_target: true}
  tuned: {api_key: test-key-01, allow_any_target: true, jobs: {stalled_after: 20m}}
`), "modules.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Modules["default"].Jobs.StalledAfter; got != Duration(time.Hour) {
		t.Errorf("default jobs.stalled_after = %v, want 1h", got)
	}
	if got := cfg.Modules["tuned"].Jobs.StalledAfter; got != Duration(20*time.Minute) {
		t.Errorf("jobs.stalled_after = %v, want 20m", got)
	}
	if got := cfg.Modules["tuned"].Jobs.Lookback; got != Duration(time.Hour) {
		t.Errorf("setting stalled_after changed jobs.lookback to %v", got)
	}
	_, err = testSchema.Parse([]byte("modules:\n  m:\n    api_key: test-key-01\n    allow_any_target: true\n    jobs: {stalled_after: 0s}\n"), "modules.yml", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), `jobs.stalled_after: must be greater than 0`) {
		t.Errorf("stalled_after 0s: err = %v", err)
	}
}
