#!/usr/bin/env bash
# Runs the exporter against the built-in fake NetBackup primary (TLS with its own CA) and prints a
# real /probe answer. DEMO_KEEP=1 leaves both running until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

FAKE_ADDR=${FAKE_ADDR:-127.0.0.1:18556}
EXPORTER_ADDR=${EXPORTER_ADDR:-127.0.0.1:10556}
dir=.build/demo
mkdir -p "$dir"

make --no-print-directory build >/dev/null

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

printf 'demo-key\n' > "$dir/api.key"
rm -f "$dir/ca.pem"
./fakenbu --listen "$FAKE_ADDR" --api-key demo-key --jobs 500 --window 1h --tls --tls-ca-out "$dir/ca.pem" \
  >"$dir/fakenbu.log" 2>&1 &
pids+=($!)

cat > "$dir/modules.yml" <<YAML
modules:
  default:
    timeout: 20s
    api_key_file: api.key
    tls_config:
      ca_file: ca.pem
    allowed_targets: ["127.0.0.1", "localhost"]
YAML

for _ in $(seq 1 100); do [ -s "$dir/ca.pem" ] && break; sleep 0.1; done
[ -s "$dir/ca.pem" ] || { echo "fake NetBackup did not start:"; cat "$dir/fakenbu.log"; exit 1; }

./netbackup_exporter --config.file "$dir/modules.yml" --web.listen-address "$EXPORTER_ADDR" \
  >"$dir/exporter.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -fs "http://$EXPORTER_ADDR/-/healthy" >/dev/null 2>&1 && break; sleep 0.1; done

url="http://$EXPORTER_ADDR/probe?module=default&target=https://$FAKE_ADDR/netbackup"
echo "# curl '$url'"
answer=$(curl -fsS "$url")
printf '%s\n' "$answer"

# What the fake's demo devices are there to show: a DOWN disk pool, one at its high water mark,
# a DOWN drive, one needing cleaning, frozen media, an empty scratch pool, a media server down.
echo
echo "# device series an operator is paged for (from the answer above):"
printf '%s\n' "$answer" | grep -E '^(nbu_disk_pool_up|nbu_tape_drive_up|nbu_media_server_up)\{.*\} 0$|^nbu_tape_drive_cleaning_needed\{.*\} 1$|^nbu_tape_media_status_count\{.*status="FROZEN"|^nbu_tape_scratch_media_count|^nbu_disk_pool_(available|capacity)_bytes\{name="dp-msdp-worm"' || true

if [ "${DEMO_KEEP:-0}" = 1 ]; then
  echo "# exporter: http://$EXPORTER_ADDR/  fake NetBackup: https://$FAKE_ADDR/netbackup  (Ctrl-C stops both)"
  wait
fi
