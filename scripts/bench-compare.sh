#!/usr/bin/env bash
# Runs benchmarks of a base revision and of the working tree in one run, interleaved (base, head,
# base, head, ...), and compares them with benchstat. On these shared machines absolute figures
# vary 2x between runs; ratios taken in one run, turn about, do not.
#   BASE=main BENCH='BenchmarkProbeExternal/first' PKG=prober COUNT=5 scripts/bench-compare.sh
# BASE: a git revision (default main). PKG: one package directory. BENCH, BENCHTIME, COUNT: as
# for go test. Output in bench/compare-base.txt and bench/compare-head.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${BASE:-main}
PKG=${PKG:-prober}
BENCH=${BENCH:-BenchmarkProbeExternal/first}
BENCHTIME=${BENCHTIME:-1x}
COUNT=${COUNT:-5}
mkdir -p bench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The base tree is exported, not checked out: no worktree, nothing of this one touched.
mkdir "$tmp/base"
git archive "$(git rev-parse --verify "$BASE^{commit}")" | tar -x -C "$tmp/base"
(cd "$tmp/base" && go test -c -o "$tmp/base.test" "./$PKG")
go test -c -o "$tmp/head.test" "./$PKG"
: > bench/compare-base.txt
: > bench/compare-head.txt
for i in $(seq "$COUNT"); do
	for side in base head; do
		# Each binary runs in its own package directory: benchmarks find testdata and the fake's
		# source (../cmd/fakenbu) relative to it.
		dir="$PKG"
		[ "$side" = base ] && dir="$tmp/base/$PKG"
		echo "run $i/$COUNT: $side" >&2
		(cd "$dir" && "$tmp/$side.test" -test.run '^$' -test.bench "$BENCH" -test.benchtime "$BENCHTIME" -test.timeout 30m) |
			tee -a "bench/compare-$side.txt"
	done
done
go run golang.org/x/perf/cmd/benchstat@latest base=bench/compare-base.txt head=bench/compare-head.txt
