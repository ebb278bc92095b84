#!/usr/bin/env bash
# The end-to-end test scrapes through a real Prometheus server that sends its alerts to a real
# Alertmanager, and `make rules-test` needs promtool. Install Debian's packages when one is
# missing (as root), so that `make test` works on a fresh machine.
set -euo pipefail
have() { command -v "$1" >/dev/null 2>&1; }
if have prometheus && have promtool && { have prometheus-alertmanager || have alertmanager; }; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "prometheus, promtool and alertmanager are needed for the tests: apt-get install prometheus prometheus-alertmanager (as root)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# The packages' init scripts may try to start their services; the tests run their own.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d.netbackup_exporter
if [ ! -e /usr/sbin/policy-rc.d ]; then
  cp /usr/sbin/policy-rc.d.netbackup_exporter /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
rm -f /usr/sbin/policy-rc.d.netbackup_exporter
apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager >/dev/null
have prometheus && have promtool && { have prometheus-alertmanager || have alertmanager; }
