#!/usr/bin/env bash
# Many primaries through one exporter: PRIMARIES fake primaries (one scripts/fakefleet process,
# jobs finishing on every one), one exporter, and a real Prometheus scraping PRIMARIES x 4 modules
# every 15s for DURATION seconds. Then it reads from Prometheus the p99 of probe_duration_seconds
# and whether every probe succeeded, and from /proc the exporter's CPU per probe after WARMUP
# (the first probes, which backfill, are not steady state), prints them against the targets
# (p99 < 50 ms, CPU at most 3 ms a probe) and exits non-zero if one is missed.
# It stops what it started (and only that) on exit, and is bounded in time: it gives up waiting
# for anything after 60 s. Loopback only.
#   PRIMARIES=250 DURATION=180 WARMUP=60 JOBS_PER_MINUTE=20 ./scripts/bench-scale.sh
# EXPORTER=path runs that exporter binary instead of one built from this tree (old against new).
set -euo pipefail
cd "$(dirname "$0")/.."
PRIMARIES=${PRIMARIES:-250}
DURATION=${DURATION:-180}
WARMUP=${WARMUP:-60}
JOBS=${JOBS:-500}
JOBS_PER_MINUTE=${JOBS_PER_MINUTE:-20}
KEY=bench-scale-key
if [ "$WARMUP" -ge "$DURATION" ]; then echo "WARMUP must be under DURATION" >&2; exit 2; fi
./scripts/ensure-prometheus.sh

