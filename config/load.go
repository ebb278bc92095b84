package config

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	promconfig "github.com/prometheus/common/config"
)

// Load reads, validates and resolves the config file at path: api_key_file, password_file and the
// api_key_env and password_env variables are read, TLS files are read and parsed, relative paths
// are taken relative to the file's directory.
func (s Schema) Load(path string) (*Config, error) {
	data, err := ReadFile(path, MaxConfigFileBytes)
	if err != nil {
		return nil, fmt.Errorf("reading config file: %w", err)
	}
	return s.Parse(data, path, filepath.Dir(path))
}

// Parse does what Load does for data already in memory. name stands for the file in error
// messages; relative api_key_file and tls_config paths resolve against baseDir.
func (s Schema) Parse(data []byte, name, baseDir string) (*Config, error) {
	return s.parse(data, name, baseDir, ReadFile)
}

// fileReader reads a file the config names, failing above limit bytes: ReadFile, or the fuzz
// target's, which keeps fuzzed paths away from the real file system.
type fileReader func(path string, limit int64) ([]byte, error)

func (s Schema) parse(data []byte, name, baseDir string, read fileReader) (*Config, error) {
	// Absolute, so KeyFiles and the resolved paths stay right if the process changes directory.
	dir, err := filepath.Abs(baseDir)
	if err != nil {
		return nil, &loadError{file: name, err: fmt.Errorf("resolving the config directory: %w", err)}
	}
	if len(data) > MaxConfigFileBytes {
		return nil, &loadError{file: name, err: fmt.Errorf("larger than %d bytes", MaxConfigFileBytes)}
	}
	cfg, err := decodeFile(data)
	if err != nil {
		le := decodeError(data, err)
		le.file = name
		return nil, le
	}
	if len(cfg.Modules) == 0 {
		return nil, &loadError{file: name, err: errors.New("no modules defined")}
	}
	for _, moduleName := range slices.Sorted(maps.Keys(cfg.Modules)) {
		m, err := s.loadModule(moduleName, cfg.Modules[moduleName], dir, read)
		if err != nil {
			return nil, inModule(name, data, moduleName, err)
		}
		cfg.Modules[moduleName] = m
	}
	return cfg, nil
}

// loadModule completes a decoded module (nil for a module with no value: a module of defaults),
// validates it and reads what it names from the file system.
func (s Schema) loadModule(name string, m *Module, dir string, read fileReader) (*Module, error) {
	if name == "" {
		return nil, errors.New("module name must not be empty")
	}
	def := s.DefaultModule()
	if m == nil {
		m = &def
	}
	m.Name = name
	// yaml.v3 decodes a null list as nil, where a null keeps the default as for every other key.
	if m.Collectors == nil {
		m.Collectors = def.Collectors
	}
	if m.APIPaths == nil {
		m.APIPaths = def.APIPaths
	}
	if m.Clients.SuccessStatuses == nil {
		m.Clients.SuccessStatuses = def.Clients.SuccessStatuses
	}
	if err := s.validateModule(m); err != nil {
		return nil, err
	}
	if err := resolveModule(m, dir, read); err != nil {
		return nil, err
	}
	return m, nil
}

// resolveModule does the file-system half of loading: reading the key and the TLS material, so
// that a config that loads is one the prober can use without surprises.
func resolveModule(m *Module, dir string, read fileReader) error {
	key, password, err := resolveCredentials(m, dir, read)
	if err != nil {
		return err
	}

	m.TLSConfig.SetDirectory(dir)
	files, err := readTLSFiles(&m.TLSConfig, read, func(field string, err error) error {
		return &loadError{path: "tls_config." + field, err: err}
	})
	if err != nil {
		return err
	}
	// Building the tls.Config once is the only way to find out that a CA or key pair is unusable.
	// It gets the contents read above, never the paths, so that nothing reads them again.
	m.resolved = &resolved{apiKey: key, password: password, tls: inlineTLSFiles(m.TLSConfig, files)}
	if _, err := m.NewTLSConfig(); err != nil {
		// Said again from the files (vetted just now), so that the error names the one at fault.
		tc := m.TLSConfig
		if _, ferr := promconfig.NewTLSConfig(&tc); ferr != nil {
			err = ferr
		}
		return &loadError{path: "tls_config", err: err}
	}
	targets, err := parseTargetPatterns(m.AllowedTargets)
	if err != nil {
		return err
	}
	m.resolved.targets = targets

	m.resolved.sessionFingerprint = sessionFingerprint(m, files)
	return nil
}

// readTLSFiles returns the contents of the TLS files tc names, keyed by path, for the fingerprint.
// A file that cannot be read is skipped if fail returns nil.
func readTLSFiles(tc *promconfig.TLSConfig, read fileReader, fail func(field string, err error) error) (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, f := range []struct{ field, path string }{
		{"ca_file", tc.CAFile},
		{"cert_file", tc.CertFile},
		{"key_file", tc.KeyFile},
	} {
		if f.path == "" {
			continue
		}
		b, err := read(f.path, maxTLSFileBytes)
		if err != nil {
			if e := fail(f.field, err); e != nil {
				return nil, e
			}
			continue
		}
		files[f.path] = b
	}
	return files, nil
}

// KeyFiles lists the absolute api_key_file, password_file and TLS file paths the config names, sorted and
// without duplicates, so callers can watch them and reload when a key, password or certificate is rotated.
func (c *Config) KeyFiles() []string {
	var out []string
	for _, m := range c.Modules {
		// The TLS files too: they are read once, at load, so a rotated certificate (cert-manager,
		// say) takes effect through the reload its change on disk triggers.
		for _, p := range []string{m.APIKeyFile, m.PasswordFile, m.TLSConfig.CAFile, m.TLSConfig.CertFile, m.TLSConfig.KeyFile} {
			if p == "" {
				continue
			}
			if abs, err := filepath.Abs(p); err == nil {
				p = abs
			}
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
