#!/usr/bin/env bash
# Prometheus 3 for the end-to-end test (e2e/prom3_test.go): built from its Go module, once, into a
# cache outside the work tree (a clean clone and CI's later steps reuse it), then only its path is
# printed. NETBACKUP_EXPORTER_CACHE moves the cache (default ~/.cache/netbackup_exporter).
set -euo pipefail
version=v0.316.0   # Prometheus 3.16
cache="${NETBACKUP_EXPORTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/netbackup_exporter}"
dir="$cache/prometheus-$version"
bin="$dir/prometheus"
if [ ! -x "$bin" ]; then
  echo "building Prometheus $version into $dir (once; takes minutes)" >&2
  mkdir -p "$dir"
  # Into a temporary GOBIN first, so that an interrupted build never leaves a binary behind.
  tmp=$(mktemp -d "$dir/.build.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  GOBIN="$tmp" go install "github.com/prometheus/prometheus/cmd/prometheus@$version" >&2
  mv "$tmp/prometheus" "$bin"
fi
echo "$bin"
