package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu"
)

// TestShutdownFlushesTraces: a probe's spans, still in the batcher when SIGTERM comes (its batch
// timeout is seconds), reach the collector before run returns, and the headers never show in the
// log.
func TestShutdownFlushesTraces(t *testing.T) {
	var mu sync.Mutex
	var exports [][]byte
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		exports = append(exports, b)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer collector.Close()
	fake := fakenbu.New(fakenbu.Options{APIKeys: []string{testKey}})
	fake.SetStorageUnits(fakenbu.DemoStorageUnits())
	fakeSrv := httptest.NewServer(fake)
	defer fakeSrv.Close()

	dir := t.TempDir()
	file := filepath.Join(dir, "modules.yml")
	writeFile(t, file, configYAML(moduleYAML("default", "api_key: "+testKey, "collectors: [storage]")))
	headers := filepath.Join(dir, "otlp-headers")
	writeFile(t, headers, "Authorization: Bearer otlp-token-5e1f\n")
	base, shutdown, exit, logs := runExporter(t, "--config.file="+file, "--tracing.endpoint="+collector.URL, "--tracing.headers-file="+headers)

	resp, err := http.Get(base + probeURL("/probe", "default", fakeSrv.URL+"/netbackup"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	mu.Lock()
	early := len(exports)
	mu.Unlock()
	shutdown()
	if code := <-exit; code != 0 {
		t.Fatalf("exit code %d", code)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(exports) <= early || !bytes.Contains(bytes.Join(exports, nil), []byte("collector storage")) {
		t.Errorf("no export with the probe's spans at shutdown (%d exports before, %d after)", early, len(exports))
	}
	if !strings.Contains(logs.String(), "tracing enabled") || strings.Contains(logs.String(), "otlp-token-5e1f") {
		t.Errorf("log: want \"tracing enabled\" and no header value:\n%s", logs)
	}
}

func TestTracingFlagErrorsExit2(t *testing.T) {
	for _, args := range [][]string{
		{"--tracing.sampling-ratio=0.5"},
		{"--tracing.endpoint=otel:4318", "--tracing.sampling-ratio=2"},
		{"--tracing.endpoint=grpc://otel:4317"},
	} {
		var stderr bytes.Buffer
		file := filepath.Join(t.TempDir(), "modules.yml")
		writeFile(t, file, configYAML(moduleYAML("default", "api_key: "+testKey)))
		if code := run(context.Background(), append(args, "--config.file="+file), runEnv{stdout: io.Discard, stderr: &stderr}); code != 2 || !strings.Contains(stderr.String(), "tracing") {
			t.Errorf("%v: exit %d, stderr %q; want 2 naming the tracing flag", args, code, stderr.String())
		}
	}
}
