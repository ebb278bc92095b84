package reload

import (
	"crypto/sha256"
	"errors"
	"path/filepath"
	"slices"
	"sync"

	"github.com/fsnotify/fsnotify"
	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/config"
)

// kubernetesData is the symlink a ConfigMap or Secret volume swaps atomically on an update (a new
// ..data_tmp renamed over it): the files the volume shows are symlinks through it.
const kubernetesData = "..data"

// dirWatcher watches the directories that hold the config and key files rather than the files:
// editors save by writing a new file and renaming it over the old one, and Kubernetes swaps a
// symlink, and a watch on the old inode sees neither. Of a directory's events only those of the
// watched files, of the files their symlinks lead to, and of a Kubernetes ..data swap count:
// anything else there (a log file beside modules.yml, say) is not even logged, or every line of
// such a log would be another event. An event only says that something may have changed; the
// reloader compares file contents before reloading.
type dirWatcher struct {
	w      *fsnotify.Watcher
	logger log.Logger
	events chan struct{} // "a watched file may have changed", level-triggered
	done   chan struct{}

	mu    sync.Mutex
	names map[string]bool // the event names that count
}

func newDirWatcher(logger log.Logger) (*dirWatcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	d := &dirWatcher{w: w, logger: logger, events: make(chan struct{}, 1), done: make(chan struct{}), names: map[string]bool{}}
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
			if d.counts(ev.Name) {
				d.signal()
			}
		case err, ok := <-d.w.Errors:
			if !ok {
				return
			}
			level.Warn(d.logger).Log("msg", "watching the configuration files", "err", err)
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				d.signal() // events were lost: look at every file again
			}
		}
	}
}

func (d *dirWatcher) signal() {
	select {
	case d.events <- struct{}{}:
	default:
	}
}

// counts says whether an event of name concerns a watched file.
func (d *dirWatcher) counts(name string) bool {
	name = filepath.Clean(name)
	if filepath.Base(name) == kubernetesData {
		return true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.names[name]
}

// set makes the watched files files: their names and those their symlinks lead to count, and
// their directories are watched.
func (d *dirWatcher) set(files []string) {
	names := map[string]bool{}
	dirs := map[string]bool{}
	for _, f := range files {
		f = filepath.Clean(f)
		names[f] = true
		dirs[filepath.Dir(f)] = true
		if real, err := filepath.EvalSymlinks(f); err == nil {
			names[real] = true
			dirs[filepath.Dir(real)] = true
		}
	}
	d.mu.Lock()
	d.names = names
	d.mu.Unlock()
	for _, dir := range d.w.WatchList() {
		if !dirs[dir] {
			_ = d.w.Remove(dir) // it may be gone already (a replaced Kubernetes ..data directory)
		}
	}
	watched := d.w.WatchList()
	for dir := range dirs {
		if slices.Contains(watched, dir) {
			continue
		}
		if err := d.w.Add(dir); err != nil {
			level.Warn(d.logger).Log("msg", "cannot watch directory; changes there need SIGHUP or POST /-/reload", "dir", dir, "err", err)
		}
	}
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
