// Command fakenbu runs the fake NetBackup primary server of package
// internal/fakenbu with generated jobs and demo storage and tape devices, for demos and
// end-to-end tests of the exporter.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
	"github.com/netbackup-exporter/netbackup_exporter/internal/specs"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(ctx, os.Args[1:], os.Stderr, logger); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		logger.Error("fakenbu failed", "err", err)
		os.Exit(1)
	}
}

// listFlag collects a repeatable flag whose values may also be comma lists.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for p := range strings.SplitSeq(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// repeatFlag collects a repeatable flag verbatim: a password may hold a comma.
type repeatFlag []string

func (r *repeatFlag) String() string     { return strings.Join(*r, " ") }
func (r *repeatFlag) Set(v string) error { *r = append(*r, v); return nil }

type config struct {
	listen      string
	apiKeys     listFlag
	versions    listFlag
	jobs        int
	window      time.Duration
	seed        int64
	pageLatency time.Duration
	tls         bool
	tlsCAOut    string
	tlsCert     string
	tlsKey      string
	serverName  string
	users       repeatFlag
	tokenTTL    time.Duration
	strict      string
	realShapes  string
}

func parseFlags(args []string, out io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("fakenbu", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:1556", "address to listen on")
	fs.Var(&c.apiKeys, "api-key", "accepted API key (repeatable or comma list; default "+fakenbu.DefaultAPIKey+")")
	fs.Var(&c.versions, "versions", "API versions served, comma list (default "+strings.Join(fakenbu.DefaultVersions(), ",")+")")
	fs.IntVar(&c.jobs, "jobs", 500, "number of generated jobs")
	fs.DurationVar(&c.window, "window", time.Hour, "generated jobs start within this long before startup")
	fs.Int64Var(&c.seed, "seed", 1, "seed of the generated jobs")
	fs.DurationVar(&c.pageLatency, "page-latency", 0, "delay before answering each list page")
	fs.BoolVar(&c.tls, "tls", false, "serve HTTPS with a freshly generated CA and server certificate for 127.0.0.1, ::1 and localhost")
	fs.StringVar(&c.tlsCAOut, "tls-ca-out", "", "with --tls: write the generated CA certificate (PEM) to this file")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "serve HTTPS with this certificate file (PEM) instead of a generated one")
	fs.StringVar(&c.tlsKey, "tls-key", "", "private key file (PEM) for --tls-cert")
	fs.Var(&c.users, "user", "an account that may log in with POST /login, as name:password (repeatable)")
	fs.DurationVar(&c.tokenTTL, "token-validity", fakenbu.DefaultTokenValidity, "how long a login's token is accepted")
	fs.StringVar(&c.strict, "strict", "", "a release of the Veritas specs (10.3, 10.5, 11.0, 11.2): serve its API version alone and hold every request to its spec, logging each departure")
	fs.StringVar(&c.serverName, "server-name", "", "primary server name reported by serverinfo and in jobs (default nbu-primary.example.com)")
	fs.StringVar(&c.realShapes, "real-shapes", "", "answer as real primaries do: endpoints from this folder's documents (e.g. nbu/testdata/realprimaries), jobs in their shapes")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if c.jobs < 0 {
		return c, fmt.Errorf("--jobs must not be negative, got %d", c.jobs)
	}
	if c.window <= 0 {
		return c, fmt.Errorf("--window must be positive, got %s", c.window)
	}
	for _, u := range c.users {
		if name, pw, ok := strings.Cut(u, ":"); !ok || name == "" || pw == "" {
			return c, errors.New("--user: want name:password")
		}
	}
	if c.tokenTTL <= 0 {
		return c, fmt.Errorf("--token-validity must be positive, got %s", c.tokenTTL)
	}
	if c.pageLatency < 0 {
		return c, fmt.Errorf("--page-latency must not be negative, got %s", c.pageLatency)
	}
	for _, v := range c.versions {
		if major, minor, ok := strings.Cut(v, "."); !ok || !digits(major) || !digits(minor) {
			return c, fmt.Errorf("--versions: %q is not MAJOR.MINOR", v)
		}
	}
	if err := checkStrict(c); err != nil {
		return c, err
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return c, errors.New("--tls-cert and --tls-key must be given together")
	}
	if c.tlsCert != "" {
		c.tls = true
		if c.tlsCAOut != "" {
			return c, errors.New("--tls-ca-out applies only to a generated certificate, not to --tls-cert")
		}
	}
	if c.tlsCAOut != "" && !c.tls {
		return c, errors.New("--tls-ca-out needs --tls")
	}
	if c.realShapes != "" {
		if st, err := os.Stat(c.realShapes); err != nil || !st.IsDir() {
			return c, fmt.Errorf("--real-shapes %s: not a folder", c.realShapes)
		}
	}
	return c, nil
}

