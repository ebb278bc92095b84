package config

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const credsPrefix = "exactly one of api_key, api_key_file, api_key_env or a login (username with password, password_file or password_env) is required"

// Each credential mistake fails the load with a message naming the module, the keys found and the
// line where the problem starts. Not parallel: the table sets environment variables.
func TestCredentialErrors(t *testing.T) {
	dir := testdataDir(t)
	t.Setenv("NBU_TEST_EMPTY", "")
	t.Setenv("NBU_TEST_BLANK", " \n")
	t.Setenv("NBU_TEST_SPACED", "env key")
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"key and login", `modules:
  default:
    api_key: test-key-01
    allow_any_target: true
    username: monitor
    password: test-pw-01
`, `modules.yml:3: module "default": ` + credsPrefix + ` (found api_key, username, password)`},
		{"key file and key env", `modules:
  default:
    api_key_env: NBU_PROD_KEY
    api_key_file: api.key
    allow_any_target: true
`, `modules.yml:3: module "default": ` + credsPrefix + ` (found api_key_file, api_key_env)`},
		{"token_ttl with a key", `modules:
  default:
    api_key: test-key-01
    token_ttl: 5m
    allow_any_target: true
`, `modules.yml:3: module "default": ` + credsPrefix + ` (found api_key, token_ttl)`},
		{"password without username", `modules:
  default:
    allow_any_target: true
    password_file: api.key
    domain_type: NT
`, `modules.yml:3: module "default": a login needs username (found password_file, domain_type)`},
		{"username without password", `modules:
  default:
    username: monitor
    allow_any_target: true
`, `modules.yml:3: module "default": a login needs exactly one of password, password_file and password_env (found none)`},
		{"two passwords", `modules:
  default:
    username: monitor
    password_env: NBU_PW
    password: test-pw-01
    allow_any_target: true
`, `modules.yml:3: module "default": a login needs exactly one of password, password_file and password_env (found password, password_env)`},
		{"unknown domain type", `modules:
  default:
    username: monitor
    password: test-pw-01
    domain_type: AD
    allow_any_target: true
`, `modules.yml:5: module "default": domain_type: unknown domain type "AD" (want NT, vx, unixpwd or ldap)`},
		{"token_ttl zero", `modules:
  default:
    username: monitor
    password: test-pw-01
    token_ttl: 0s
    allow_any_target: true
`, `modules.yml:5: module "default": token_ttl: must be greater than 0, got 0s`},
		{"key env unset", `modules:
  default:
    allow_any_target: true
    api_key_env: NBU_TEST_UNSET_4711
`, `modules.yml:4: module "default": api_key_env: environment variable NBU_TEST_UNSET_4711 is not set`},
		{"key env empty", `modules:
  default:
    api_key_env: NBU_TEST_EMPTY
    allow_any_target: true
`, `modules.yml:3: module "default": api_key_env: environment variable NBU_TEST_EMPTY is empty`},
		{"key env blank", `modules:
  default:
    api_key_env: NBU_TEST_BLANK
    allow_any_target: true
`, `modules.yml:3: module "default": api_key_env: environment variable NBU_TEST_BLANK is empty`},
		{"key env with a space", `modules:
  default:
    api_key_env: NBU_TEST_SPACED
    allow_any_target: true
`, `modules.yml:3: module "default": api_key_env: the key in environment variable NBU_TEST_SPACED contains whitespace or control characters`},
		{"key env not a name", `modules:
  default:
    api_key_env: "A=B"
    allow_any_target: true
`, `modules.yml:3: module "default": api_key_env: "A=B" is not an environment variable name`},
		{"password env unset", `modules:
  default:
    username: monitor
    password_env: NBU_TEST_UNSET_4711
    allow_any_target: true
`, `modules.yml:4: module "default": password_env: environment variable NBU_TEST_UNSET_4711 is not set`},
		{"password env empty", `modules:
  default:
    username: monitor
    password_env: NBU_TEST_EMPTY
    allow_any_target: true
`, `modules.yml:4: module "default": password_env: environment variable NBU_TEST_EMPTY is empty`},
		{"password file empty", `modules:
  default:
    username: monitor
    password_file: empty.key
    allow_any_target: true
`, `modules.yml:4: module "default": password_file: $DIR/empty.key is empty`},
		{"password file missing", `modules:
  default:
    username: monitor
    password_file: /nonexistent/pw
    allow_any_target: true
`, `modules.yml:4: module "default": password_file: open /nonexistent/pw: no such file or directory`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := testSchema.Parse([]byte(tc.yaml), "modules.yml", "testdata")
			want := strings.ReplaceAll(tc.want, "$DIR", dir)
			if err == nil || err.Error() != want {
				t.Errorf("error:\n got: %v\nwant: %s", err, want)
			}
		})
	}
}

