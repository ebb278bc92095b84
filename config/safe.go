package config

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// SafeConfig holds the live config. A reload builds a new *Config and swaps the pointer, so a
// probe that called Get keeps a consistent snapshot for its whole run.
type SafeConfig struct {
	c atomic.Pointer[Config]

	// reloadMu serialises reloads so two racing ones cannot swap in the older file last, without
	// making Get wait for file I/O.
	reloadMu sync.Mutex

	schema    Schema
	success   prometheus.Gauge
	timestamp prometheus.Gauge
	now       func() time.Time
}

// NewSafeConfig returns an empty SafeConfig (Get returns nil until the first successful Reload
// or Set) whose reload gauges are registered on reg; a nil reg leaves them unregistered.
func NewSafeConfig(reg prometheus.Registerer, schema Schema) *SafeConfig {
	f := promauto.With(reg)
	return &SafeConfig{
		schema: schema,
		success: f.NewGauge(prometheus.GaugeOpts{
			Name: "netbackup_exporter_config_last_reload_successful",
			Help: "Whether the last configuration reload attempt was successful.",
		}),
		timestamp: f.NewGauge(prometheus.GaugeOpts{
			Name: "netbackup_exporter_config_last_reload_success_timestamp_seconds",
			Help: "Timestamp of the last successful configuration reload.",
		}),
		now: time.Now,
	}
}

// Get returns the current config. Callers must not modify it.
func (s *SafeConfig) Get() *Config { return s.c.Load() }

// Set installs c without touching the reload gauges; for tests and for callers that load the
// config themselves.
func (s *SafeConfig) Set(c *Config) { s.c.Store(c) }

// Reload loads path. On error the current config stays live and the success gauge drops to 0; on
// success the new config replaces it and the gauges record the time.
func (s *SafeConfig) Reload(path string) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()

	c, err := s.schema.Load(path)
	if err != nil {
		s.success.Set(0)
		return err
	}
	s.Set(c)
	s.success.Set(1)
	s.timestamp.Set(float64(s.now().UnixNano()) / 1e9)
	return nil
}
