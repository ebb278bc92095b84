package config

import (
	"slices"
	"strings"
)

// validateModule is the one pass over a decoded module that checks what can be checked without the
// file system; each error names the key path.
func (s Schema) validateModule(m *Module) error {
	checks := []func(*Module) error{
		validateCredentials,
		validateAPIVersion,
		func(m *Module) error { return validateCollectors(m, s.Collectors) },
		validateLimits,
		validatePosture,
		validateJobsExtra,
		validateStorageServers,
		validateSLO,
		validateLicensing,
		validateServices,
		validateSecurity,
		validateTargets,
		validateTLS,
	}
	for _, check := range checks {
		if err := check(m); err != nil {
			return err
		}
	}
	return nil
}

func validateAPIVersion(m *Module) error {
	if slices.Contains(supportedAPIVersions, m.APIVersion) {
		return nil
	}
	return keyError("api_version", "unsupported version %q (want %s)", m.APIVersion, orList(supportedAPIVersions))
}

func validateCollectors(m *Module, knownCollectors []string) error {
	known := strings.Join(knownCollectors, ", ")
	if len(m.Collectors) == 0 {
		return keyError("collectors", "at least one collector is required (known: %s)", known)
	}
	for i, c := range m.Collectors {
		if !slices.Contains(knownCollectors, c) {
			return keyError("collectors", "unknown collector %q (known: %s)", c, known)
		}
		if slices.Index(m.Collectors, c) < i {
			return keyError("collectors", "collector %q listed twice", c)
		}
	}
	return nil
}

// durationCheck is a duration key and whether 0 (no cache, say) is a meaningful value of it.
type durationCheck struct {
	path      string
	value     Duration
	allowZero bool
}

// rangeCheck is an integer key and its bounds.
type rangeCheck struct {
	path     string
	value    int
	min, max int
}

func checkDurations(checks ...durationCheck) error {
	for _, c := range checks {
		switch {
		case c.allowZero && c.value < 0:
			return keyError(c.path, "must not be negative, got %s", c.value)
		case !c.allowZero && c.value <= 0:
			return keyError(c.path, "must be greater than 0, got %s", c.value)
		}
	}
	return nil
}

func checkRanges(checks ...rangeCheck) error {
	for _, c := range checks {
		if c.value < c.min || c.value > c.max {
			return keyError(c.path, "%d is out of range (want %d..%d)", c.value, c.min, c.max)
		}
	}
	return nil
}

func validateLimits(m *Module) error {
	err := checkDurations(
		durationCheck{"timeout", m.Timeout, false},
		durationCheck{"jobs.lookback", m.Jobs.Lookback, false},
		durationCheck{"storage.cache_ttl", m.Storage.CacheTTL, true},
		durationCheck{"disk_pools.cache_ttl", m.DiskPools.CacheTTL, true},
		durationCheck{"tape.cache_ttl", m.Tape.CacheTTL, true},
		durationCheck{"media_servers.cache_ttl", m.MediaServers.CacheTTL, true},
	)
	if err != nil {
		return err
	}
	return checkRanges(
		rangeCheck{"jobs.page_size", m.Jobs.PageSize, 1, MaxJobsPageSize},
		rangeCheck{"storage.page_size", m.Storage.PageSize, 1, MaxStoragePageSize},
		rangeCheck{"max_concurrent_requests", m.MaxConcurrentRequests, 1, MaxConcurrentRequests},
		rangeCheck{"max_series", m.MaxSeries, 1, maxMaxSeries},
	)
}

func validateTargets(m *Module) error {
	if len(m.APIPaths) == 0 {
		return keyError("api_paths", "at least one path is required (default [/netbackup])")
	}
	for _, p := range m.APIPaths {
		if !strings.HasPrefix(p, "/") || !strings.HasSuffix(p, DefaultAPIPath) || strings.Contains(p, "//") || strings.ContainsAny(p, "%?#") {
			return keyError("api_paths", "path %q: want an absolute path ending in %s, without escapes", p, DefaultAPIPath)
		}
	}
	if _, err := parseTargetPatterns(m.AllowedTargets); err != nil {
		return err
	}
	switch {
	case len(m.AllowedTargets) == 0 && !m.AllowAnyTarget:
		return keyError("", "neither allowed_targets nor allow_any_target is set: "+
			"a module carries credentials, so say which NetBackup primaries it may be sent to (allowed_targets), "+
			"or set allow_any_target: true")
	case len(m.AllowedTargets) > 0 && m.AllowAnyTarget:
		// Otherwise the list would be silently ignored, which is the opposite of what its author meant.
		return keyError("", "allowed_targets and allow_any_target: true are mutually exclusive")
	}
	return nil
}

func validateTLS(m *Module) error {
	if err := m.TLSConfig.Validate(); err != nil {
		return &loadError{path: "tls_config", err: err}
	}
	return nil
}

// orList renders [a b c] as "a, b or c".
func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}
