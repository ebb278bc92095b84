package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A path in modules.yml that names a directory, a device or a huge file is a load error that says
// so, rather than a hang or a key made of a log file's bytes.
func TestReferencedFilesMustBeSmallRegularFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "big.key"), strings.Repeat("k", maxKeyFileBytes+1))
	writeFile(t, filepath.Join(dir, "big.pem"), strings.Repeat("x", maxTLSFileBytes+1))
	if err := os.Mkdir(filepath.Join(dir, "keydir"), 0o700); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, module, want string
	}{
		{"key file is a directory", "api_key_file: keydir", `api_key_file: ` + filepath.Join(dir, "keydir") + " is not a regular file"},
		{"key file too large", "api_key_file: big.key", `api_key_file: ` + filepath.Join(dir, "big.key") + " is larger than 65536 bytes"},
		{"key file is a device", "api_key_file: /dev/zero", `api_key_file: /dev/zero is not a regular file`},
		{"CA file is a device", "api_key: test-key-01\n    tls_config: {ca_file: /dev/zero}", `tls_config.ca_file: /dev/zero is not a regular file`},
		{"CA file too large", "api_key: test-key-01\n    tls_config: {ca_file: big.pem}", `tls_config.ca_file: ` + filepath.Join(dir, "big.pem") + " is larger than 4194304 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if strings.Contains(tc.module, "/dev/zero") {
				if _, err := os.Stat("/dev/zero"); err != nil {
					t.Skip("no /dev/zero on this system")
				}
			}
			yml := "modules:\n  m:\n    allow_any_target: true\n    " + tc.module + "\n"
			_, err := testSchema.Parse([]byte(yml), "modules.yml", dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want containing %q", err, tc.want)
			}
		})
	}
}

// Anchors that merge an anchor several times, nested, expand exponentially (a billion laughs made
// of merge keys): yaml.v3's alias budget stops the expansion, and the error names the file and the
// module it ran out in (yaml.v3 decodes modules in document order: m4 is the first large enough).
// Sharing an anchor the way docs/configuration.md shows, across many modules, stays well within it.
func TestMergeKeyBombIsRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString("modules:\n  m0: &x0 {api_key: test-key-01, allow_any_target: true, jobs: {lookback: 2h}}\n")
	for i := 1; i <= 12; i++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*x%d, ", i-1), 8), ", ")
		fmt.Fprintf(&b, "  m%d: &x%d {<<: [%s]}\n", i, i, refs)
	}
	_, err := testSchema.Parse([]byte(b.String()), "modules.yml", t.TempDir())
	if want := `modules.yml:6: module "m4": `; err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "excessive aliasing") {
		t.Errorf("err = %v, want %q... excessive aliasing", err, want)
	}

	var shared strings.Builder
	shared.WriteString("modules:\n  base: &base\n    api_key: test-key-01\n    allowed_targets: [\"nbu-*.example.com\"]\n" +
		"    tls_config: {server_name: nbu.example.com, min_version: TLS12}\n    jobs: {lookback: 2h, page_size: 50}\n")
	for i := range 500 {
		fmt.Fprintf(&shared, "  m%d: {<<: *base, collectors: [jobs], timeout: %ds}\n", i, i+1)
	}
	cfg, err := testSchema.Parse([]byte(shared.String()), "modules.yml", t.TempDir())
	if err != nil {
		t.Fatalf("500 modules sharing one anchor: %v", err)
	}
	if m := cfg.Modules["m499"]; m.Jobs.PageSize != 50 || m.TLSConfig.ServerName != "nbu.example.com" || m.Timeout != Duration(500*time.Second) {
		t.Errorf("m499 = jobs %+v, tls server_name %q, timeout %v: want base's jobs and TLS, its own timeout", m.Jobs, m.TLSConfig.ServerName, m.Timeout)
	}
}

// Many merge sources that are all different are no expansion: they decode once each, the first
// source winning, and the document's size bounds them.
func TestManyMergeSourcesAndTheSizeBound(t *testing.T) {
	var w strings.Builder
	w.WriteString("modules:\n  m:\n    api_key: test-key-01\n    allow_any_target: true\n    jobs:\n      <<: [")
	for i := range 10001 {
		fmt.Fprintf(&w, "{lookback: %dm}, ", i+1)
	}
	w.WriteString("{}]\n")
	cfg, err := testSchema.Parse([]byte(w.String()), "modules.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Modules["m"].Jobs.Lookback; got != Duration(time.Minute) {
		t.Errorf("lookback = %v, want the first merge source's 1m", got)
	}

	big := []byte("modules:\n  m: {api_key: test-key-01, allow_any_target: true}\n" + strings.Repeat("#", MaxConfigFileBytes))
	if _, err := testSchema.Parse(big, "modules.yml", t.TempDir()); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("a document over %d bytes: err = %v, want it refused", MaxConfigFileBytes, err)
	}
}
