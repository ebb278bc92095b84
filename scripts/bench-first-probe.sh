#!/usr/bin/env bash
# The first collection of a large master, over TLS, by two exporter binaries in turns: each run
# starts a fresh exporter, probes once, and reads the exporter's CPU time (user + system, from
# /proc/<pid>/stat), its peak RSS (VmHWM) and the NetBackup requests it sent (its own /metrics).
# The fake primary (cmd/fakenbu --tls, JOBS jobs in the last hour, a page answered after LATENCY)
# runs in a process of its own for the whole run, so that only the exporter is measured.
#   BASE=/path/to/old/netbackup_exporter COUNT=5 scripts/bench-first-probe.sh
# BASE: the baseline binary (required). NEW: the binary to compare (default: built from this
# tree). JOBS (100000), LATENCY (0s), CONCURRENCY (the module's max_concurrent_requests, 4),
# TIMEOUT (the probe's scrape timeout in seconds, 120), COUNT (turns, 5). Busy master:
#   BASE=... LATENCY=100ms CONCURRENCY=8 TIMEOUT=30 scripts/bench-first-probe.sh
# Loopback only; it stops what it started (and only that) on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BASE:?BASE must name the baseline exporter binary}"
JOBS=${JOBS:-100000}
LATENCY=${LATENCY:-0s}
CONCURRENCY=${CONCURRENCY:-4}
TIMEOUT=${TIMEOUT:-120}
COUNT=${COUNT:-5}
KEY=bench-first-probe-key

tmp=$(mktemp -d /tmp/bench-first-probe.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() {
  for _ in $(seq 240); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "gave up waiting for: $*" >&2; return 1
}

cp "$BASE" "$tmp/base"
if [ -n "${NEW:-}" ]; then cp "$NEW" "$tmp/new"; else go build -o "$tmp/new" .; fi
go build -o "$tmp/fakenbu" ./cmd/fakenbu

fake_port=$(free_port)
"$tmp/fakenbu" --listen "127.0.0.1:$fake_port" --api-key "$KEY" --jobs "$JOBS" --window 1h \
  --page-latency "$LATENCY" --tls --tls-ca-out "$tmp/ca.pem" 2>"$tmp/fake.log" &
pids+=($!)
wait_for test -s "$tmp/ca.pem"
wait_for curl -sf --cacert "$tmp/ca.pem" -H "Accept: text/vnd.netbackup+plain;version=10.0" "https://127.0.0.1:$fake_port/netbackup/ping"

cat >"$tmp/modules.yml" <<EOF
modules:
  default:
    timeout: ${TIMEOUT}s
    api_key: $KEY
    allowed_targets: ["127.0.0.1"]
    tls_config: {ca_file: $tmp/ca.pem}
    max_concurrent_requests: $CONCURRENCY
    jobs: {lookback: 1h}
    collectors: [jobs, storage, disk_pools, tape, media_servers]
EOF

# run BIN: one fresh exporter, one probe; prints "cpu_ms rss_kib requests seconds complete".
run() {
  local bin=$1 port pid
  port=$(free_port)
  "$bin" --config.file "$tmp/modules.yml" --web.listen-address "127.0.0.1:$port" --log.level warn 2>>"$tmp/exporter.log" &
  pid=$!
  pids+=("$pid")
  wait_for curl -sf "http://127.0.0.1:$port/-/healthy"
  local start end
  start=$(date +%s.%N)
  curl -sf -H "X-Prometheus-Scrape-Timeout-Seconds: $TIMEOUT" \
    "http://127.0.0.1:$port/probe?module=default&target=127.0.0.1:$fake_port" >"$tmp/answer"
  end=$(date +%s.%N)
  local ticks hz rss requests complete
  ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  hz=$(getconf CLK_TCK)
  rss=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
  requests=$(curl -sf "http://127.0.0.1:$port/metrics" |
    awk '/^netbackup_exporter_netbackup_requests_total/ {n += $NF} END {print n + 0}')
  complete=$(awk '/^nbu_jobs_backfill_complete / {print $2}' "$tmp/answer")
  grep -q '^probe_success 1' "$tmp/answer" || { echo "the probe failed with $bin:" >&2; cat "$tmp/answer" >&2; exit 1; }
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$((ticks * 1000 / hz)) $rss $requests $(echo "$end - $start" | bc) ${complete:-0}"
}

echo "first probe of $JOBS jobs over TLS, page latency $LATENCY, $CONCURRENCY requests at once, timeout ${TIMEOUT}s"
printf '%-5s %-4s %8s %9s %9s %8s %9s\n' turn bin cpu_ms rss_MiB requests seconds complete
: >"$tmp/results"
for i in $(seq "$COUNT"); do
  for side in base new; do
    read -r cpu rss req secs complete < <(run "$tmp/$side")
    printf '%-5s %-4s %8d %9.1f %9d %8.2f %9s\n' "$i" "$side" "$cpu" "$(echo "$rss / 1024" | bc -l)" "$req" "$secs" "$complete"
    echo "$side $cpu $rss $req $secs" >>"$tmp/results"
  done
done
# Medians, and the new binary's as a share of the base's.
python3 - "$tmp/results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
med = {side: [statistics.median(float(r[i]) for r in rows if r[0] == side) for i in range(1, 5)] for side in ("base", "new")}
names = ["cpu_ms", "rss_KiB", "requests", "seconds"]
for i, name in enumerate(names):
    b, n = med["base"][i], med["new"][i]
    print(f"median {name:9s} base {b:12.1f}  new {n:12.1f}  new/base {n / b:.3f}")
PY