// Keys and passwords from the environment and from files load, trimmed as documented; /config
// shows variable names and paths, never values.
func TestLoadCredentials(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "pw"), " file pw \n")
	t.Setenv("NBU_TEST_KEY", " env-key-5f2a\n")
	t.Setenv("NBU_TEST_PW", "  env pw 9d\r\n")
	cfg, err := testSchema.Parse([]byte(`modules:
  envkey:
    api_key_env: NBU_TEST_KEY
    allow_any_target: true
  envlogin:
    username: monitor
    password_env: NBU_TEST_PW
    domain_type: NT
    domain_name: CORP
    token_ttl: 20m
    allow_any_target: true
  filelogin:
    username: monitor
    password_file: pw
    allow_any_target: true
  inlinelogin:
    username: monitor
    password: inline-pw-77
    allow_any_target: true
`), "modules.yml", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, got, want string }{
		{"env key", cfg.Modules["envkey"].APIKeyValue(), "env-key-5f2a"},
		{"env password keeps inner and leading spaces", cfg.Modules["envlogin"].PasswordValue(), "  env pw 9d"},
		{"file password keeps spaces", cfg.Modules["filelogin"].PasswordValue(), " file pw "},
		{"inline password", cfg.Modules["inlinelogin"].PasswordValue(), "inline-pw-77"},
		{"login has no key", cfg.Modules["envlogin"].APIKeyValue(), ""},
		{"token_ttl", cfg.Modules["envlogin"].TokenTTL.String(), "20m"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if got, want := cfg.KeyFiles(), []string{filepath.Join(dir, "pw")}; !slices.Equal(got, want) {
		t.Errorf("KeyFiles() = %v, want %v (password files are watched too)", got, want)
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"api_key_env: NBU_TEST_KEY", "password_env: NBU_TEST_PW", "password: <secret>", "password_file: " + filepath.Join(dir, "pw")} {
		if !strings.Contains(string(out), want) {
			t.Errorf("/config does not show %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{"env-key-5f2a", "env pw 9d", "file pw", "inline-pw-77"} {
		if strings.Contains(string(out), secret) {
			t.Errorf("/config shows the secret %q:\n%s", secret, out)
		}
	}
}

// The session fingerprint ignores every credential, so that a rotated key or password keeps the
// target's state, and sees what is collected.
func TestSessionFingerprintIgnoresCredentials(t *testing.T) {
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "api.key")
	load := func(module string) *Module {
		t.Helper()
		cfg, err := testSchema.Parse([]byte("modules:\n  m:\n    allow_any_target: true\n"+module), "modules.yml", dir)
		if err != nil {
			t.Fatal(err)
		}
		return cfg.Modules["m"]
	}
	writeFile(t, keyPath, "key-one-0001\n")
	base := load("    api_key_file: api.key\n")
	writeFile(t, keyPath, "key-two-0002\n")
	rotated := load("    api_key_file: api.key\n")
	t.Setenv("NBU_TEST_PW", "test-pw-0001")
	login := load("    username: monitor\n    password_env: NBU_TEST_PW\n    token_ttl: 5m\n")
	t.Setenv("NBU_TEST_PW", "test-pw-0002")
	newPassword := load("    username: monitor\n    password_env: NBU_TEST_PW\n    token_ttl: 5m\n")
	collects := load("    api_key_file: api.key\n    jobs: {page_size: 50}\n")

	if base.APIKeyValue() == rotated.APIKeyValue() || login.PasswordValue() == newPassword.PasswordValue() {
		t.Error("the loads did not read the rotated key or password")
	}
	for name, m := range map[string]*Module{"rotated key": rotated, "login": login, "new password": newPassword} {
		if m.SessionFingerprint() != base.SessionFingerprint() {
			t.Errorf("%s: SessionFingerprint changed with the credentials", name)
		}
	}
	if collects.SessionFingerprint() == base.SessionFingerprint() {
		t.Error("SessionFingerprint did not change with jobs.page_size")
	}
	inCode := testSchema.DefaultModule()
	inCode.APIKey = "key-one-0001"
	other := inCode
	other.APIKey = "key-two-0002"
	if inCode.SessionFingerprint() != other.SessionFingerprint() {
		t.Error("a module built in code: SessionFingerprint changed with the key")
	}
}

// A key or password shorter than MinSecretBytes is refused at load, wherever it comes from, with an
// error that names the module and the key and never the secret; eight bytes load.
func TestShortSecretsRefused(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "short.key"), "k3y-7b\n")
	writeFile(t, filepath.Join(dir, "short.pw"), "pw-7b \n")
	writeFile(t, filepath.Join(dir, "eight.key"), "8-bytes!\n")
	t.Setenv("NBU_TEST_SHORT", "s3cr3t")
	const login = "username: monitor\n    "
	for _, tc := range []struct{ body, want string }{
		{"api_key: k", `api_key: the key is shorter than 8 bytes`},
		{"api_key: 7-bytes", `api_key: the key is shorter than 8 bytes`},
		{"api_key_file: short.key", `api_key_file: the key in ` + filepath.Join(dir, "short.key") + ` is shorter than 8 bytes`},
		{"api_key_env: NBU_TEST_SHORT", `api_key_env: the key in environment variable NBU_TEST_SHORT is shorter than 8 bytes`},
		{login + "password: pw", `password: the password is shorter than 8 bytes`},
		{login + "password_file: short.pw", `password_file: the password in ` + filepath.Join(dir, "short.pw") + ` is shorter than 8 bytes`},
		{login + "password_env: NBU_TEST_SHORT", `password_env: the password in environment variable NBU_TEST_SHORT is shorter than 8 bytes`},
		{"api_key: 8-bytes!", ""},
		{"api_key_file: eight.key", ""},
		{login + "password: \"8 bytes \"", ""},
	} {
		yml := "modules:\n  m:\n    allow_any_target: true\n    " + tc.body + "\n"
		_, err := testSchema.Parse([]byte(yml), "modules.yml", dir)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.body, err)
			}
			continue
		}
		if want := `module "m": ` + tc.want; err == nil || !strings.HasPrefix(err.Error(), "modules.yml:") || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("%s:\n got: %v\nwant: %s", tc.body, err, want)
			continue
		}
		for _, secret := range []string{"k3y-7b", "pw-7b", "s3cr3t", "7-bytes"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%s: the error shows the secret: %v", tc.body, err)
			}
		}
	}
}
