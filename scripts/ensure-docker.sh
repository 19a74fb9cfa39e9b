#!/usr/bin/env bash
# Makes sure a Docker engine answers. Does nothing when one already does; otherwise, on
# Debian/Ubuntu as root, installs docker.io from the distribution, starts dockerd in the
# background (log in $NONSTOP_DOCKERD_LOG) and waits for its socket.
set -euo pipefail

log=${NONSTOP_DOCKERD_LOG:-/var/log/nonstop-dockerd.log}
sock=/var/run/docker.sock
wait_s=${NONSTOP_DOCKERD_WAIT:-60}

say() { printf 'ensure-docker: %s\n' "$*" >&2; }
die() { say "$*"; exit 3; }

answers() { command -v docker >/dev/null 2>&1 && docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if answers; then
  say "engine answers (server $(docker version --format '{{.Server.Version}}'))"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  die "no Docker engine answers and this is not root: start one yourself (e.g. 'sudo systemctl start docker' or 'sudo dockerd &'), or run this script as root"
fi
if [ ! -r /etc/debian_version ] || ! command -v apt-get >/dev/null 2>&1; then
  die "no Docker engine answers and this is not Debian/Ubuntu: install Docker Engine >= 20.10 (https://docs.docker.com/engine/install/) and start it"
fi

if ! command -v dockerd >/dev/null 2>&1; then
  say "installing docker.io from the distribution (log: /var/log/nonstop-apt.log)"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update && apt-get install -y --no-install-recommends docker.io iptables ca-certificates; } \
    >/var/log/nonstop-apt.log 2>&1 || die "apt-get install docker.io failed; see /var/log/nonstop-apt.log"
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
  say "starting dockerd in the background (log: $log)"
  # setsid detaches dockerd from this shell, so it outlives the CI step that started it.
  setsid nohup dockerd >"$log" 2>&1 </dev/null &
fi

for _ in $(seq 1 "$((wait_s * 4))"); do
  if [ -S "$sock" ] && answers; then
    say "engine answers (server $(docker version --format '{{.Server.Version}}'))"
    exit 0
  fi
  sleep 0.25
done
die "dockerd did not answer on $sock within ${wait_s}s; see $log"
