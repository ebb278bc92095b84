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
FUZZTIME  ?= 30s
# Release platforms, as .promu.yml's crossbuild lists them.
PLATFORMS ?= linux/amd64 linux/arm64 windows/amd64
TARBALL_FILES := LICENSE README.md modules.yml web-config.yml
# Tools built from their Go modules (helm, Prometheus 3) are cached outside the work tree, so that
# a clean clone, `make clean` and CI's later steps reuse them.
NETBACKUP_EXPORTER_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/netbackup_exporter
export NETBACKUP_EXPORTER_CACHE
HELM_VERSION := v4.3.2
HELM      := $(NETBACKUP_EXPORTER_CACHE)/helm-$(HELM_VERSION)/helm
CHART     := deploy/helm/netbackup-exporter

.PHONY: all build test unit vet fmt-check rules-test fuzz mixin specs e2e e2e-prom3 helm-test bench bench-compare bench-scale soak demo check-config crossbuild tarball check-systemd clean

all: build test

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o netbackup_exporter .
	$(GO) build -o fakenbu ./cmd/fakenbu

# The README's test command: everything CI runs. `unit` runs the fuzz targets on their seed
# corpora; `make fuzz` explores beyond them.
test: fmt-check vet rules-test unit e2e

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

unit:
	$(GO) test -race -count=1 ./...

