package reload

import (
	"crypto/sha256"
	"path/filepath"
	"slices"
	"sync"

	"github.com/fsnotify/fsnotify"
	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/config"
)

// dirWatcher watches the directories that hold the config and key files rather than the files:
// editors save by writing a new file and renaming it over the old one, and Kubernetes swaps a
// symlink, and a watch on the old inode sees neither. An event only says which directory to look
// at again; the reloader compares file contents before reloading.
type dirWatcher struct {
	w      *fsnotify.Watcher
	logger log.Logger
	events chan struct{} // "some directory had an event"; take says which
	done   chan struct{}

	mu      sync.Mutex
	pending map[string]bool
}

func newDirWatcher(logger log.Logger) (*dirWatcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	d := &dirWatcher{w: w, logger: logger, events: make(chan struct{}, 1), done: make(chan struct{}), pending: map[string]bool{}}
	go d.forward()
	return d, nil
}

// forward turns fsnotify's events into a level-triggered "something changed" signal, so that a
// burst of events never blocks fsnotify while the reloader is busy.
func (d *dirWatcher) forward() {
	defer close(d.done)
	for {
		select {
		case ev, ok := <-d.w.Events:
			if !ok {
				return
			}
			level.Debug(d.logger).Log("msg", "file event", "event", ev.String())
			d.mu.Lock()
			d.pending[filepath.Dir(ev.Name)] = true
			d.mu.Unlock()
			select {
			case d.events <- struct{}{}:
			default:
			}
		case err, ok := <-d.w.Errors:
			if !ok {
				return
			}
			level.Warn(d.logger).Log("msg", "watching the configuration files", "err", err)
		}
	}
}

// set makes the watched directories those of files, and of the files their symlinks lead to.
func (d *dirWatcher) set(files []string) {
	want := map[string]bool{}
	for _, f := range files {
		want[filepath.Dir(f)] = true
		if real, err := filepath.EvalSymlinks(f); err == nil {
			want[filepath.Dir(real)] = true
		}
	}
	for _, dir := range d.w.WatchList() {
		if !want[dir] {
			_ = d.w.Remove(dir) // it may be gone already (a replaced Kubernetes ..data directory)
		}
	}
	watched := d.w.WatchList()
	for dir := range want {
		if slices.Contains(watched, dir) {
			continue
		}
		if err := d.w.Add(dir); err != nil {
			level.Warn(d.logger).Log("msg", "cannot watch directory; changes there need SIGHUP or POST /-/reload", "dir", dir, "err", err)
		}
	}
}

// take returns the directories that had events since the last call.
func (d *dirWatcher) take() map[string]bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	p := d.pending
	d.pending = map[string]bool{}
	return p
}

// inDirs reports whether path, or the file its symlinks lead to, is in one of dirs.
func inDirs(path string, dirs map[string]bool) bool {
	if dirs[filepath.Dir(path)] {
		return true
	}
	real, err := filepath.EvalSymlinks(path)
	return err == nil && dirs[filepath.Dir(real)]
}

func (d *dirWatcher) close() {
	_ = d.w.Close()
	<-d.done
}

// digest is a file's content hash; a file that cannot be read has the zero digest plus the error.
type digest struct {
	sum [sha256.Size]byte
	err string
}

func digestFile(path string) digest {
	b, err := config.ReadFile(path, config.MaxConfigFileBytes)
	if err != nil {
		return digest{err: err.Error()}
	}
	return digest{sum: sha256.Sum256(b)}
}

func digestFiles(paths []string) map[string]digest {
	out := make(map[string]digest, len(paths))
	for _, p := range paths {
		out[p] = digestFile(p)
	}
	return out
}
