package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/netbackup-exporter/netbackup_exporter/config"
)

// reloader serialises every reload (SIGHUP, POST /-/reload) through one goroutine, so two triggers
// never race to swap the config.
type reloader struct {
	config  *config.SafeConfig
	file    string
	logger  log.Logger
	request chan chan error
}

func newReloader(c *config.SafeConfig, file string, logger log.Logger) *reloader {
	return &reloader{config: c, file: file, logger: logger, request: make(chan chan error)}
}

func (r *reloader) loop(ctx context.Context) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			r.reload("SIGHUP")
		case reply := <-r.request:
			reply <- r.reload("HTTP")
		}
	}
}

func (r *reloader) reload(trigger string) error {
	if err := r.config.Reload(r.file); err != nil {
		level.Error(r.logger).Log("msg", "configuration reload failed; keeping the previous configuration", "trigger", trigger, "err", err)
		return err
	}
	level.Info(r.logger).Log("msg", "configuration reloaded", "trigger", trigger, "file", r.file)
	return nil
}