# The alerting rules: syntax, then their unit tests (alerts/*_test.yml); and examples/prometheus.yml,
# which loads them. promtool comes with Debian's prometheus package (scripts/ensure-prometheus.sh).
rules-test:
	./scripts/ensure-prometheus.sh
	promtool check rules alerts/*.rules.yml
	cd alerts && promtool test rules *_test.yml
	./scripts/check-examples.sh

# Each fuzz target of FUZZPKGS for FUZZTIME (go test -fuzz takes one target per run), its output
# shown. A failure names the input go saved under the package's testdata/fuzz/<Target>/ and prints
# it: keep the file, it is a regression test for the plain `go test` from then on.
FUZZPKGS ?= ./...
fuzz:
	@set -e; for pkg in $$($(GO) list $(FUZZPKGS)); do \
	  dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo ">> fuzz $$pkg $$f for $(FUZZTIME)"; \
	    before=$$(ls $$dir/testdata/fuzz/$$f 2>/dev/null || true); \
	    if ! $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; then \
	      for input in $$(ls $$dir/testdata/fuzz/$$f 2>/dev/null); do \
	        case " $$before " in *" $$input "*) continue;; esac; \
	        echo ">> failing input: $$dir/testdata/fuzz/$$f/$$input"; \
	        cat $$dir/testdata/fuzz/$$f/$$input; \
	      done; \
	      exit 1; \
	    fi; \
	  done; \
	done

# The alerting rules (alerts/*.rules.yml) and the dashboards (dashboards/*.json) from the
# monitoring mixin (netbackup-mixin/), its sources formatted first. jsonnet and jsonnetfmt are built
# once into a cache outside the repository. TestMixinFilesUpToDate (internal/monitoring, part of
# `make unit`) fails when the checked-in files differ from what this writes.
JSONNET_VERSION := v0.22.0
JSONNET_BIN     ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/netbackup_exporter/jsonnet-$(JSONNET_VERSION)
MIXIN_SOURCES   := $(shell find netbackup-mixin -name '*.libsonnet' -o -name '*.jsonnet' 2>/dev/null)

$(JSONNET_BIN)/jsonnet $(JSONNET_BIN)/jsonnetfmt:
	GOBIN=$(JSONNET_BIN) $(GO) install github.com/google/go-jsonnet/cmd/jsonnet@$(JSONNET_VERSION) \
	  github.com/google/go-jsonnet/cmd/jsonnetfmt@$(JSONNET_VERSION)

mixin: $(JSONNET_BIN)/jsonnet $(JSONNET_BIN)/jsonnetfmt
	$(JSONNET_BIN)/jsonnetfmt -i $(MIXIN_SOURCES)
	rm -f dashboards/*.json alerts/*.rules.yml
	$(JSONNET_BIN)/jsonnet -S -m . netbackup-mixin/build.jsonnet

# The table of Veritas's API specs (internal/specs/endpoints/) from the spec folders beside the
# checkout (SPECS). TestTableMatchesSpecs (internal/specs, part of `make unit`) fails when the
# checked-in table differs from what this writes, and is skipped where the specs are absent.
SPECS ?= ../shared/docs/veritas
specs:
	$(GO) run ./internal/specs/gen -specs $(SPECS) -out internal/specs/endpoints

# End to end with a real Prometheus and Alertmanager (installed by scripts/ensure-prometheus.sh
# when missing): scraping, the alert rules, the dashboards' queries, two sharded exporters; and the
# answer read by curl, wget and Python's prometheus_client (scripts/ensure-e2e-clients.sh).
e2e:
	./scripts/ensure-prometheus.sh
	./scripts/ensure-e2e-clients.sh
	$(GO) test -race -count=1 -tags e2e -run . ./e2e/...

# The end-to-end test against Prometheus 3.16, built from its Go module once
# (scripts/ensure-prometheus3.sh), with its three ways of scraping: OpenMetrics first with UTF-8
# names, protobuf only, and legacy names with underscore escaping.
e2e-prom3:
	./scripts/ensure-prometheus.sh
	./scripts/ensure-prometheus3.sh >/dev/null
	$(GO) vet -tags 'e2e prom3' ./e2e/
	PROMETHEUS3=$$(./scripts/ensure-prometheus3.sh) $(GO) test -race -count=1 -tags 'e2e prom3' -run 'TestPrometheus3' -v ./e2e/...

# The Helm chart: helm lint, helm template for one replica and for three (the chart's ci/
# values), and deploy/helm's test of the rendered objects' wiring. No cluster is needed.
helm-test: $(HELM)
	$(HELM) lint --strict $(CHART)
	@set -e; for f in $(CHART)/ci/*-values.yaml; do \
	  echo ">> helm lint and template with $$f"; \
	  $(HELM) lint --strict $(CHART) --values $$f; \
	  $(HELM) template nbu $(CHART) --namespace monitoring --values $$f >/dev/null; \
	done
	$(GO) vet -tags helm ./deploy/helm/
	HELM=$(HELM) $(GO) test -race -count=1 -tags helm ./deploy/helm/

# Built once (minutes); a later run finds the binary and does not rebuild it.
$(HELM):
	GOBIN=$(dir $(HELM)) $(GO) install helm.sh/helm/v4/cmd/helm@$(HELM_VERSION)

bench:
	./scripts/bench.sh

# A base revision (BASE, default main) against the working tree, interleaved in one run.
bench-compare:
	./scripts/bench-compare.sh

# 1,000 targets (250 fake primaries x 4 modules) through one exporter and a real Prometheus, a
# few minutes: p99 probe_duration_seconds and the exporter's CPU per steady probe.
bench-scale:
	./scripts/bench-scale.sh

# 10,000 targets churned through the default session cap for 10 minutes, printing the exporter's
# RSS, open files, goroutines and sessions every 10 s (scripts/soak.sh; DURATION, TARGETS, RATE,
# PRLIMIT=1024, RELOAD=1 for the reload part). Its bounds are its own; not part of `make test`.
soak:
	./scripts/soak.sh

demo:
	./scripts/demo.sh

check-config: build
	./netbackup_exporter --config.check --config.file=modules.yml

# Release binaries as promu crossbuild lays them out (.build/<os>-<arch>/), static and with the
# version ldflags; examples/Dockerfile copies them from there.
crossbuild:
	@set -e; for p in $(PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
	  echo ">> building $$os/$$arch"; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -tags netgo -ldflags "$(LDFLAGS)" \
	    -o .build/$$os-$$arch/netbackup_exporter$$ext . ; \
	done

# Release archives as promu tarball names them, in .tarballs/, then checked (the linux/amd64
# binary runs --version).
tarball: crossbuild
	@set -e; rm -rf .tarballs; mkdir -p .tarballs; for p in $(PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
	  name=netbackup_exporter-$(VERSION).$$os-$$arch; \
	  mkdir -p .tarballs/$$name; \
	  cp .build/$$os-$$arch/netbackup_exporter$$ext $(TARBALL_FILES) .tarballs/$$name/; \
	  tar -czf .tarballs/$$name.tar.gz -C .tarballs --owner=0 --group=0 $$name; \
	  rm -rf .tarballs/$$name; \
	done
	cd .tarballs && sha256sum *.tar.gz > sha256sums.txt
	VERSION=$(VERSION) PLATFORMS="$(PLATFORMS)" ./scripts/check-tarballs.sh

# The example systemd unit, checked by systemd-analyze where it exists (with ExecStart pointing
# at a built binary, as verify wants it to exist).
check-systemd: build
	@if command -v systemd-analyze >/dev/null 2>&1; then \
	  mkdir -p .build/systemd && \
	  sed "s#/usr/local/bin/netbackup_exporter#$(CURDIR)/netbackup_exporter#" examples/netbackup_exporter.service \
	    > .build/systemd/netbackup_exporter.service && \
	  systemd-analyze verify .build/systemd/netbackup_exporter.service && echo "systemd-analyze verify: OK"; \
	else echo "systemd-analyze not found: unit not checked"; fi

clean:
	rm -rf netbackup_exporter fakenbu .build .tarballs
