package config

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"unicode"

	"github.com/prometheus/common/model"
)

// validateModule checks what can be checked without touching the file system. moduleLine is the
// line of the module's name, used for problems that belong to no single field.
func validateModule(m *Module, d *decoder, moduleLine int) error {
	checks := []func(*Module, *decoder, int) error{
		validateCredentials,
		validateAPIVersion,
		validateLimits,
		validatePosture,
		validateTargets,
		validateTLS,
	}
	for _, check := range checks {
		if err := check(m, d, moduleLine); err != nil {
			return err
		}
	}
	return nil
}

// validKey rejects keys that could not be sent as a header value verbatim; a stray newline in a
// pasted key is the usual cause, and failing here beats a 401 at every scrape.
func validKey(k string) bool {
	return !strings.ContainsFunc(k, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
}

func validateAPIVersion(m *Module, d *decoder, moduleLine int) error {
	if slices.Contains(supportedAPIVersions, m.APIVersion) {
		return nil
	}
	return d.errAt(d.lineOf("api_version", moduleLine), "api_version",
		fmt.Errorf("unsupported version %q (want %s)", m.APIVersion, orList(supportedAPIVersions)))
}

func validateCollectors(m *Module, d *decoder, moduleLine int, knownCollectors []string) error {
	known := strings.Join(knownCollectors, ", ")
	if len(m.Collectors) == 0 {
		return d.errAt(d.lineOf("collectors", moduleLine), "collectors",
			fmt.Errorf("at least one collector is required (known: %s)", known))
	}
	for i, c := range m.Collectors {
		line := elemLine(d, "collectors", i, moduleLine)
		if !slices.Contains(knownCollectors, c) {
			return d.errAt(line, "collectors", fmt.Errorf("unknown collector %q (known: %s)", c, known))
		}
		if slices.Index(m.Collectors, c) < i {
			return d.errAt(line, "collectors", fmt.Errorf("collector %q listed twice", c))
		}
	}
	return nil
}

func validateLimits(m *Module, d *decoder, moduleLine int) error {
	durations := []struct {
		field     string
		value     model.Duration
		allowZero bool
	}{
		{"timeout", m.Timeout, false},
		{"jobs.lookback", m.Jobs.Lookback, false},
		{"storage.cache_ttl", m.Storage.CacheTTL, true},
		{"disk_pools.cache_ttl", m.DiskPools.CacheTTL, true},
		{"tape.cache_ttl", m.Tape.CacheTTL, true},
		{"media_servers.cache_ttl", m.MediaServers.CacheTTL, true},
	}
	for _, c := range durations {
		line := d.lineOf(c.field, moduleLine)
		switch {
		case c.allowZero && c.value < 0:
			return d.errAt(line, c.field, fmt.Errorf("must not be negative, got %s", c.value))
		case !c.allowZero && c.value <= 0:
			return d.errAt(line, c.field, fmt.Errorf("must be greater than 0, got %s", c.value))
		}
	}
	ints := []struct {
		field    string
		value    int
		min, max int
	}{
		{"jobs.page_size", m.Jobs.PageSize, 1, MaxJobsPageSize},
		{"storage.page_size", m.Storage.PageSize, 1, MaxStoragePageSize},
		{"max_concurrent_requests", m.MaxConcurrentRequests, 1, MaxConcurrentRequests},
		{"max_series", m.MaxSeries, 1, maxMaxSeries},
	}
	for _, c := range ints {
		if c.value < c.min || c.value > c.max {
			return d.errAt(d.lineOf(c.field, moduleLine), c.field,
				fmt.Errorf("%d is out of range (want %d..%d)", c.value, c.min, c.max))
		}
	}
	return nil
}

func validateTargets(m *Module, d *decoder, moduleLine int) error {
	if len(m.APIPaths) == 0 {
		return d.errAt(d.lineOf("api_paths", moduleLine), "api_paths", errors.New("at least one path is required (default [/netbackup])"))
	}
	for i, p := range m.APIPaths {
		if !strings.HasPrefix(p, "/") || !strings.HasSuffix(p, DefaultAPIPath) || strings.Contains(p, "//") || strings.ContainsAny(p, "%?#") {
			return d.errAt(elemLine(d, "api_paths", i, moduleLine), "api_paths",
				fmt.Errorf("path %q: want an absolute path ending in %s, without escapes", p, DefaultAPIPath))
		}
	}
	for i, p := range m.AllowedTargets {
		line := elemLine(d, "allowed_targets", i, moduleLine)
		if p == "" {
			return d.errAt(line, "allowed_targets", errors.New("empty pattern"))
		}
		if _, err := path.Match(matchPattern(p), ""); err != nil {
			return d.errAt(line, "allowed_targets", fmt.Errorf("bad pattern %q: %w", p, err))
		}
	}
	switch {
	case len(m.AllowedTargets) == 0 && !m.AllowAnyTarget:
		return d.errAt(moduleLine, "", errors.New("neither allowed_targets nor allow_any_target is set: "+
			"a module carries credentials, so say which NetBackup primaries it may be sent to (allowed_targets), "+
			"or set allow_any_target: true"))
	case len(m.AllowedTargets) > 0 && m.AllowAnyTarget:
		// Otherwise the list would be silently ignored, which is the opposite of what its author meant.
		return d.errAt(d.lineOf("allow_any_target", moduleLine), "",
			errors.New("allowed_targets and allow_any_target: true are mutually exclusive"))
	}
	return nil
}

func validateTLS(m *Module, d *decoder, moduleLine int) error {
	if err := m.TLSConfig.Validate(); err != nil {
		return d.errAt(d.lineOf("tls_config", moduleLine), "tls_config", err)
	}
	return nil
}

func elemLine(d *decoder, field string, i, fallback int) int {
	if lines := d.elems[field]; i < len(lines) {
		return lines[i]
	}
	return d.lineOf(field, fallback)
}

// orList renders [a b c] as "a, b or c".
func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}
