package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
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
	root, err := parseDocument(data, name)
	if err != nil {
		return nil, err
	}
	top := newDecoder(name, "")
	modulesKey, modulesNode, err := topLevel(top, root)
	if err != nil {
		return nil, err
	}
	modulesNode = resolve(modulesNode)
	if isNull(modulesNode) || (modulesNode.Kind == yaml.MappingNode && len(modulesNode.Content) == 0) {
		line := 0
		if modulesKey != nil {
			line = modulesKey.Line
		}
		return nil, top.errAt(line, "", errors.New("no modules defined"))
	}
	if modulesNode.Kind != yaml.MappingNode {
		return nil, top.errAt(modulesNode.Line, "modules", fmt.Errorf("want a mapping of module names to modules, got %s", describe(modulesNode)))
	}
	pairs, err := top.mappingPairs(modulesNode, func(key string, first int) error {
		return fmt.Errorf("module %q defined twice (first at line %d)", key, first)
	})
	if err != nil {
		return nil, err
	}

	cfg := &Config{Modules: make(map[string]*Module, len(pairs))}
	for _, p := range pairs {
		if p.key.Kind != yaml.ScalarNode || p.key.Value == "" {
			return nil, top.errAt(p.key.Line, "", errors.New("module name must not be empty"))
		}
		m, err := s.loadModule(name, dir, p.key, p.value, read)
		if err != nil {
			return nil, err
		}
		cfg.Modules[m.Name] = m
	}
	return cfg, nil
}

// parseDocument returns the root node of the single YAML document in data, or nil if it is empty.
func parseDocument(data []byte, name string) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, &loadError{file: name, err: fmt.Errorf("invalid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))}
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		return nil, &loadError{file: name, line: extra.Line, err: errors.New("only one YAML document is allowed")}
	case !errors.Is(err, io.EOF):
		return nil, &loadError{file: name, err: fmt.Errorf("invalid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))}
	}
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			return nil, nil
		}
		return doc.Content[0], nil
	}
	return &doc, nil
}

// topLevel checks the keys of the root mapping and returns the modules entry (nil if absent).
func topLevel(d *decoder, root *yaml.Node) (key, value *yaml.Node, err error) {
	root = resolve(root)
	if isNull(root) {
		return nil, nil, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, nil, d.errAt(root.Line, "", fmt.Errorf("want a mapping with a \"modules\" key, got %s", describe(root)))
	}
	pairs, err := d.mappingPairs(root, func(key string, first int) error {
		return fmt.Errorf("top-level field %q set twice (first at line %d)", key, first)
	})
	if err != nil {
		return nil, nil, err
	}
	allowed := yamlFields(reflect.TypeFor[Config]())
	for _, p := range pairs {
		if _, ok := allowed[p.key.Value]; !ok || p.key.Kind != yaml.ScalarNode {
			return nil, nil, d.errAt(p.key.Line, "", fmt.Errorf("unknown top-level field %q", p.key.Value))
		}
		if p.key.Value == "modules" {
			key, value = p.key, p.value
		}
	}
	return key, value, nil
}

func (s Schema) loadModule(file, dir string, key, value *yaml.Node, read fileReader) (*Module, error) {
	m := s.DefaultModule()
	m.Name = key.Value
	d := newDecoder(file, m.Name)
	if err := d.decodeStruct(value, reflect.ValueOf(&m).Elem(), ""); err != nil {
		return nil, err
	}
	if err := validateModule(&m, d, key.Line); err != nil {
		return nil, err
	}
	if err := validateCollectors(&m, d, key.Line, s.Collectors); err != nil {
		return nil, err
	}
	if err := resolveModule(&m, d, dir, key.Line, read); err != nil {
		return nil, err
	}
	return &m, nil
}

// resolveModule does the file-system half of loading: reading the key and the TLS material, so
// that a config that loads is one the prober can use without surprises.
func resolveModule(m *Module, d *decoder, dir string, moduleLine int, read fileReader) error {
	key, password, err := resolveCredentials(m, d, dir, moduleLine, read)
	if err != nil {
		return err
	}

	m.TLSConfig.SetDirectory(dir)
	files, err := readTLSFiles(&m.TLSConfig, read, func(field string, err error) error {
		return d.errAt(d.lineOf("tls_config."+field, moduleLine), "tls_config."+field, err)
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
		return d.errAt(d.lineOf("tls_config", moduleLine), "tls_config", err)
	}

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
