#!/usr/bin/env bash
# Runs the benchmarks and keeps their output in bench/, for benchstat:
#   go run golang.org/x/perf/cmd/benchstat@latest bench/before-issue5.txt bench/latest.txt
# BENCH selects benchmarks (a go test -bench regexp), COUNT repeats them. nbu's
# BenchmarkJobsDecoders runs encoding/json and the jobs decoder (jsontext) on the same page:
#   go run golang.org/x/perf/cmd/benchstat@latest -col /decoder bench/latest.txt
# A revision against the working tree, turn about in one run: scripts/bench-compare.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench
BENCH=${BENCH:-.}
COUNT=${COUNT:-1}
out=bench/latest.txt
: > "$out"
# The backfill and first-read benchmarks run whole reads against a master answering a page in
# 20-100ms (about three minutes together): once is enough.
go test -run '^$' -bench "$BENCH" -skip 'Backfill|FirstRead' -benchtime 3x -count "$COUNT" -timeout 30m ./prober/ ./nbu/ ./internal/fakenbu/ | tee -a "$out"
go test -run '^$' -bench 'Backfill|FirstRead' -benchtime 1x -count "$COUNT" -timeout 30m ./prober/ | tee -a "$out"
echo "benchmark output in $out"
