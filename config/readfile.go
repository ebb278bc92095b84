package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"
)

// Limits of the files the exporter reads. An API key is a few hundred bytes, a CA bundle a few
// hundred kilobytes and modules.yml a few kilobytes per module; a path that points at something
// else (a log file, /dev/zero, a FIFO) must fail, not exhaust memory or hang.
const (
	MaxConfigFileBytes = 4 << 20
	maxKeyFileBytes    = 64 << 10
	maxTLSFileBytes    = 4 << 20
	// fileReadTimeout bounds one read: a file on a hung network mount must not hold a reload,
	// and through it the shutdown, for ever.
	fileReadTimeout = 5 * time.Second
)

// ReadFile is the one way the exporter reads a file it is pointed at (modules.yml, key and
// password files, TLS files, and the watcher's digests of them): only a regular file (symlinks
// followed), at most limit bytes, within fileReadTimeout.
func ReadFile(path string, limit int64) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := readRegular(path, limit)
		done <- result{b, err}
	}()
	t := time.NewTimer(fileReadTimeout)
	defer t.Stop()
	select {
	case r := <-done:
		return r.b, r.err
	case <-t.C:
		// The read goes on in its goroutine until the file system answers; nothing waits for it.
		return nil, fmt.Errorf("%s: not read within %s", path, fileReadTimeout)
	}
}

// readRegular opens without blocking (a FIFO would wait for a writer), then checks what was opened:
// checking the path first would leave a window for a swap.
func readRegular(path string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil && !errors.Is(err, syscall.EAGAIN) {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return b, nil
}