// checkStrict wants --strict to name a release of the spec table, without --versions (the
// release decides the version).
func checkStrict(c config) error {
	if c.strict == "" {
		return nil
	}
	if len(c.versions) > 0 {
		return errors.New("--strict serves its release's API version alone: drop --versions")
	}
	table, err := specs.Load()
	if err != nil {
		return err
	}
	if table.APIVersion(c.strict) == "" {
		return fmt.Errorf("--strict: no spec table for release %q (have %s)", c.strict, strings.Join(table.Releases(), ", "))
	}
	return nil
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func serverTLS(c config) (*tls.Config, error) {
	if c.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(c.tlsCert, c.tlsKey)
		if err != nil {
			return nil, fmt.Errorf("loading --tls-cert %s / --tls-key %s: %w", c.tlsCert, c.tlsKey, err)
		}
		return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}, nil
	}
	caPEM, cfg, err := fakenbu.NewTestCA()
	if err != nil {
		return nil, err
	}
	if c.tlsCAOut != "" {
		if err := os.WriteFile(c.tlsCAOut, caPEM, 0o644); err != nil {
			return nil, fmt.Errorf("writing --tls-ca-out: %w", err)
		}
	}
	return cfg, nil
}

// serverOptions are the fake's options from the flags.
func serverOptions(c config, logger *slog.Logger) fakenbu.Options {
	users := make([]fakenbu.User, 0, len(c.users))
	for _, u := range c.users {
		name, pw, _ := strings.Cut(u, ":")
		users = append(users, fakenbu.User{Name: name, Password: pw})
	}
	opts := fakenbu.Options{
		APIKeys:       c.apiKeys,
		Versions:      c.versions,
		PageLatency:   c.pageLatency,
		ServerName:    c.serverName,
		Users:         users,
		TokenValidity: c.tokenTTL,
		Strict:        c.strict,
		OnViolation: func(msg string) {
			logger.Warn("request departs from the NetBackup "+c.strict+" API specification", "departure", msg)
		},
	}
	if c.realShapes != "" {
		opts.RealShapes = os.DirFS(c.realShapes)
	}
	return opts
}

func run(ctx context.Context, args []string, flagOut io.Writer, logger *slog.Logger) error {
	c, err := parseFlags(args, flagOut)
	if err != nil {
		return err
	}
	now := time.Now()
	srv := fakenbu.New(serverOptions(c, logger))
	srv.SetJobs(fakenbu.GenerateJobs(c.seed, c.jobs, c.window, now))
	srv.SetDemo(now)

	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2*time.Minute + c.pageLatency,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if c.tls {
		if hs.TLSConfig, err = serverTLS(c); err != nil {
			return err
		}
		scheme = "https"
	}
	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", c.listen, err)
	}
	addr := ln.Addr().String()
	attrs := []any{"address", addr, "base_url", scheme + "://" + addr + "/netbackup", "jobs", c.jobs}
	if c.strict != "" {
		attrs = append(attrs, "strict", c.strict)
	}
	if c.realShapes != "" {
		attrs = append(attrs, "real_shapes", c.realShapes)
	}
	if c.tlsCAOut != "" {
		attrs = append(attrs, "ca_file", c.tlsCAOut)
	}
	logger.Info("fakenbu listening", attrs...)

	errc := make(chan error, 1)
	go func() {
		if c.tls {
			errc <- hs.ServeTLS(ln, "", "")
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serving on %s: %w", addr, err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	return nil
}
