#!/usr/bin/env bash
# Soak: many targets churned through the exporter's session cap, and (RELOAD=1) one target probed
# every second while its modules file is rewritten and reloaded.
#
# Part 1, churn (TARGETS > 0): TARGETS (target, module) pairs, each a session of its own (the
# session key is the module and the target's URL, port included): ceil(TARGETS/4) fake primaries
# on loopback ports (one scripts/fakefleet process) x 4 modules. scripts/soakprobe probes them
# round-robin at RATE probes/s (at most CONCURRENCY in flight) for DURATION seconds through one
# exporter with its default --probe.max-sessions (1000): at 10,000 targets and 125/s each target
# is probed every 80 s, so nearly every probe makes a session and evicts the oldest.
# Part 2, reload (RELOAD=1): one fake primary with a job finishing every second, probed every
# second for RELOAD_DURATION seconds while the modules file is rewritten every RELOAD_EVERY
# seconds, the target's module taking its key inline and from a file in turn (the same session);
# every third rewrite is reloaded through POST /-/reload, the others by the file watcher.
#
# Every 10 s it prints the probes and failures so far, the probes/s and p99 of the last 10 s, and
# the exporter's RSS (VmRSS), open files (/proc/<pid>/fd), goroutines (go_goroutines), sessions
# and evictions (its /metrics); then a summary. It exits 1 when:
#   - any probe failed (transport error, an HTTP status other than 200, probe_success 0);
#   - churn: RSS after WARMUP seconds (default DURATION/5) rose above RSS_GROWTH (default 1.25)
#     times the first sample after the warm-up;
#   - reload: a counter (a series whose name ends in _total) of the answer went down, or a
#     rewritten file was not live (in /config, last reload successful) within 5 s.
# These bounds are this script's only: `make test` runs none of this.
#
# PRLIMIT=1024 runs the exporter under `prlimit --nofile=1024:1024`. EXPORTER=path runs that
# binary instead of one built from this tree. Loopback only. It stops what it started, and only
# that, on exit or interrupt; it gives up waiting for anything after 60 s, and each part ends by
# itself after its duration.
#   ./scripts/soak.sh                                   # 10,000 targets for 10 minutes
#   DURATION=60 TARGETS=2000 RELOAD=1 RELOAD_DURATION=60 ./scripts/soak.sh
#   PRLIMIT=1024 ./scripts/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-600}
TARGETS=${TARGETS:-10000}
RATE=${RATE:-125}
CONCURRENCY=${CONCURRENCY:-64}
WARMUP=${WARMUP:-$((DURATION / 5))}
RSS_GROWTH=${RSS_GROWTH:-1.25}
JOBS=${JOBS:-50}
JOBS_PER_MINUTE=${JOBS_PER_MINUTE:-2}
PRLIMIT=${PRLIMIT:-}
RELOAD=${RELOAD:-0}
RELOAD_DURATION=${RELOAD_DURATION:-300}
RELOAD_EVERY=${RELOAD_EVERY:-3}
MODULES=(jobs storage devices default)
KEY=soak-api-key-0123456789

if [ -n "$PRLIMIT" ] && ! command -v prlimit >/dev/null 2>&1; then
  echo "PRLIMIT=$PRLIMIT but prlimit is not installed (util-linux)" >&2
  exit 2
fi
if [ "$TARGETS" -le 0 ] && [ "$RELOAD" != 1 ]; then echo "nothing to do: TARGETS=0 and RELOAD is not 1" >&2; exit 2; fi

tmp=$(mktemp -d /tmp/soak.XXXXXX)
pids=()
# shellcheck disable=SC2317  # called by the EXIT trap
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
# stop PID: ends one process this script started and forgets it.
stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local kept=()
  for pid in "${pids[@]}"; do [ "$pid" = "$1" ] || kept+=("$pid"); done
  pids=("${kept[@]}")
}

if [ -n "${EXPORTER:-}" ]; then cp "$EXPORTER" "$tmp/netbackup_exporter"; else go build -o "$tmp/netbackup_exporter" .; fi
go build -o "$tmp/fakefleet" ./scripts/fakefleet
go build -o "$tmp/soakprobe" ./scripts/soakprobe

# start_fleet NAME ARGS...: one fakefleet process; its URLs in $tmp/NAME.urls, its pid in fleet_pid.
start_fleet() {
  local name=$1; shift
  "$tmp/fakefleet" --api-key "$KEY" --urls-out "$tmp/$name.urls" "$@" 2>"$tmp/$name-fleet.log" &
  fleet_pid=$!
  pids+=("$fleet_pid")
  wait_for test -s "$tmp/$name.urls"
}

