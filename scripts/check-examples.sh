#!/usr/bin/env bash
# Checks examples/prometheus.yml with promtool, as installed: its /etc/prometheus paths point at a
# copy of the rule file and of examples/netbackup_targets.yml.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/rules"
cp alerts/netbackup.rules.yml "$tmp/rules/"
cp examples/netbackup_targets.yml "$tmp/"
sed "s#/etc/prometheus/#$tmp/#g" examples/prometheus.yml > "$tmp/prometheus.yml"
promtool check config "$tmp/prometheus.yml"
