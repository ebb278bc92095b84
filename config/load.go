package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	promconfig "github.com/prometheus/common/config"
	"gopkg.in/yaml.v3"
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
	return s.parse(data, name, baseDir, readRegularFile)
}

// readRegularFile is the reader loading uses (a parameter of parse, so that the fuzz target can
// keep fuzzed paths away from the real file system).
func readRegularFile(path string, limit int64) ([]byte, error) { return ReadFile(path, limit) }

// fileReader reads a file the config names, failing above limit bytes.
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
	modules, err := decodeModules(data)
	if err != nil {
		return nil, inFile(name, "", err)
	}
	if len(modules) == 0 {
		return nil, &loadError{file: name, err: errors.New("no modules defined")}
	}
	cfg := &Config{Modules: make(map[string]*Module, len(modules))}
	for _, moduleName := range slices.Sorted(maps.Keys(modules)) {
		m, err := s.loadModule(moduleName, modules[moduleName], dir, read)
		if err != nil {
			return nil, inFile(name, moduleName, err)
		}
		cfg.Modules[moduleName] = m
	}
	return cfg, nil
}

// decodeModules decodes the one YAML document in data, strictly, down to its modules, which are
// decoded later, each onto its defaults. An empty document has no modules.
func decodeModules(data []byte) (mapping, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var root mapping
	if err := dec.Decode(&root); err != nil && !errors.Is(err, io.EOF) {
		return nil, documentError(err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		return nil, &loadError{line: extra.Line, err: errors.New("only one YAML document is allowed")}
	case !errors.Is(err, io.EOF):
		return nil, documentError(err)
	}
	var top struct {
		Modules mapping `yaml:"modules"`
	}
	if err := decodeStruct(root, reflect.ValueOf(&top).Elem(), "", map[string]int{}); err != nil {
		return nil, err
	}
	return top.Modules, nil
}

// documentError tells a document that is not YAML from one that does not fit the schema.
func documentError(err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return yamlError("", err)
	}
	return fmt.Errorf("invalid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
}

// inFile completes err with the file and the module it is about.
func inFile(file, module string, err error) error {
	var le *loadError
	if !errors.As(err, &le) {
		return &loadError{file: file, module: module, err: err}
	}
	le.file, le.module = file, module
	return le
}

func (s Schema) loadModule(name string, src value, dir string, read fileReader) (*Module, error) {
	if name == "" {
		return nil, &loadError{err: errors.New("module name must not be empty")}
	}
	m := s.DefaultModule()
	m.Name = name
	// written tells a key the file sets from a default (token_ttl: 0s is an error, no token_ttl is
	// not), and the line to show for it.
	written := map[string]int{}
	line := lineOf(src)
	if err := decodeModule(&m, src, written); err != nil {
		return nil, atLine(err, written, line)
	}
	if err := s.validateModule(&m, written); err != nil {
		return nil, atLine(err, written, line)
	}
	if err := resolveModule(&m, dir, read); err != nil {
		return nil, atLine(err, written, line)
	}
	return &m, nil
}

// decodeModule decodes a module's keys onto m, which holds the defaults; a module with no value is
// a module of defaults.
func decodeModule(m *Module, src value, written map[string]int) error {
	if src == nil {
		return nil
	}
	var keys mapping
	if err := src(&keys); err != nil {
		return yamlError("", err)
	}
	return decodeStruct(keys, reflect.ValueOf(m).Elem(), "", written)
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

	m.resolved.fingerprint = fingerprint(m, files, true)
	m.resolved.sessionFingerprint = fingerprint(m, files, false)
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
