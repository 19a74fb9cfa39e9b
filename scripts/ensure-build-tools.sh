#!/usr/bin/env bash
# Installs what the registry-free image build needs when it is missing: mmdebstrap (the
# Debian rootfs), Go and patch (Toxiproxy from source, with images/router/accept-dial.patch). Debian/Ubuntu as root only; elsewhere it
# says what to install. `nonstop images` names the same packages when a tool is missing.
set -euo pipefail
say() { printf 'ensure-build-tools: %s\n' "$*" >&2; }
missing=()
command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
command -v go >/dev/null 2>&1 || missing+=(golang-go)
command -v patch >/dev/null 2>&1 || missing+=(patch)
[ ${#missing[@]} -eq 0 ] && { say "mmdebstrap, go and patch present"; exit 0; }
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  say "missing: ${missing[*]}; install them (Debian packages: ${missing[*]})"
  exit 4
fi
say "installing ${missing[*]} (log: /var/log/nonstop-apt.log)"
export DEBIAN_FRONTEND=noninteractive
{ apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; } >>/var/log/nonstop-apt.log 2>&1 \
  || { say "apt-get install ${missing[*]} failed; see /var/log/nonstop-apt.log"; exit 4; }
