package config

import (
	"os"
	"slices"
	"strings"
	"unicode"

	promconfig "github.com/prometheus/common/config"
)

// MinSecretBytes is the shortest API key or password a module may hold. What the exporter prints
// (errors, labels, the debug page) is scrubbed of its secrets: a secret of a few bytes occurs in
// everything, so scrubbing it would mangle every value, and it would be guessed anyway.
const MinSecretBytes = 8

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
func credentialsSet(m *Module) map[string]bool {
	return map[string]bool{
		"api_key": m.APIKey != "", "api_key_file": m.APIKeyFile != "", "api_key_env": m.APIKeyEnv != "",
		"username": m.Username != "", "password": m.Password != "", "password_file": m.PasswordFile != "",
		"password_env": m.PasswordEnv != "", "domain_type": m.DomainType != "", "domain_name": m.DomainName != "",
		"token_ttl": m.tokenTTLWritten,
	}
}

// validateCredentials checks that the module says who it is in exactly one way: an API key
// inline, from a file or from the environment, or a login.
func validateCredentials(m *Module) error {
	set := credentialsSet(m)
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
		return keyError("", "exactly one of api_key, api_key_file, api_key_env or a login (username with password, password_file or password_env) is required (found %s)",
			listOrNone(found))
	}
	if set["api_key"] {
		if err := checkSecret("api_key", "the key", string(m.APIKey), true); err != nil {
			return err
		}
	}
	for _, field := range []string{"api_key_env", "password_env"} {
		if name := envField(m, field); set[field] && !validEnvName(name) {
			return keyError(field, "%q is not an environment variable name", name)
		}
	}
	if login {
		return validateLogin(m, set, found)
	}
	return nil
}

func validateLogin(m *Module, set map[string]bool, found []string) error {
	if !set["username"] {
		return keyError("", "a login needs username (found %s)", strings.Join(found, ", "))
	}
	pw := slices.DeleteFunc(slices.Clone(passwordSources), func(k string) bool { return !set[k] })
	if len(pw) != 1 {
		return keyError("", "a login needs exactly one of password, password_file and password_env (found %s)", listOrNone(pw))
	}
	if set["password"] {
		if err := checkSecret("password", "the password", string(m.Password), false); err != nil {
			return err
		}
	}
	if set["domain_type"] && !slices.Contains(domainTypes, m.DomainType) {
		return keyError("domain_type", "unknown domain type %q (want %s)", m.DomainType, orList(domainTypes))
	}
	if set["token_ttl"] && m.TokenTTL <= 0 {
		return keyError("token_ttl", "must be greater than 0, got %s", m.TokenTTL)
	}
	return nil
}

// checkSecret refuses a key or password that is too short to be kept out of what the exporter
// prints, and a key that could not be sent as a header value verbatim (a stray newline in a
// pasted key is the usual cause: failing here beats a 401 at every scrape). what says where the
// secret came from; the secret itself is never part of the error.
func checkSecret(field, what, secret string, isKey bool) error {
	if isKey && !validKey(secret) {
		return keyError(field, "%s contains whitespace or control characters", what)
	}
	if len(secret) < MinSecretBytes {
		return keyError(field, "%s is shorter than %d bytes", what, MinSecretBytes)
	}
	return nil
}

// validKey rejects keys, and key tags, that could not be sent in a header or query verbatim.
func validKey(k string) bool {
	return !strings.ContainsFunc(k, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
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

func listOrNone(keys []string) string {
	if len(keys) == 0 {
		return "none"
	}
	return strings.Join(keys, ", ")
}

// resolveCredentials reads the key or the password from where the module says, so that a module
// that loads has credentials the prober can send.
func resolveCredentials(m *Module, dir string, read fileReader) (key, password string, err error) {
	key, password = string(m.APIKey), string(m.Password)
	switch {
	case m.APIKeyFile != "":
		m.APIKeyFile = promconfig.JoinDir(dir, m.APIKeyFile)
		key, err = readSecretFile(m.APIKeyFile, "api_key_file", read)
		if err == nil {
			err = checkSecret("api_key_file", "the key in "+m.APIKeyFile, key, true)
		}
	case m.APIKeyEnv != "":
		key, err = readEnv(m.APIKeyEnv, "api_key_env")
		if err == nil {
			err = checkSecret("api_key_env", "the key in environment variable "+m.APIKeyEnv, key, true)
		}
	case m.PasswordFile != "":
		m.PasswordFile = promconfig.JoinDir(dir, m.PasswordFile)
		password, err = readSecretFile(m.PasswordFile, "password_file", read)
		if err == nil {
			err = checkSecret("password_file", "the password in "+m.PasswordFile, password, false)
		}
	case m.PasswordEnv != "":
		password, err = readEnv(m.PasswordEnv, "password_env")
		if err == nil {
			err = checkSecret("password_env", "the password in environment variable "+m.PasswordEnv, password, false)
		}
	}
	return key, password, err
}

// readSecretFile returns the file's content without a trailing newline. A key has no whitespace
// anywhere, so its file is trimmed on both sides; a password may begin or end with a space, so
// only the line end an editor adds is dropped. Nothing but blanks counts as empty.
func readSecretFile(path, field string, read fileReader) (string, error) {
	raw, err := read(path, maxKeyFileBytes)
	if err != nil {
		return "", &loadError{path: field, err: err}
	}
	v := trimSecret(string(raw), field)
	if strings.TrimSpace(v) == "" {
		return "", keyError(field, "%s is empty", path)
	}
	return v, nil
}

// readEnv reads the variable at load, so that a missing one fails the load, not every probe.
func readEnv(name, field string) (string, error) {
	raw, ok := os.LookupEnv(name)
	if !ok {
		return "", keyError(field, "environment variable %s is not set", name)
	}
	v := trimSecret(raw, field)
	if strings.TrimSpace(v) == "" {
		return "", keyError(field, "environment variable %s is empty", name)
	}
	return v, nil
}

func trimSecret(s, field string) string {
	if strings.HasPrefix(field, "api_key") {
		return strings.TrimSpace(s)
	}
	return strings.TrimRight(s, "\r\n")
}
