package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

const (
	reloadOK        = "netbackup_exporter_config_last_reload_successful"
	reloadTimestamp = "netbackup_exporter_config_last_reload_success_timestamp_seconds"
)

// rotatedKey is what a key file holds after rotation.
const rotatedKey = "rotated-test-key-1a2b3c4d5e"

func init() { secrets = append(secrets, rotatedKey) }

// moduleYAML is one module allowed against the local fakes; extra lines go under it as they are.
func moduleYAML(name string, extra ...string) string {
	var b strings.Builder
	b.WriteString("  " + name + ":\n")
	b.WriteString("    allowed_targets: [\"127.0.0.1\"]\n")
	b.WriteString("    insecure_http: true\n")
	for _, l := range extra {
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}

// logfmtQuoted is s as it appears inside a quoted logfmt value.
func logfmtQuoted(s string) string { return strings.ReplaceAll(s, `"`, `\"`) }

func configYAML(modules ...string) string { return "modules:\n" + strings.Join(modules, "") }

func TestReloadHTTPAddsModuleUsableByNextProbe(t *testing.T) {
	_, target := newFake(t, fakenbu.Options{APIKeys: []string{testKey, otherKey}}, nil)
	a := newTestApp(t, configYAML(moduleYAML("default", "api_key: "+testKey)))
	first := a.gauge(t, reloadTimestamp)

	if code, body := a.do(t, "GET", probeURL("/probe", "extra", target)); code != http.StatusBadRequest || !strings.Contains(body, `unknown module "extra"`) {
		t.Fatalf("probe with a module not loaded yet: %d %q", code, body)
	}
	writeFile(t, a.file, configYAML(
		moduleYAML("default", "api_key: "+testKey),
		moduleYAML("extra", "api_key: "+otherKey, "collectors: [storage]"),
	))
	if code, body := a.do(t, "POST", "/-/reload"); code != http.StatusOK {
		t.Fatalf("POST /-/reload: %d %q", code, body)
	}
	code, body := a.do(t, "GET", probeURL("/probe", "extra", target))
	if code != http.StatusOK || !strings.Contains(body, "\nprobe_success 1\n") {
		t.Fatalf("probe with the new module: %d\n%s", code, body)
	}
	if got := a.gauge(t, reloadOK); got != 1 {
		t.Errorf("%s = %v, want 1", reloadOK, got)
	}
	if got := a.gauge(t, reloadTimestamp); !(got > first) {
		t.Errorf("%s = %v, want later than the first load's %v", reloadTimestamp, got, first)
	}
}

func TestReloadHTTPBrokenFileKeepsOldConfig(t *testing.T) {
	_, target := newFake(t, fakenbu.Options{}, nil)
	good := configYAML(moduleYAML("default", "api_key: "+testKey))
	a := newTestApp(t, good)

	// Line 5 holds the misspelt key: the answer and the log must point there.
	writeFile(t, a.file, good+"    tiemout: 10s\n")
	code, body := a.do(t, "POST", "/-/reload")
	wantErr := a.file + `:6: module "default": tiemout: unknown key`
	if code != http.StatusInternalServerError || !strings.Contains(body, wantErr) {
		t.Fatalf("POST /-/reload with a broken file: %d %q, want 500 with %q", code, body, wantErr)
	}
	if got := a.gauge(t, reloadOK); got != 0 {
		t.Errorf("%s = %v after a failed reload, want 0", reloadOK, got)
	}
	if !strings.Contains(a.logs.String(), "level=error") || !strings.Contains(a.logs.String(), logfmtQuoted(wantErr)) {
		t.Errorf("the log does not report the error with file and line %q", wantErr)
	}
	if code, body := a.do(t, "GET", probeURL("/probe", "default", target)); code != http.StatusOK || !strings.Contains(body, "\nprobe_success 1\n") {
		t.Errorf("the previous config should still serve: %d\n%s", code, body)
	}

	writeFile(t, a.file, good)
	if code, body := a.do(t, "POST", "/-/reload"); code != http.StatusOK || body != "configuration reloaded\n" {
		t.Errorf("POST /-/reload after the fix: %d %q", code, body)
	}
	if got := a.gauge(t, reloadOK); got != 1 {
		t.Errorf("%s = %v after a good reload, want 1", reloadOK, got)
	}
}

func TestReloadEndpointMethods(t *testing.T) {
	a := newTestApp(t, configYAML(moduleYAML("default", "api_key: "+testKey)))
	for _, m := range []string{"GET", "PUT", "DELETE"} {
		r, w := newRecorder(m, "/-/reload")
		a.mux.ServeHTTP(w, r)
		if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != http.MethodPost {
			t.Errorf("%s /-/reload: %d Allow=%q, want 405 Allow=POST", m, w.Code, w.Header().Get("Allow"))
		}
	}
}

func TestReloadOnSIGHUP(t *testing.T) {
	// No file watch: only the signal can make this reload happen.
	a := newTestApp(t, configYAML(moduleYAML("default", "api_key: "+testKey)))
	writeFile(t, a.file, configYAML(moduleYAML("default", "api_key: "+testKey), moduleYAML("extra", "api_key: "+otherKey)))
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	// The log line follows the swap: wait for both.
	eventually(t, "SIGHUP to load the new module", func() bool {
		return a.config.Get().Modules["extra"] != nil && strings.Contains(a.logs.String(), `msg="configuration loaded" trigger=SIGHUP`)
	})
}

// kubernetesLayout mounts the file the way a ConfigMap volume does: modules.yml is a symlink into
// ..data, itself a symlink to a versioned directory that an update replaces atomically.
func kubernetesLayout(t *testing.T, dir, content string) (path string, update func(string)) {
	t.Helper()
	version := 0
	write := func(content string) {
		version++
		v := filepath.Join(dir, "..v"+string(rune('0'+version)))
		if err := os.Mkdir(v, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(v, "modules.yml"), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		tmp := filepath.Join(dir, "..data_tmp")
		if err := os.Symlink(filepath.Base(v), tmp); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, "..data")); err != nil {
			t.Fatal(err)
		}
	}
	write(content)
	path = filepath.Join(dir, "modules.yml")
	if err := os.Symlink(filepath.Join("..data", "modules.yml"), path); err != nil {
		t.Fatal(err)
	}
	return path, write
}

