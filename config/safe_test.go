package config

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

const goodConfig = `modules:
  default:
    api_key: test-key-01
    allowed_targets: [nbu.example.com]
`

func TestSafeConfigReload(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "modules.yml")
	reg := prometheus.NewRegistry()
	sc := NewSafeConfig(reg, testSchema)
	clock := time.Unix(1700000000, 500000000)
	sc.now = func() time.Time { return clock }

	if sc.Get() != nil {
		t.Fatal("Get() before any reload should be nil")
	}

	writeFile(t, path, goodConfig)
	if err := sc.Reload(path); err != nil {
		t.Fatalf("Reload of a good file: %v", err)
	}
	good := sc.Get()
	if good == nil || good.Modules["default"] == nil {
		t.Fatalf("Get() after a good reload = %v", good)
	}
	if v := testutil.ToFloat64(sc.success); v != 1 {
		t.Errorf("last_reload_successful = %v after a good reload, want 1", v)
	}
	if v := testutil.ToFloat64(sc.timestamp); v != 1700000000.5 {
		t.Errorf("last_reload_success_timestamp_seconds = %v, want 1700000000.5", v)
	}

	writeFile(t, path, "modules:\n  default:\n    tiemout: 5s\n")
	clock = clock.Add(time.Minute)
	if err := sc.Reload(path); err == nil {
		t.Fatal("Reload of a bad file succeeded")
	}
	if sc.Get() != good {
		t.Error("a failed reload replaced the live config")
	}
	if v := testutil.ToFloat64(sc.success); v != 0 {
		t.Errorf("last_reload_successful = %v after a failed reload, want 0", v)
	}
	if v := testutil.ToFloat64(sc.timestamp); v != 1700000000.5 {
		t.Errorf("a failed reload moved the success timestamp to %v", v)
	}

	writeFile(t, path, goodConfig)
	if err := sc.Reload(path); err != nil {
		t.Fatal(err)
	}
	if sc.Get() == good {
		t.Error("a successful reload did not swap in a new *Config")
	}
	if v := testutil.ToFloat64(sc.success); v != 1 {
		t.Errorf("last_reload_successful = %v after recovering, want 1", v)
	}

	// Both gauges are registered on the registry passed in, under their documented names.
	if n, err := testutil.GatherAndCount(reg,
		"netbackup_exporter_config_last_reload_successful",
		"netbackup_exporter_config_last_reload_success_timestamp_seconds"); err != nil || n != 2 {
		t.Errorf("GatherAndCount = %d, %v; want 2 metrics", n, err)
	}
}

// Run with -race: readers call Get while reloads swap the pointer.
func TestSafeConfigConcurrentGetDuringReload(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "modules.yml")
	writeFile(t, path, goodConfig)
	sc := NewSafeConfig(prometheus.NewRegistry(), testSchema)
	if err := sc.Reload(path); err != nil {
		t.Fatal(err)
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan string, 10)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				c := sc.Get()
				if c == nil || c.Modules["default"] == nil || c.Modules["default"].APIKeyValue() != "test-key-01" {
					errs <- "Get returned an incomplete config"
					return
				}
			}
		}()
	}
	// Two reloaders as well, so reloads also race each other.
	var reloaders sync.WaitGroup
	for range 2 {
		reloaders.Add(1)
		go func() {
			defer reloaders.Done()
			for range 25 {
				if err := sc.Reload(path); err != nil {
					errs <- err.Error()
					return
				}
			}
		}()
	}
	reloaders.Wait()
	close(stop)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestNewSafeConfigNilRegisterer(t *testing.T) {
	sc := NewSafeConfig(nil, testSchema)
	sc.Set(&Config{})
	if sc.Get() == nil {
		t.Error("Set did not install the config")
	}
}
