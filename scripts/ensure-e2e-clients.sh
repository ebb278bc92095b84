#!/usr/bin/env bash
# The end-to-end test reads the exporter's answers with the clients people use: curl, wget, and
# Python's prometheus_client parsers (Debian's python3-prometheus-client, run with /usr/bin/python3:
# a python3 earlier in PATH, such as pyenv's, may lack it). Install Debian's packages when one is
# missing (as root), so that `make e2e` works on a fresh machine.
set -euo pipefail
have() { command -v "$1" >/dev/null 2>&1; }
ready() { have curl && have wget && /usr/bin/python3 -c 'import prometheus_client' >/dev/null 2>&1; }
if ready; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "curl, wget and Python's prometheus_client are needed for the e2e test: apt-get install curl wget python3-prometheus-client (as root)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends curl wget python3 python3-prometheus-client >/dev/null
ready
