package main

import (
	"os/exec"
	"strings"
	"testing"
)

// testOnlyDeps are packages the tests use and the binary must not link: the fake NetBackup and
// the spec table it holds requests to, the span recorder, and the OTLP exporter over gRPC (traces
// go out over OTLP/HTTP only).
var testOnlyDeps = []string{
	"github.com/netbackup-exporter/netbackup_exporter/internal/fakenbu",
	"github.com/netbackup-exporter/netbackup_exporter/internal/specs",
	"go.opentelemetry.io/otel/sdk/trace/tracetest",
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc",
}

// TestBinaryLinksNoTestPackages fails when an import brings a test helper into the exporter, and
// checks that the traces go through the SDK's OTLP/HTTP exporter.
func TestBinaryLinksNoTestPackages(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps of the exporter: %v", err)
	}
	pkgs := strings.Fields(string(out))
	if len(pkgs) < 100 || !strings.Contains(string(out), "go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp\n") {
		t.Fatalf("go list -deps listed %d packages, without the OTLP/HTTP exporter: not the exporter's", len(pkgs))
	}
	for _, pkg := range pkgs {
		for _, dep := range testOnlyDeps {
			if strings.HasPrefix(pkg, dep) {
				t.Errorf("the exporter links %s (a %s package)", pkg, dep)
			}
		}
	}
}
