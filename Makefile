# promu is not installable on the development machines: `make build` uses go build with the same
# version ldflags that .promu.yml gives release builds.
GO        ?= go
PKG       := github.com/prometheus/common/version
VERSION   ?= $(shell cat VERSION)
REVISION  ?= $(or $(shell git rev-parse --verify -q HEAD 2>/dev/null),unknown)
BRANCH    ?= $(or $(shell git symbolic-ref -q --short HEAD 2>/dev/null),unknown)
BUILDUSER ?= $(shell whoami 2>/dev/null | tr -d ' ')@$(shell hostname 2>/dev/null | tr -d ' ')
BUILDDATE ?= $(shell date -u +%Y%m%d-%H:%M:%S)
LDFLAGS   := -X $(PKG).Version=$(VERSION) -X $(PKG).Revision=$(REVISION) -X $(PKG).Branch=$(BRANCH) \
             -X $(PKG).BuildUser=$(BUILDUSER) -X $(PKG).BuildDate=$(BUILDDATE)
FUZZTIME  ?= 5s

.PHONY: all build test unit vet fmt-check fuzz e2e bench bench-scale demo check-config clean

all: build test

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o netbackup_exporter .
	$(GO) build -o fakenbu ./cmd/fakenbu

# The README's test command: everything CI runs.
test: fmt-check vet unit fuzz e2e

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

unit:
	$(GO) test -race -count=1 ./...

# Each fuzz target briefly (go test -fuzz takes one target per run).
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$f"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg >/dev/null; \
	  done; \
	done

# End to end with a real Prometheus (installed by scripts/ensure-prometheus.sh when missing).
e2e:
	./scripts/ensure-prometheus.sh
	$(GO) test -race -count=1 -tags e2e -run . ./e2e/...

bench:
	./scripts/bench.sh

# 1,000 targets (250 fake primaries x 4 modules) through one exporter and a real Prometheus, a
# few minutes: p99 probe_duration_seconds and the exporter's CPU per steady probe.
bench-scale:
	./scripts/bench-scale.sh

demo:
	./scripts/demo.sh

check-config: build
	./netbackup_exporter --config.check --config.file=modules.yml

clean:
	rm -rf netbackup_exporter fakenbu .build
