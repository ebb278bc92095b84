package config

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"unicode"

	promconfig "github.com/prometheus/common/config"
)

// keySources are the ways to give an API key; a login is the fourth kind of credentials.
var keySources = []string{"api_key", "api_key_file", "api_key_env"}

// loginKeys make a module log in; passwordSources are the ways to give its password.
var (
	loginKeys       = []string{"username", "password", "password_file", "password_env", "domain_type", "domain_name", "token_ttl"}
	passwordSources = []string{"password", "password_file", "password_env"}
)

// domainTypes are the domainType values POST /login accepts (gateway.yaml).
var domainTypes = []string{"NT", "vx", "unixpwd", "ldap"}

// credentialsSet says which credential keys the module sets; token_ttl counts when written.
func credentialsSet(m *Module, d *decoder) map[string]bool {
	_, ttl := d.lines["token_ttl"]
	return map[string]bool{
		"api_key": m.APIKey != "", "api_key_file": m.APIKeyFile != "", "api_key_env": m.APIKeyEnv != "",
		"username": m.Username != "", "password": m.Password != "", "password_file": m.PasswordFile != "",
		"password_env": m.PasswordEnv != "", "domain_type": m.DomainType != "", "domain_name": m.DomainName != "",
		"token_ttl": ttl,
	}
}

// validateCredentials checks that the module says who it is in exactly one way: an API key
// inline, from a file or from the environment, or a login.
func validateCredentials(m *Module, d *decoder, moduleLine int) error {
	set := credentialsSet(m, d)
	found := slices.DeleteFunc(slices.Concat(keySources, loginKeys), func(k string) bool { return !set[k] })
	kinds := 0
	for _, k := range keySources {
		if set[k] {
			kinds++
		}
	}
	login := slices.ContainsFunc(loginKeys, func(k string) bool { return set[k] })
	if login {
		kinds++
	}
	if kinds != 1 {
		return d.errAt(lastLine(d, found, moduleLine), "", fmt.Errorf(
			"exactly one of api_key, api_key_file, api_key_env or a login (username with password, password_file or password_env) is required (found %s)",
			listOrNone(found)))
	}
	if set["api_key"] && !validKey(string(m.APIKey)) {
		return d.errAt(d.lineOf("api_key", moduleLine), "api_key", errors.New("contains whitespace or control characters"))
	}
	for _, field := range []string{"api_key_env", "password_env"} {
		if name := envField(m, field); set[field] && !validEnvName(name) {
			return d.errAt(d.lineOf(field, moduleLine), field, fmt.Errorf("%q is not an environment variable name", name))
		}
	}
	if login {
		return validateLogin(m, d, moduleLine, set, found)
	}
	return nil
}

func validateLogin(m *Module, d *decoder, moduleLine int, set map[string]bool, found []string) error {
	if !set["username"] {
		return d.errAt(lastLine(d, found, moduleLine), "", fmt.Errorf("a login needs username (found %s)", strings.Join(found, ", ")))
	}
	pw := slices.DeleteFunc(slices.Clone(passwordSources), func(k string) bool { return !set[k] })
	if len(pw) != 1 {
		return d.errAt(lastLine(d, pw, d.lineOf("username", moduleLine)), "", fmt.Errorf(
			"a login needs exactly one of password, password_file and password_env (found %s)", listOrNone(pw)))
	}
	if set["domain_type"] && !slices.Contains(domainTypes, m.DomainType) {
		return d.errAt(d.lineOf("domain_type", moduleLine), "domain_type",
			fmt.Errorf("unknown domain type %q (want %s)", m.DomainType, orList(domainTypes)))
	}
	if set["token_ttl"] && m.TokenTTL <= 0 {
		return d.errAt(d.lineOf("token_ttl", moduleLine), "token_ttl", fmt.Errorf("must be greater than 0, got %s", m.TokenTTL))
	}
	return nil
}

