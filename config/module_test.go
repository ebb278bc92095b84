package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// writeCert writes a self-signed certificate and its key as PEM files under dir.
func writeCert(t testing.TB, dir, certName, keyName string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, certName), string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	if keyName != "" {
		kder, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, keyName), string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})))
	}
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestTLSFilesResolveAgainstConfigDir(t *testing.T) {
	dir := t.TempDir()
	writeCert(t, dir, "ca.pem", "")
	writeCert(t, dir, "client.pem", "client-key.pem")
	writeFile(t, filepath.Join(dir, "api.key"), "test-key-01\n")
	writeFile(t, filepath.Join(dir, "modules.yml"), `modules:
  default:
    api_key_file: api.key
    allow_any_target: true
    tls_config:
      ca_file: ca.pem
      cert_file: client.pem
      key_file: client-key.pem
      server_name: nbu.example.com
`)
	cfg, err := testSchema.Load(filepath.Join(dir, "modules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	m := cfg.Modules["default"]
	for _, got := range []string{m.TLSConfig.CAFile, m.TLSConfig.CertFile, m.TLSConfig.KeyFile, m.APIKeyFile} {
		if filepath.Dir(got) != dir {
			t.Errorf("path %q was not resolved against %s", got, dir)
		}
	}
	tc, err := m.NewTLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	if tc.RootCAs == nil || tc.GetClientCertificate == nil || tc.ServerName != "nbu.example.com" {
		t.Errorf("tls.Config misses CA, client certificate or server name: %+v", tc)
	}
}

func TestMismatchedClientKeyIsALoadError(t *testing.T) {
	dir := t.TempDir()
	writeCert(t, dir, "client.pem", "")
	writeCert(t, dir, "other.pem", "other-key.pem")
	_, err := testSchema.Parse([]byte(`modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    tls_config: {cert_file: client.pem, key_file: other-key.pem}
`), "modules.yml", dir)
	want := `modules.yml:5: module "default": tls_config: unable to use specified client cert`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %v, want prefix %q", err, want)
	}
}

func TestSecretsHidden(t *testing.T) {
	cfg, err := testSchema.Load("testdata/good.yml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "<secret>") {
		t.Errorf("marshalled config does not show <secret> for the inline api_key:\n%s", out)
	}

	def, pinned := cfg.Modules["default"], cfg.Modules["pinned"]
	printed := []string{
		string(out),
		fmt.Sprintf("%v %+v %#v %s", *pinned, *pinned, pinned, pinned),
		fmt.Sprintf("%v %+v %#v", *def, *def, def),
		// An unexported field bypasses Format, so the resolved key must still not print.
		fmt.Sprintf("%+v %#v", struct{ m Module }{*def}, struct{ m Module }{*def}),
	}
	for _, p := range printed {
		for _, secret := range []string{"inline-key-abcdef", "file-key-0123456789abcdef"} {
			if strings.Contains(p, secret) {
				t.Errorf("output reveals %q:\n%s", secret, p)
			}
		}
	}
}

func TestSessionFingerprint(t *testing.T) {
	dir := t.TempDir()
	keyPath, confPath := filepath.Join(dir, "api.key"), filepath.Join(dir, "modules.yml")
	writeCert(t, dir, "ca.pem", "")
	const conf = `modules:
  default:
    api_key_file: api.key
    allowed_targets: [nbu.example.com]
    tls_config: {ca_file: ca.pem}
`
	writeFile(t, confPath, conf)
	writeFile(t, keyPath, "key-one-0001\n")

	fp := func() string {
		t.Helper()
		cfg, err := testSchema.Load(confPath)
		if err != nil {
			t.Fatal(err)
		}
		return cfg.Modules["default"].SessionFingerprint()
	}

	first := fp()
	if b, err := hex.DecodeString(first); err != nil || len(b) != 32 {
		t.Fatalf("SessionFingerprint() = %q, want 64 hex digits", first)
	}
	keySum := sha256.Sum256([]byte("key-one-0001"))
	for _, leak := range []string{"key-one-0001", hex.EncodeToString([]byte("key-one-0001")), hex.EncodeToString(keySum[:])} {
		if strings.Contains(first, leak) {
			t.Fatalf("fingerprint %s contains %s", first, leak)
		}
	}
	if again := fp(); again != first {
		t.Fatalf("fingerprint changed between two loads of the same content: %s, %s", first, again)
	}

	writeFile(t, confPath, conf+"    jobs: {page_size: 50}\n")
	if changed := fp(); changed == first {
		t.Error("fingerprint did not change when jobs.page_size changed")
	}
	writeFile(t, confPath, conf)

	writeCert(t, dir, "ca.pem", "")
	if newCA := fp(); newCA == first {
		t.Error("fingerprint did not change when the CA file content changed")
	}
}

func TestModuleBuiltInCode(t *testing.T) {
	a, b := testSchema.DefaultModule(), testSchema.DefaultModule()
	a.APIKey, b.APIKey, b.Jobs.PageSize = "key-one-0001", "two", 50
	if a.SessionFingerprint() == "" || a.SessionFingerprint() == b.SessionFingerprint() {
		t.Errorf("fingerprints %q and %q should be set and differ", a.SessionFingerprint(), b.SessionFingerprint())
	}
	if a.APIKeyValue() != "key-one-0001" {
		t.Errorf("APIKeyValue() = %q, want the inline key", a.APIKeyValue())
	}
}
