package tracing

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/netbackup-exporter/netbackup_exporter/internal/tracing/nop"
)

// TestOffBuildsNothing: with no endpoint the provider is the no-op one, no exporter exists and no
// goroutine was started (the SDK's batcher would be one).
func TestOffBuildsNothing(t *testing.T) {
	clearEnv(t)
	before := runtime.NumGoroutine()
	tr, err := New(context.Background(), Config{SamplingRatio: 1}, "x", "1")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tr.Provider.(nop.Provider); !ok || tr.Enabled() || tr.sdk != nil || tr.httpc != nil {
		t.Errorf("tracing off built %T (an SDK provider %v, an exporter client %v)", tr.Provider, tr.sdk, tr.httpc)
	}
	if _, span := tr.Provider.Tracer("x").Start(context.Background(), "s"); span.IsRecording() {
		t.Error("the off provider records spans")
	}
	// More, not different: the earlier tests' connections may still be winding down.
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("goroutines %d before, %d after: tracing off started one", before, after)
	}
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown of the off tracing: %v", err)
	}
}

// TestOnExportsWithHeadersAndShutdownFlushes: a span ended just before Shutdown reaches the
// receiver, with the headers file's headers, at the URL's default path.
func TestOnExportsWithHeadersAndShutdownFlushes(t *testing.T) {
	clearEnv(t)
	var mu sync.Mutex
	var got []*http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		got = append(got, r)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer srv.Close()
	headers := filepath.Join(t.TempDir(), "headers")
	writeFile(t, headers, "# the collector's token\nAuthorization: Bearer s3cr3t-token\n\nx-scope-orgid: tenant1\n")
	tr, err := New(context.Background(), Config{Endpoint: srv.URL, SamplingRatio: 1, HeadersFile: headers}, "netbackup_exporter", "1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	if !tr.Enabled() || tr.sdk == nil {
		t.Fatal("tracing on: no exporter, or no SDK provider")
	}
	_, span := tr.Provider.Tracer("test").Start(context.Background(), "one")
	span.End()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := tr.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tr.Shutdown(ctx); err != nil {
		t.Errorf("second Shutdown: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 {
		t.Fatalf("%d export requests, want 1 (the flush)", len(got))
	}
	r := got[0]
	if r.URL.Path != "/v1/traces" || r.Header.Get("Authorization") != "Bearer s3cr3t-token" || r.Header.Get("X-Scope-Orgid") != "tenant1" {
		t.Errorf("export to %s with headers %v", r.URL.Path, r.Header)
	}
}

func TestConfigErrors(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad")
	writeFile(t, bad, "Authorization: Bearer ok\nthis line holds a s3cr3t-token\n")
	badValue := filepath.Join(dir, "badvalue")
	writeFile(t, badValue, "Authorization: Bearer \x01s3cr3t-token\n")
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"ratio above 1", Config{Endpoint: "h:4318", SamplingRatio: 1.5}, "sampling-ratio 1.5"},
		{"ratio below 0", Config{Endpoint: "h:4318", SamplingRatio: -0.1}, "between 0 and 1"},
		{"no port", Config{Endpoint: "collector", SamplingRatio: 1}, "neither host:port nor a URL"},
		{"scheme", Config{Endpoint: "grpc://h:4317", SamplingRatio: 1}, "scheme must be http or https"},
		{"user info", Config{Endpoint: "https://u:s3cr3t-token@h:4318", SamplingRatio: 1}, "headers-file"},
		{"insecure https", Config{Endpoint: "https://h:4318", Insecure: true, SamplingRatio: 1}, "write http://"},
		{"headers file missing", Config{Endpoint: "h:4318", SamplingRatio: 1, HeadersFile: filepath.Join(dir, "none")}, "no such file"},
		{"headers line", Config{Endpoint: "h:4318", SamplingRatio: 1, HeadersFile: bad}, "line 2: want"},
		{"headers value", Config{Endpoint: "h:4318", SamplingRatio: 1, HeadersFile: badValue}, "line 1: invalid header value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(context.Background(), tc.cfg, "x", "1")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cr3t-token") {
				t.Errorf("the error repeats a secret: %v", err)
			}
		})
	}
}

func TestFlags(t *testing.T) {
	clearEnv(t)
	for _, tc := range []struct {
		args    []string
		want    Config
		wantErr bool
	}{
		{args: nil, want: Config{SamplingRatio: 1}},
		{args: []string{"--tracing.endpoint=otel:4318", "--tracing.insecure", "--tracing.sampling-ratio=0.25", "--tracing.propagate-to-netbackup"},
			want: Config{Endpoint: "otel:4318", Insecure: true, SamplingRatio: 0.25, PropagateToNetBackup: true}},
		{args: []string{"--tracing.sampling-ratio=0.5"}, wantErr: true},
		{args: []string{"--tracing.propagate-to-netbackup"}, wantErr: true},
	} {
		app := kingpin.New("test", "")
		f := AddFlags(app)
		if _, err := app.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		got, err := f.Config()
		if (err != nil) != tc.wantErr || (err == nil && got != tc.want) {
			t.Errorf("%v: got %+v, %v; want %+v (error: %v)", tc.args, got, err, tc.want, tc.wantErr)
		}
	}
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}