func envField(m *Module, field string) string {
	if field == "api_key_env" {
		return m.APIKeyEnv
	}
	return m.PasswordEnv
}

// validEnvName refuses what no environment variable can be called: the name goes into error
// messages and /config, so it should at least be one.
func validEnvName(name string) bool {
	return name != "" && !strings.ContainsFunc(name, func(r rune) bool {
		return r == '=' || unicode.IsSpace(r) || unicode.IsControl(r)
	})
}

// lastLine is the line of whichever of keys came last: that is where a conflict starts.
func lastLine(d *decoder, keys []string, fallback int) int {
	line := 0
	for _, k := range keys {
		line = max(line, d.lineOf(k, 0))
	}
	if line == 0 {
		return fallback
	}
	return line
}

func listOrNone(keys []string) string {
	if len(keys) == 0 {
		return "none"
	}
	return strings.Join(keys, ", ")
}

// resolveCredentials reads the key or the password from where the module says, so that a module
// that loads has credentials the prober can send.
func resolveCredentials(m *Module, d *decoder, dir string, moduleLine int, read fileReader) (key, password string, err error) {
	key, password = string(m.APIKey), string(m.Password)
	switch {
	case m.APIKeyFile != "":
		m.APIKeyFile = promconfig.JoinDir(dir, m.APIKeyFile)
		key, err = readSecretFile(m.APIKeyFile, d, d.lineOf("api_key_file", moduleLine), "api_key_file", read)
		if err == nil && !validKey(key) {
			err = d.errAt(d.lineOf("api_key_file", moduleLine), "api_key_file", fmt.Errorf("the key in %s contains whitespace or control characters", m.APIKeyFile))
		}
	case m.APIKeyEnv != "":
		key, err = readEnv(m.APIKeyEnv, d, d.lineOf("api_key_env", moduleLine), "api_key_env")
		if err == nil && !validKey(key) {
			err = d.errAt(d.lineOf("api_key_env", moduleLine), "api_key_env", fmt.Errorf("the key in environment variable %s contains whitespace or control characters", m.APIKeyEnv))
		}
	case m.PasswordFile != "":
		m.PasswordFile = promconfig.JoinDir(dir, m.PasswordFile)
		password, err = readSecretFile(m.PasswordFile, d, d.lineOf("password_file", moduleLine), "password_file", read)
	case m.PasswordEnv != "":
		password, err = readEnv(m.PasswordEnv, d, d.lineOf("password_env", moduleLine), "password_env")
	}
	return key, password, err
}

// readSecretFile returns the file's content without a trailing newline. A key has no whitespace
// anywhere, so its file is trimmed on both sides; a password may begin or end with a space, so
// only the line end an editor adds is dropped. Nothing but blanks counts as empty.
func readSecretFile(path string, d *decoder, line int, field string, read fileReader) (string, error) {
	raw, err := read(path, maxKeyFileBytes)
	if err != nil {
		return "", d.errAt(line, field, err)
	}
	v := trimSecret(string(raw), field)
	if strings.TrimSpace(v) == "" {
		return "", d.errAt(line, field, fmt.Errorf("%s is empty", path))
	}
	return v, nil
}

// readEnv reads the variable at load, so that a missing one fails the load, not every probe.
func readEnv(name string, d *decoder, line int, field string) (string, error) {
	raw, ok := os.LookupEnv(name)
	if !ok {
		return "", d.errAt(line, field, fmt.Errorf("environment variable %s is not set", name))
	}
	v := trimSecret(raw, field)
	if strings.TrimSpace(v) == "" {
		return "", d.errAt(line, field, fmt.Errorf("environment variable %s is empty", name))
	}
	return v, nil
}

func trimSecret(s, field string) string {
	if strings.HasPrefix(field, "api_key") {
		return strings.TrimSpace(s)
	}
	return strings.TrimRight(s, "\r\n")
}
