package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

func TestReadFileRefusesWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	big := filepath.Join(dir, "big.yml")
	if err := os.WriteFile(big, make([]byte, MaxConfigFileBytes+1), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "zero")
	if err := os.Symlink("/dev/zero", link); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, path, want string }{
		{"a FIFO (a reader would block for a writer)", fifo, "not a regular file"},
		{"a device", "/dev/zero", "not a regular file"},
		{"a symlink to a device", link, "not a regular file"},
		{"a directory", dir, "not a regular file"},
		{"too large", big, "larger than"},
		{"missing", filepath.Join(dir, "none"), "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadFile(tc.path, MaxConfigFileBytes)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ReadFile(%s) = %v, want %q", tc.path, err, tc.want)
			}
		})
	}
	// The config file itself goes through the same reader.
	if _, err := testSchema.Load(fifo); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Load(FIFO) = %v", err)
	}
	if _, err := testSchema.Load(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("Load(too large) = %v", err)
	}
}

// The TLS files are read once, at load: a CA file swapped for a FIFO afterwards cannot make
// building a client (under the session store's lock) wait for a writer.
func TestTLSFilesAreNotReadAgainAfterLoad(t *testing.T) {
	dir := t.TempDir()
	caPEM, _, err := fakenbu.NewTestCA()
	if err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := testSchema.Parse([]byte("modules:\n  m:\n    api_key: test-key-01\n    allow_any_target: true\n    tls_config: {ca_file: ca.pem}\n"), "modules.yml", dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(ca); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(ca, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := cfg.Modules["m"].NewTLSConfig(); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("NewTLSConfig after the swap: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("NewTLSConfig opened the CA file again and is waiting on the FIFO")
	}
}
