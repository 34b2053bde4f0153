#!/usr/bin/env bash
# Install what the app (and, with --dev, the tests) need on a fresh machine. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1

# Debian packages: HAProxy balances scripts/serve.sh's replicas; redis-server holds a class store shared by
# machines; with --dev, browser tests drive Debian's Chromium (Playwright never downloads a browser of its own).
apt_packages=()
{ command -v haproxy || [ -x /usr/sbin/haproxy ]; } >/dev/null 2>&1 || apt_packages+=(haproxy)
# redis-server: the class store for replicas on several machines (--store redis://...); the tests start their own.
{ command -v redis-server || [ -x /usr/bin/redis-server ]; } >/dev/null 2>&1 || apt_packages+=(redis-server)
[ "$dev" = 1 ] && [ ! -x /usr/bin/chromium ] && apt_packages+=(chromium fonts-dejavu-core fonts-noto-color-emoji)
if [ "${#apt_packages[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
if [ "$dev" = 1 ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
else
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt -c constraints.txt
fi