func TestReloadOnConfigFileChange(t *testing.T) {
	before := configYAML(moduleYAML("default", "api_key: "+testKey))
	after := configYAML(moduleYAML("default", "api_key: "+testKey), moduleYAML("extra", "api_key: "+otherKey))
	tests := []struct {
		name   string
		layout func(t *testing.T, dir string) (path string, update func(string))
	}{
		{"written in place", func(t *testing.T, dir string) (string, func(string)) {
			p := filepath.Join(dir, "modules.yml")
			writeFile(t, p, before)
			return p, func(c string) {
				if err := os.WriteFile(p, []byte(c), 0o600); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"renamed over", func(t *testing.T, dir string) (string, func(string)) {
			p := filepath.Join(dir, "modules.yml")
			writeFile(t, p, before)
			return p, func(c string) { writeFile(t, p, c) }
		}},
		{"kubernetes symlink swap", func(t *testing.T, dir string) (string, func(string)) {
			return kubernetesLayout(t, dir, before)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path, update := tc.layout(t, t.TempDir())
			a := newTestAppAt(t, path, withWatch)
			if a.config.Get().Modules["extra"] != nil {
				t.Fatal("module extra loaded before the change")
			}
			update(after)
			eventually(t, "the file watch to load the new module", func() bool {
				return a.config.Get().Modules["extra"] != nil && strings.Contains(a.logs.String(), `msg="configuration loaded" trigger="file change"`)
			})
		})
	}
}

// TestReloadWatchIgnoresItsOwnLog: with the exporter's log beside modules.yml at debug level,
// the log's own lines are not file events: each edit is one reload with a few lines, not a
// stream of lines each of which would be another event (and another reset of the debounce).
func TestReloadWatchIgnoresItsOwnLog(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "modules.yml")
	writeFile(t, file, configYAML(moduleYAML("default", "api_key: "+testKey)))
	logPath := filepath.Join(dir, "exporter.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	a := newTestAppAt(t, file, withWatch, withOwnDebounce, withLog(logFile, "debug"))
	const edits = 3
	for i := range edits {
		name := fmt.Sprintf("extra%d", i)
		writeFile(t, file, configYAML(moduleYAML("default", "api_key: "+testKey), moduleYAML(name, "api_key: "+otherKey)))
		eventually(t, "the file watch to load "+name, func() bool { return a.config.Get().Modules[name] != nil })
	}
	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	// A load and a change on disk are a line each; the start and the debug lines of the edits
	// stay well under this.
	if lines := bytes.Count(b, []byte("\n")); lines > 10*edits {
		t.Errorf("the log beside modules.yml has %d lines after %d edits (%d bytes)", lines, edits, len(b))
	}
}

// TestReloadWatchBesideABusyFile: a file beside modules.yml appended every 100 ms (a log, say)
// neither holds back a change of modules.yml nor delays it past the debounce.
func TestReloadWatchBesideABusyFile(t *testing.T) {
	a := newTestApp(t, configYAML(moduleYAML("default", "api_key: "+testKey)), withWatch, withOwnDebounce)
	busy, err := os.Create(filepath.Join(a.dir, "busy.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				_, _ = busy.WriteString("a line\n")
			}
		}
	}()
	defer func() { close(stop); <-stopped }()
	writeFile(t, a.file, configYAML(moduleYAML("default", "api_key: "+testKey), moduleYAML("extra", "api_key: "+otherKey)))
	eventually(t, "the file watch to load the new module while busy.log is appended", func() bool {
		return a.config.Get().Modules["extra"] != nil
	})
}

func TestReloadOnFileChangeBrokenThenFixed(t *testing.T) {
	good := configYAML(moduleYAML("default", "api_key: "+testKey))
	a := newTestApp(t, good, withWatch)
	writeFile(t, a.file, good+"    tiemout: 10s\n")
	wantLog := logfmtQuoted(a.file + `:6: module "default": tiemout: unknown key`)
	eventually(t, "the failed reload to set the gauge to 0 and log the file and line", func() bool {
		return a.gauge(t, reloadOK) == 0 && strings.Contains(a.logs.String(), wantLog)
	})
	if a.config.Get().Modules["default"] == nil {
		t.Fatal("the previous config was dropped")
	}
	writeFile(t, a.file, configYAML(moduleYAML("default", "api_key: "+testKey), moduleYAML("extra", "api_key: "+otherKey)))
	eventually(t, "the fixed file to load", func() bool { return a.gauge(t, reloadOK) == 1 && a.config.Get().Modules["extra"] != nil })
}

// TestReloadOnKeyFileRotation also shows that the watch follows the key files of each new config:
// the key lives in a directory of its own, which only the reload that names it can add.
func TestReloadOnKeyFileRotation(t *testing.T) {
	_, target := newFake(t, fakenbu.Options{APIKeys: []string{testKey, rotatedKey}}, nil)
	keyDir := t.TempDir()
	keyFile := filepath.Join(keyDir, "api.key")
	writeFile(t, keyFile, keyFileValue+"\n")

	a := newTestApp(t, configYAML(moduleYAML("default", "api_key: "+testKey)), withWatch)
	writeFile(t, a.file, configYAML(
		moduleYAML("default", "api_key: "+testKey),
		moduleYAML("filekey", "api_key_file: "+keyFile, "collectors: [storage]"),
	))
	if code, body := a.do(t, "POST", "/-/reload"); code != http.StatusOK {
		t.Fatalf("POST /-/reload: %d %q", code, body)
	}
	old := a.config.Get().Modules["filekey"].APIKeyValue()
	if _, body := a.do(t, "GET", probeURL("/probe", "filekey", target)); !strings.Contains(body, "\nprobe_success 0\n") {
		t.Fatalf("the fake does not accept the first key, yet the probe did not fail:\n%s", body)
	}

	writeFile(t, keyFile, rotatedKey+"\n")
	eventually(t, "the key rotation to reload the module", func() bool {
		return a.config.Get().Modules["filekey"].APIKeyValue() != old
	})
	if _, body := a.do(t, "GET", probeURL("/probe", "filekey", target)); !strings.Contains(body, "\nprobe_success 1\n") {
		t.Errorf("the probe after rotation does not use the new key:\n%s", body)
	}
}

// TestReloadOnPasswordFileRotation: a changed password_file is watched like a key file, and the
// next probe logs in with the new password.
func TestReloadOnPasswordFileRotation(t *testing.T) {
	const before, after = "password-before-4e2a", "password-after-7b1c"
	fake, target := newFake(t, fakenbu.Options{Users: []fakenbu.User{{Name: "monitor", Password: before}}}, nil)
	pwDir := t.TempDir()
	pwFile := filepath.Join(pwDir, "password")
	writeFile(t, pwFile, before+"\n")
	a := newTestApp(t, configYAML(moduleYAML("login", "username: monitor", "password_file: "+pwFile, "collectors: [storage]", "storage: {cache_ttl: 0}")), withWatch)
	if _, body := a.do(t, "GET", probeURL("/probe", "login", target)); !strings.Contains(body, "\nprobe_success 1\n") {
		t.Fatalf("the first login failed:\n%s", body)
	}

	old := a.config.Get().Modules["login"].PasswordValue()
	fake.SetUsers(fakenbu.User{Name: "monitor", Password: after})
	fake.ExpireTokens()
	writeFile(t, pwFile, after+"\n")
	eventually(t, "the password rotation to reload the module", func() bool {
		return a.config.Get().Modules["login"].PasswordValue() != old
	})
	if _, body := a.do(t, "GET", probeURL("/probe", "login", target)); !strings.Contains(body, "\nprobe_success 1\n") {
		t.Errorf("the probe after rotation does not log in with the new password:\n%s", body)
	}
	if n := fake.Logins(); n != 2 {
		t.Errorf("logins = %d, want 2 (one per password)", n)
	}
	for _, pw := range []string{before, after} {
		if strings.Contains(a.logs.String(), pw) {
			t.Errorf("the log contains the password %q", pw[:8]+"...")
		}
	}
}

func TestReloadWarnsInsecureSkipVerifyOncePerModule(t *testing.T) {
	insecure := "tls_config: {insecure_skip_verify: true}"
	a := newTestApp(t, configYAML(
		moduleYAML("alpha", "api_key: "+testKey, insecure),
		moduleYAML("beta", "api_key: "+testKey, insecure),
		moduleYAML("gamma", "api_key: "+testKey),
	))
	count := func(module string) int {
		n := 0
		for _, line := range strings.Split(a.logs.String(), "\n") {
			if strings.Contains(line, "level=warn") && strings.Contains(line, "insecure_skip_verify is true") && strings.HasSuffix(line, "module="+module) {
				n++
			}
		}
		return n
	}
	if count("alpha") != 1 || count("beta") != 1 || count("gamma") != 0 {
		t.Errorf("after the first load: warnings alpha=%d beta=%d gamma=%d, want 1 1 0", count("alpha"), count("beta"), count("gamma"))
	}
	if code, body := a.do(t, "POST", "/-/reload"); code != http.StatusOK {
		t.Fatalf("POST /-/reload: %d %q", code, body)
	}
	if count("alpha") != 2 || count("beta") != 2 || count("gamma") != 0 {
		t.Errorf("after a reload: warnings alpha=%d beta=%d gamma=%d, want 2 2 0", count("alpha"), count("beta"), count("gamma"))
	}
}

// A probe runs on the config it started with, even if a reload replaces its module meanwhile.
func TestProbeInFlightKeepsItsConfig(t *testing.T) {
	g := newGate(t)
	_, target := newFake(t, fakenbu.Options{}, g.wrap)
	mod := func(timeout string) string {
		return configYAML(moduleYAML("default", "api_key: "+testKey, "api_version: \"14.0\"", "collectors: [storage]", "timeout: "+timeout))
	}
	a := newTestApp(t, mod("17s"))

	type answer struct {
		code int
		body string
	}
	done := make(chan answer, 1)
	go func() {
		code, body := a.do(t, "GET", probeURL("/probe", "default", target, "debug", "true"))
		done <- answer{code, body}
	}()
	g.waitEntered(t)

	writeFile(t, a.file, mod("19s"))
	if code, body := a.do(t, "POST", "/-/reload"); code != http.StatusOK {
		t.Fatalf("POST /-/reload during a probe: %d %q", code, body)
	}
	if got := time.Duration(a.config.Get().Modules["default"].Timeout); got != 19*time.Second {
		t.Fatalf("reloaded timeout = %v, want 19s", got)
	}
	g.open()

	var res answer
	select {
	case res = <-done:
	case <-time.After(deadline):
		t.Fatal("the probe did not finish after NetBackup answered")
	}
	if res.code != http.StatusOK || !strings.Contains(res.body, "\nprobe_success 1\n") {
		t.Fatalf("in-flight probe: %d\n%s", res.code, res.body)
	}
	if !strings.Contains(res.body, "\ntimeout: 17s\n") || !strings.Contains(res.body, "\nprobe_timeout_seconds 17\n") || strings.Contains(res.body, "19s") {
		t.Errorf("the in-flight probe should show and use the module it started with (timeout 17s):\n%s", res.body)
	}
	if _, body := a.do(t, "GET", probeURL("/probe", "default", target, "debug", "true")); !strings.Contains(body, "\ntimeout: 19s\n") {
		t.Errorf("the next probe should use the reloaded module (timeout 19s):\n%s", body)
	}
}