# start_exporter NAME CONFIG: the exporter (under prlimit when PRLIMIT is set, which execs it, so
# the pid is the exporter's), its log in $tmp/NAME-exporter.log, outside the config's directory.
start_exporter() {
  local name=$1 config=$2 cmd=()
  exp_port=$(free_port)
  [ -z "$PRLIMIT" ] || cmd=(prlimit "--nofile=$PRLIMIT:$PRLIMIT" --)
  "${cmd[@]}" "$tmp/netbackup_exporter" --config.file "$config" --web.listen-address "127.0.0.1:$exp_port" \
    2>"$tmp/$name-exporter.log" &
  exp_pid=$!
  pids+=("$exp_pid")
  exp_log=$tmp/$name-exporter.log
  wait_for curl -sf "http://127.0.0.1:$exp_port/-/ready"
  echo "exporter pid $exp_pid, $(grep 'Max open files' "/proc/$exp_pid/limits" | tr -s ' ')"
  grep -o 'msg="sharing file descriptors".*' "$exp_log" || true
}

# drive SECONDS ARGS...: scripts/soakprobe against the running exporter, killed if it outlives
# SECONDS by two minutes; run in the background so that an interrupt reaches the trap at once.
drive() {
  local seconds=$1 pid status=0; shift
  timeout --kill-after=10 $((seconds + 120)) "$tmp/soakprobe" --exporter "http://127.0.0.1:$exp_port" --pid "$exp_pid" "$@" &
  pid=$!
  pids+=("$pid")
  wait "$pid" || status=$?
  stop "$pid"
  return "$status"
}

# show_log: the exporter's log after a part that failed, its messages counted.
show_log() {
  echo "exporter log, messages by count (warn and error):"
  grep -E 'level=(warn|error)' "$exp_log" | sed -E 's/ts=[^ ]+ //; s/duration_seconds=[^ ]+ //; s/target=[^ ]+ //' |
    sort | uniq -c | sort -rn | head -n 10 || true
}

echo "soak of $(git describe --always --dirty 2>/dev/null || echo unknown) on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)${PRLIMIT:+, exporter under prlimit --nofile=$PRLIMIT:$PRLIMIT}"
rc=0

if [ "$TARGETS" -gt 0 ]; then
  primaries=$(((TARGETS + ${#MODULES[@]} - 1) / ${#MODULES[@]}))
  start_fleet churn --count "$primaries" --jobs "$JOBS" --jobs-per-minute "$JOBS_PER_MINUTE"
  mkdir "$tmp/churn"
  cat >"$tmp/churn/modules.yml" <<EOF
modules:
  jobs:     {timeout: 10s, api_key: $KEY, allowed_targets: ["127.0.0.1"], insecure_http: true, collectors: [jobs]}
  storage:  {timeout: 10s, api_key: $KEY, allowed_targets: ["127.0.0.1"], insecure_http: true, collectors: [storage]}
  devices:  {timeout: 10s, api_key: $KEY, allowed_targets: ["127.0.0.1"], insecure_http: true, collectors: [disk_pools, tape, media_servers]}
  default:  {timeout: 10s, api_key: $KEY, allowed_targets: ["127.0.0.1"], insecure_http: true, collectors: [jobs, storage]}
EOF
  start_exporter churn "$tmp/churn/modules.yml"
  drive "$DURATION" --mode churn --targets-file "$tmp/churn.urls" --modules "$(IFS=,; echo "${MODULES[*]}")" \
    --targets "$TARGETS" --rate "$RATE" --concurrency "$CONCURRENCY" --duration "${DURATION}s" --warmup "${WARMUP}s" \
    --rss-growth "$RSS_GROWTH" || { rc=1; show_log; }
  stop "$exp_pid"
  stop "$fleet_pid"
fi

if [ "$RELOAD" = 1 ]; then
  echo
  start_fleet reload --count 1 --jobs 200 --jobs-per-minute 60
  mkdir "$tmp/reload"
  printf '%s\n' "$KEY" >"$tmp/reload/api.key"
  common='allowed_targets: ["127.0.0.1"], insecure_http: true'
  all='collectors: [jobs, storage, disk_pools, tape, media_servers]'
  cat >"$tmp/variant-a.yml" <<EOF
# marker: spare_a
modules:
  default: {timeout: 10s, api_key: $KEY, $common, $all}
  spare_a: {timeout: 5s, api_key: $KEY, $common, collectors: [storage]}
EOF
  cat >"$tmp/variant-b.yml" <<EOF
# marker: spare_b
modules:
  default: {timeout: 10s, api_key_file: $tmp/reload/api.key, $common, $all}
  spare_b: {timeout: 7s, api_key_file: $tmp/reload/api.key, $common, collectors: [jobs]}
EOF
  cp "$tmp/variant-a.yml" "$tmp/reload/modules.yml"
  start_exporter reload "$tmp/reload/modules.yml"
  drive "$RELOAD_DURATION" --mode reload --target "$(head -n 1 "$tmp/reload.urls")" --module default \
    --config "$tmp/reload/modules.yml" --variants "$tmp/variant-a.yml,$tmp/variant-b.yml" \
    --reload-every "${RELOAD_EVERY}s" --duration "${RELOAD_DURATION}s" || { rc=1; show_log; }
  stop "$exp_pid"
  stop "$fleet_pid"
fi
exit "$rc"
