package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		{"key file is a directory", "api_key_file: keydir", `field "api_key_file": ` + filepath.Join(dir, "keydir") + " is not a regular file"},
		{"key file too large", "api_key_file: big.key", `field "api_key_file": ` + filepath.Join(dir, "big.key") + " is larger than 65536 bytes"},
		{"key file is a device", "api_key_file: /dev/zero", `field "api_key_file": /dev/zero is not a regular file`},
		{"CA file is a device", "api_key: k\n    tls_config: {ca_file: /dev/zero}", `field "tls_config.ca_file": /dev/zero is not a regular file`},
		{"CA file too large", "api_key: k\n    tls_config: {ca_file: big.pem}", `field "tls_config.ca_file": ` + filepath.Join(dir, "big.pem") + " is larger than 4194304 bytes"},
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

// Anchors that merge an anchor several times, nested, expand exponentially if each merge is walked
// anew: 455 bytes took a second at depth 7, and depth 12 would take days. Each source is expanded
// once, and a hard cap on the mappings walked catches what the cache does not.
func TestMergeKeyBombLoadsInLinearTime(t *testing.T) {
	var b strings.Builder
	b.WriteString("modules:\n  m0: &x0 {api_key: k, allow_any_target: true, jobs: {lookback: 2h}}\n")
	for i := 1; i <= 12; i++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*x%d, ", i-1), 8), ", ")
		fmt.Fprintf(&b, "  m%d: &x%d {<<: [%s]}\n", i, i, refs)
	}
	cfg, err := testSchema.Parse([]byte(b.String()), "modules.yml", t.TempDir())
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got := cfg.Modules["m12"].Jobs.Lookback; got != cfg.Modules["m0"].Jobs.Lookback {
		t.Errorf("m12 lookback = %v, want the merged 2h", got)
	}

	// What the cache cannot flatten, many distinct merge sources, stops at the cap with an error.
	var w strings.Builder
	w.WriteString("modules:\n  m:\n    api_key: k\n    allow_any_target: true\n    jobs:\n      <<: [")
	for i := range maxMappings + 1 {
		fmt.Fprintf(&w, "{lookback: %dm}, ", i+1)
	}
	w.WriteString("{}]\n")
	_, err = testSchema.Parse([]byte(w.String()), "modules.yml", t.TempDir())
	if want := "merge keys expand too far"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want containing %q", err, want)
	}
}
