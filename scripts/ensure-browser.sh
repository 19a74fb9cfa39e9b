#!/usr/bin/env bash
# Installs Debian's chromium when it is missing: the console's end-to-end test drives it
# with playwright-core (no browser download). Debian/Ubuntu as root only; elsewhere it
# says what to install.
set -euo pipefail
say() { printf 'ensure-browser: %s\n' "$*" >&2; }
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then say "chromium present"; exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  say "missing: chromium; install it (Debian package: chromium) for the console's browser test"
  exit 4
fi
say "installing chromium (log: /var/log/nonstop-apt.log)"
export DEBIAN_FRONTEND=noninteractive
{ apt-get update && apt-get install -y --no-install-recommends chromium; } >>/var/log/nonstop-apt.log 2>&1 \
  || { say "apt-get install chromium failed; see /var/log/nonstop-apt.log"; exit 4; }
say "chromium installed"
