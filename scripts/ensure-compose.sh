#!/usr/bin/env bash
# Makes `docker compose` (Compose v2) available. Does nothing when it answers. Otherwise it
# builds the Compose CLI plugin from Go source through the Go module proxy (no registry or
# download site needed), caches the binary, and installs it as a Docker CLI plugin.
set -euo pipefail
version=${NONSTOP_COMPOSE_VERSION:-v2.40.3}
cache=${NONSTOP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nonstop-lab}/compose/$version
say() { printf 'ensure-compose: %s\n' "$*" >&2; }

if docker compose version >/dev/null 2>&1; then
  say "$(docker compose version)"
  exit 0
fi
if [ "$(id -u)" = 0 ]; then plugins=/usr/local/lib/docker/cli-plugins; else plugins=$HOME/.docker/cli-plugins; fi

if [ ! -x "$cache/docker-compose" ]; then
  command -v go >/dev/null 2>&1 || { say "go is missing (needed to build Compose v2): apt-get install golang-go"; exit 4; }
  say "building Compose $version from Go source (a few minutes, once; log: $cache/build.log)"
  mkdir -p "$cache"
  # `go install pkg@version` refuses modules whose go.mod has exclude directives, as
  # Compose's does; building inside the downloaded module honours them.
  dir=$(go mod download -json "github.com/docker/compose/v2@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] || { say "go mod download github.com/docker/compose/v2@$version failed"; exit 4; }
  work=$(mktemp -d)
  trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
  cp -r "$dir/." "$work/"
  chmod -R u+w "$work"
  ( cd "$work" && CGO_ENABLED=0 go build -trimpath \
      -ldflags="-s -w -X github.com/docker/compose/v2/internal.Version=$version" \
      -o "$cache/docker-compose" ./cmd ) >"$cache/build.log" 2>&1 \
    || { say "building Compose failed; see $cache/build.log"; exit 4; }
fi
mkdir -p "$plugins"
install -m 0755 "$cache/docker-compose" "$plugins/docker-compose"
say "$(docker compose version)"
