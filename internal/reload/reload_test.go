package reload

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-kit/log"

	"github.com/netbackup-exporter/netbackup_exporter/config"
)

// deadline bounds every wait: far above the 2 s a change may take to be applied, so that a
// failure means it was not applied, not that the machine was slow.
const deadline = 20 * time.Second

const testKey = "reload-test-key-5d4c3b2a19"

// modules is a config of the named modules.
func modules(names ...string) string {
	var b strings.Builder
	b.WriteString("modules:\n")
	for _, name := range names {
		fmt.Fprintf(&b, "  %s:\n    api_key: %s\n    insecure_http: true\n    allowed_targets: [\"127.0.0.1\"]\n", name, testKey)
	}
	return b.String()
}

// replace writes content to path as editors do: a new file renamed over the old one.
func replace(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// watching is a reloader of file that watches it, at the exporter's own debounce, with every
// reload after the first reported on reloads.
type watching struct {
	*Reloader
	reloads chan string // "trigger: error"
}

func startWatching(t *testing.T, file string, logger log.Logger) *watching {
	t.Helper()
	safe := config.NewSafeConfig(nil, config.Schema{Collectors: []string{"jobs"}, DefaultCollectors: []string{"jobs"}})
	r := New(safe, file, true, logger)
	if err := r.Reload("startup"); err != nil {
		t.Fatal(err)
	}
	w := &watching{Reloader: r, reloads: make(chan string, 100)}
	r.onReload = func(trigger string, err error) { w.reloads <- fmt.Sprintf("%s: %v", trigger, err) }
	ctx, cancel := context.WithCancel(context.Background())
	go r.Loop(ctx)
	t.Cleanup(func() {
		cancel()
		<-r.Done()
	})
	<-r.Ready()
	return w
}

// waitReload waits for the next reload and checks that the file change made it, and that module
// is then loaded.
func (w *watching) waitReload(t *testing.T, module string) {
	t.Helper()
	select {
	case got := <-w.reloads:
		if got != "file change: <nil>" {
			t.Fatalf("reload %q, want a successful one on a file change", got)
		}
	case <-time.After(deadline):
		t.Fatalf("no reload within %s", deadline)
	}
	if w.config.Get().Modules[module] == nil {
		t.Fatalf("module %s is not loaded after the reload", module)
	}
}

// TestCounts: only the watched files, their symlinks' targets and a Kubernetes ..data swap count.
func TestCounts(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "..2026_01_01", "modules.yml")
	if err := os.MkdirAll(filepath.Dir(real), 0o700); err != nil {
		t.Fatal(err)
	}
	replace(t, real, modules("a"))
	file := filepath.Join(dir, "modules.yml")
	if err := os.Symlink(real, file); err != nil {
		t.Fatal(err)
	}
	keyDir := t.TempDir()
	key := filepath.Join(keyDir, "api.key")
	d, err := newDirWatcher(log.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	d.set([]string{file, key})
	for name, want := range map[string]bool{
		file: true, real: true, key: true, filepath.Join(dir, "..data"): true,
		filepath.Join(dir, "exporter.log"): false, file + ".tmp": false, filepath.Join(dir, "..data_tmp"): false,
		filepath.Join(dir, "..2026_01_01", "other.yml"): false, filepath.Join(keyDir, "api.key.swp"): false,
	} {
		if got := d.counts(name); got != want {
			t.Errorf("an event of %s counts: %v, want %v", name, got, want)
		}
	}
}

// TestWatchIgnoresItsOwnLog: with the log at debug level in a file beside modules.yml, the log's
// lines are not events: edits are reloaded one by one, and the log stays a few lines long.
func TestWatchIgnoresItsOwnLog(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "modules.yml")
	replace(t, file, modules("a"))
	logPath := filepath.Join(dir, "exporter.log")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := startWatching(t, file, log.NewLogfmtLogger(log.NewSyncWriter(f)))
	const edits = 3
	for i := range edits {
		name := fmt.Sprintf("m%d", i)
		replace(t, file, modules("a", name))
		w.waitReload(t, name)
	}
	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	// Each edit logs the change and the load.
	if lines := strings.Count(string(b), "\n"); lines > 4*edits {
		t.Errorf("%d lines logged for %d edits:\n%.2000s", lines, edits, b)
	}
}

// TestWatchBesideABusyFile: a file beside modules.yml written every 100 ms does not hold back an
// edit of modules.yml.
func TestWatchBesideABusyFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "modules.yml")
	replace(t, file, modules("a"))
	w := startWatching(t, file, log.NewNopLogger())
	every100ms(t, func() error {
		return os.WriteFile(filepath.Join(dir, "busy.log"), []byte(time.Now().String()), 0o600)
	})
	replace(t, file, modules("a", "b"))
	w.waitReload(t, "b")
}

// TestWatchBoundsTheDelay: a watched file that never stops changing on disk (an API key file
// rewritten every 100 ms with the same key, well within the debounce) does not hold back an edit
// of modules.yml: the debounce ends at most watchMaxDelay after the first event.
func TestWatchBoundsTheDelay(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "api.key")
	replace(t, key, testKey+"\n")
	file := filepath.Join(dir, "modules.yml")
	withKeyFile := func(names ...string) string {
		return strings.Replace(modules(names...), "api_key: "+testKey, "api_key_file: "+key, 1)
	}
	replace(t, file, withKeyFile("a"))
	w := startWatching(t, file, log.NewNopLogger())
	every100ms(t, func() error {
		tmp := key + ".new"
		if err := os.WriteFile(tmp, []byte(testKey+"\n"), 0o600); err != nil {
			return err
		}
		return os.Rename(tmp, key)
	})
	replace(t, file, withKeyFile("a", "b"))
	w.waitReload(t, "b")
}

// every100ms runs f every 100 ms until the test ends.
func every100ms(t *testing.T, f func() error) {
	t.Helper()
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
				if err := f(); err != nil {
					t.Error(err)
					return
				}
			}
		}
	}()
	t.Cleanup(func() {
		close(stop)
		<-stopped
	})
}

// TestWatchKubernetesSwap: a ConfigMap volume's update (a new versioned directory, a ..data_tmp
// symlink to it renamed over ..data, the old directory removed) reloads, twice in a row, so the
// watch follows the new directory.
func TestWatchKubernetesSwap(t *testing.T) {
	dir := t.TempDir()
	version := 0
	update := func(content string) {
		version++
		v := fmt.Sprintf("..2026_01_0%d", version)
		if err := os.Mkdir(filepath.Join(dir, v), 0o700); err != nil {
			t.Fatal(err)
		}
		replace(t, filepath.Join(dir, v, "modules.yml"), content)
		tmp := filepath.Join(dir, "..data_tmp")
		if err := os.Symlink(v, tmp); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, "..data")); err != nil {
			t.Fatal(err)
		}
		if version > 1 {
			if err := os.RemoveAll(filepath.Join(dir, fmt.Sprintf("..2026_01_0%d", version-1))); err != nil {
				t.Fatal(err)
			}
		}
	}
	update(modules("a"))
	file := filepath.Join(dir, "modules.yml")
	if err := os.Symlink(filepath.Join("..data", "modules.yml"), file); err != nil {
		t.Fatal(err)
	}
	w := startWatching(t, file, log.NewNopLogger())
	update(modules("a", "b"))
	w.waitReload(t, "b")
	update(modules("a", "b", "c"))
	w.waitReload(t, "c")
}
