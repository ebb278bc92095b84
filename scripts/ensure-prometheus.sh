#!/usr/bin/env bash
# The end-to-end test scrapes through a real Prometheus server. Install Debian's package when it is
# missing (as root), so that `make test` works on a fresh machine.
set -euo pipefail
if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "prometheus and promtool are needed for the end-to-end test: apt-get install prometheus (as root)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# The package's init scripts may try to start a Prometheus service; the test runs its own.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d.netbackup_exporter
if [ ! -e /usr/sbin/policy-rc.d ]; then
  cp /usr/sbin/policy-rc.d.netbackup_exporter /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
rm -f /usr/sbin/policy-rc.d.netbackup_exporter
apt-get install -y -qq --no-install-recommends prometheus >/dev/null
command -v prometheus >/dev/null && command -v promtool >/dev/null