tmp=$(mktemp -d /tmp/bench-scale.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# wait_for CMD...: retries CMD for up to 60 s.
wait_for() {
  for _ in $(seq 120); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "gave up waiting for: $*" >&2; return 1
}

if [ -n "${EXPORTER:-}" ]; then cp "$EXPORTER" "$tmp/netbackup_exporter"; else go build -o "$tmp/netbackup_exporter" .; fi
go build -o "$tmp/fakefleet" ./scripts/fakefleet

"$tmp/fakefleet" --count "$PRIMARIES" --jobs "$JOBS" --jobs-per-minute "$JOBS_PER_MINUTE" --api-key "$KEY" \
  --urls-out "$tmp/urls" 2>"$tmp/fleet.log" &
pids+=($!)
wait_for test -s "$tmp/urls"

cat >"$tmp/modules.yml" <<EOF
modules:
  jobs:     {timeout: 10s, api_key: $KEY, allowed_targets: ["127.0.0.1"], insecure_http: true, collectors: [jobs]}
  storage:  {timeout: 10s, api_key: $KEY, allowed_targets: ["127.0.0.1"], insecure_http: true, collectors: [storage]}
  devices:  {timeout: 10s, api_key: $KEY, allowed_targets: ["127.0.0.1"], insecure_http: true, collectors: [disk_pools, tape, media_servers]}
  default:  {timeout: 10s, api_key: $KEY, allowed_targets: ["127.0.0.1"], insecure_http: true, collectors: [jobs, storage]}
EOF
exp_port=$(free_port)
"$tmp/netbackup_exporter" --config.file "$tmp/modules.yml" --web.listen-address "127.0.0.1:$exp_port" \
  --probe.max-sessions $((PRIMARIES * 4 + 100)) --log.level warn 2>"$tmp/exporter.log" &
exp_pid=$!
pids+=("$exp_pid")
wait_for curl -sf "http://127.0.0.1:$exp_port/metrics"

{
  echo "global: {scrape_interval: 15s, scrape_timeout: 10s}"
  echo "scrape_configs:"
  echo "  - {job_name: exporter, static_configs: [{targets: ['127.0.0.1:$exp_port']}]}"
  for m in jobs storage devices default; do
    echo "  - job_name: nbu_$m"
    echo "    metrics_path: /probe"
    echo "    params: {module: [$m]}"
    echo "    static_configs: [{targets: ["
    sed "s/.*/'&',/" "$tmp/urls"
    echo "    ]}]"
    echo "    relabel_configs:"
    echo "      - {source_labels: [__address__], target_label: __param_target}"
    echo "      - {source_labels: [__param_target], target_label: instance}"
    echo "      - {target_label: __address__, replacement: '127.0.0.1:$exp_port'}"
  done
} >"$tmp/prometheus.yml"
prom_port=$(free_port)
prometheus --config.file "$tmp/prometheus.yml" --storage.tsdb.path "$tmp/tsdb" \
  --web.listen-address "127.0.0.1:$prom_port" --log.level warn 2>"$tmp/prometheus.log" &
pids+=($!)
prom="http://127.0.0.1:$prom_port"
wait_for curl -sf "$prom/-/ready"
start=$(date +%s)
echo "scraping $((PRIMARIES * 4)) targets every 15s for ${DURATION}s (steady state measured after ${WARMUP}s)"

# cpu_ticks: the exporter's user+system time in clock ticks; probes: its probes so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$exp_pid/stat"; }
probes() {
  curl -sf --max-time 10 "http://127.0.0.1:$exp_port/metrics" |
    awk '/^netbackup_exporter_probes_total/ {n += $NF} END {printf "%d\n", n}'
}
sleep "$WARMUP"
ticks0=$(cpu_ticks); probes0=$(probes)
sleep $((DURATION - WARMUP))
ticks1=$(cpu_ticks); probes1=$(probes)
end=$(date +%s)

# Every probe sample of the run, and the exporter's CPU, summed up by python.
query() { curl -sf --max-time 30 "$prom/api/v1/query" --data-urlencode "query=$1" --data-urlencode "time=$end"; }
steady=$((end - start - WARMUP))
query "probe_duration_seconds{job=~\"nbu_.*\"}[${steady}s]" >"$tmp/dur_steady.json"
query "probe_duration_seconds{job=~\"nbu_.*\"}[$((end - start))s]" >"$tmp/dur_all.json"
query "probe_success{job=~\"nbu_.*\"}[$((end - start))s]" >"$tmp/success.json"
query "up{job=~\"nbu_.*\"}[$((end - start))s]" >"$tmp/up.json"
python3 - "$tmp" "$ticks0" "$ticks1" "$probes0" "$probes1" "$(getconf CLK_TCK)" "$((PRIMARIES * 4))" "$start" <<'EOF' || { rc=$?; echo "exporter log, last lines:"; tail -n 5 "$tmp/exporter.log"; exit $rc; }
import json, sys
tmp, t0, t1, p0, p1, hz, targets, start = sys.argv[1], *map(int, sys.argv[2:])
def samples(name):
    res = json.load(open(f"{tmp}/{name}.json"))["data"]["result"]
    return res, [float(v) for s in res for _, v in s["values"]]
def p99(vals):
    vals = sorted(vals)
    return vals[min(len(vals) - 1, int(0.99 * len(vals)))] if vals else float("nan")
_, steady = samples("dur_steady")
_, every = samples("dur_all")
series, ok = samples("success")
up_series, up = samples("up")
failed = sum(1 for v in ok if v != 1) + sum(1 for v in up if v != 1)
for name, res in (("probe_success", series), ("up", up_series)):
    for s in res:
        for t, v in s["values"]:
            if float(v) != 1:
                m = s["metric"]
                print(f"  {name} {v} at +{float(t) - start:.0f}s: {m.get('job')} {m.get('instance')}")
probes = p1 - p0
cpu_ms = (t1 - t0) / hz * 1000 / probes if probes else float("nan")
print(f"targets scraped:             {len(series)} of {targets}")
print(f"probes (Prometheus samples): {len(ok)}, failed or down: {failed}")
print(f"p99 probe_duration_seconds:  {p99(steady)*1000:.1f} ms steady ({len(steady)} samples), {p99(every)*1000:.1f} ms with the first probes")
print(f"exporter CPU per probe:      {cpu_ms:.2f} ms ({(t1-t0)/hz:.1f} s CPU over {probes} probes, steady)")
good = len(series) == targets and failed == 0 and p99(steady) < 0.050 and cpu_ms <= 3
print("PASS" if good else "FAIL: targets are every probe succeeding, p99 < 50 ms, CPU at most 3 ms a probe")
sys.exit(0 if good else 1)
EOF
