// Package reload is the one path by which the configuration is reloaded: SIGHUP, POST /-/reload
// and changes on disk of the config file or the key files it names.
package reload

import (
	"context"
	"errors"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/config"
)

const (
	// watchDebounce lets a burst of file events (an editor's write, rename and chmod; a Kubernetes
	// symlink swap) settle into one reload.
	watchDebounce = 500 * time.Millisecond
	// watchMaxDelay bounds the settling from the first event on, so that a watched file touched
	// without end (rewritten by a tool in a loop, say) never holds back a change of modules.yml.
	watchMaxDelay = 2 * time.Second
)

// errShuttingDown answers a reload request that arrives after the reload loop stopped.
var errShuttingDown = errors.New("the exporter is shutting down")

// Reloader is the one way the config is reloaded: SIGHUP, POST /-/reload and changes on disk all
// go through loop, one goroutine, so two triggers never race to swap the config.
type Reloader struct {
	config   *config.SafeConfig
	file     string
	watch    bool
	debounce time.Duration
	logger   log.Logger
	requests chan chan error
	ready    chan struct{} // closed once Loop handles SIGHUP and watches the files
	done     chan struct{} // closed when loop returns

	// Only touched by whoever runs reloads: the caller for the first one, then Loop.
	files []string          // absolute paths of the config file and the live config's key files
	seen  map[string]digest // their contents as of the last reload, to tell real changes from noise
	rearm func(files []string)
	// onReload is called after every reload, with its trigger and result (tests follow reloads).
	onReload func(trigger string, err error)
}

// New returns the reloader of file into c. It starts nothing: the caller runs Loop.
func New(c *config.SafeConfig, file string, watch bool, logger log.Logger) *Reloader {
	abs, err := filepath.Abs(file)
	if err != nil {
		abs = file
	}
	return &Reloader{
		config:   c,
		file:     file,
		watch:    watch,
		debounce: watchDebounce,
		logger:   logger,
		requests: make(chan chan error),
		ready:    make(chan struct{}),
		done:     make(chan struct{}),
		files:    []string{abs},
		seen:     map[string]digest{},
	}
}

// Request asks the loop for a reload and waits for its result.
func (r *Reloader) Request(ctx context.Context) error {
	reply := make(chan error, 1)
	select {
	case r.requests <- reply:
	case <-r.done:
		return errShuttingDown
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Loop serves reloads until ctx ends.
func (r *Reloader) Loop(ctx context.Context) {
	defer close(r.done)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	var events <-chan struct{}
	if r.watch {
		w, err := newDirWatcher(r.logger)
		if err != nil {
			level.Warn(r.logger).Log("msg", "cannot watch the configuration files; reload with SIGHUP or POST /-/reload", "err", err)
		} else {
			defer w.close()
			w.set(r.files)
			r.rearm = w.set
			defer func() { r.rearm = nil }()
			events = w.events
		}
	}
	close(r.ready)

	s := settling{quiet: r.debounce, limit: watchMaxDelay}
	defer s.stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			_ = r.Reload("SIGHUP")
		case reply := <-r.requests:
			reply <- r.Reload("HTTP")
		case <-events:
			s.event(time.Now())
		case <-s.settled():
			s.deadline = time.Time{}
			r.checkFiles()
		}
	}
}

// settling is the debounce of file events: the files are looked at once the events have been
// quiet for quiet, and at the latest limit after the first of them, however busy they stay.
type settling struct {
	quiet, limit time.Duration
	timer        *time.Timer
	deadline     time.Time // of the pending look; zero when no event is pending
}

func (s *settling) event(now time.Time) {
	if s.deadline.IsZero() {
		s.deadline = now.Add(s.limit)
	}
	wait := min(s.quiet, s.deadline.Sub(now))
	if s.timer == nil {
		s.timer = time.NewTimer(wait)
	} else {
		s.timer.Reset(wait)
	}
}

// settled fires when the pending events have settled; nil when none is pending.
func (s *settling) settled() <-chan time.Time {
	if s.deadline.IsZero() {
		return nil
	}
	return s.timer.C
}

func (s *settling) stop() {
	if s.timer != nil {
		s.timer.Stop()
	}
}

// checkFiles reloads when a watched file's content changed, and makes the watch follow the files'
// symlinks anew (a Kubernetes update points them at a new directory).
func (r *Reloader) checkFiles() {
	if changed := r.changedOnDisk(); len(changed) > 0 {
		level.Debug(r.logger).Log("msg", "configuration files changed on disk", "files", strings.Join(changed, ","))
		_ = r.Reload("file change")
	}
	if r.rearm != nil {
		r.rearm(r.files)
	}
}

// Reload loads the config file. On failure the previous config stays live; on success the
// watched files follow the new config's key files.
func (r *Reloader) Reload(trigger string) (err error) {
	// Taken before loading, so that a change made while the file is being read still counts as a
	// change at the next file event.
	before := make(map[string]digest, len(r.files))
	for _, p := range r.files {
		before[p] = digestFile(p)
	}
	err = r.config.Reload(r.file)
	maps.Copy(r.seen, before)
	if r.onReload != nil {
		defer func() { r.onReload(trigger, err) }()
	}
	if err != nil {
		level.Error(r.logger).Log("msg", "configuration reload failed; keeping the previous configuration", "trigger", trigger, "file", r.file, "err", err)
		return err
	}
	cfg := r.config.Get()
	files := slices.Compact(append([]string{r.files[0]}, cfg.KeyFiles()...))
	for _, p := range files {
		if _, ok := r.seen[p]; !ok {
			r.seen[p] = digestFile(p)
		}
	}
	maps.DeleteFunc(r.seen, func(p string, _ digest) bool { return !slices.Contains(files, p) })
	r.files = files
	if r.rearm != nil {
		r.rearm(files)
	}
	level.Info(r.logger).Log("msg", "configuration loaded", "trigger", trigger, "file", r.file, "modules", len(cfg.Modules))
	warnInsecure(r.logger, cfg)
	return nil
}

// changedOnDisk returns the watched files whose contents differ from the last reload's, and
// records them as seen.
func (r *Reloader) changedOnDisk() []string {
	var changed []string
	for _, p := range r.files {
		if d := digestFile(p); r.seen[p] != d {
			changed = append(changed, p)
			r.seen[p] = d
		}
	}
	slices.Sort(changed)
	return changed
}

// warnInsecure logs, once per module and load, that a module does not verify the primary's
// certificate: anyone on the path can then pose as NetBackup and receive the API key.
func warnInsecure(logger log.Logger, cfg *config.Config) {
	for _, name := range slices.Sorted(maps.Keys(cfg.Modules)) {
		if cfg.Modules[name].TLSConfig.InsecureSkipVerify {
			level.Warn(logger).Log("msg", "tls_config.insecure_skip_verify is true: the NetBackup certificate is not verified, so the API key can be sent to an impostor", "module", name)
		}
	}
}

// Ready is closed once Loop handles SIGHUP and watches the files.
func (r *Reloader) Ready() <-chan struct{} { return r.ready }

// Done is closed when Loop has returned.
func (r *Reloader) Done() <-chan struct{} { return r.done }

// SetDebounce shortens the settling time of file events (tests). Call it before Loop.
func (r *Reloader) SetDebounce(d time.Duration) { r.debounce = d }
