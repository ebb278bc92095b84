package main

import (
	"os/exec"
	"strings"
	"testing"
)

// heavyDeps are packages the binary must not link. The traces go out through internal/tracing's
// own OTLP/HTTP client because otlptracehttp builds its request from the collector protos, which
// bring in grpc, grpc-gateway and genproto: about 3 MB of binary and over 1 MiB of resident
// pages for one message type. Tests may import them; the binary may not.
var heavyDeps = []string{
	"google.golang.org/grpc",
	"google.golang.org/genproto/",
	"github.com/grpc-ecosystem/",
	"go.opentelemetry.io/proto/otlp/collector/",
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp",
}

// TestBinaryLinksNoGRPC fails when an import brings the gRPC stack back into the exporter, which
// the RSS benchmark would show only as a few lost MiB.
func TestBinaryLinksNoGRPC(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps of the exporter: %v", err)
	}
	pkgs := strings.Fields(string(out))
	if len(pkgs) < 100 || !strings.Contains(string(out), "go.opentelemetry.io/otel/sdk/trace\n") {
		t.Fatalf("go list -deps listed %d packages, without the OpenTelemetry SDK: not the exporter's", len(pkgs))
	}
	for _, pkg := range pkgs {
		for _, heavy := range heavyDeps {
			if strings.HasPrefix(pkg, heavy) {
				t.Errorf("the exporter links %s (a %s package)", pkg, heavy)
			}
		}
	}
}
