#!/bin/sh
# One process per container, configured as a user would from the environment:
#   redis-ha server [PRIMARY]     a Redis server; a replica of PRIMARY when one is given
#   redis-ha sentinel PRIMARY     a Sentinel monitoring PRIMARY as "mymaster"
# Every setting that decides failover and loss is printed before start, so a run's logs
# say exactly what ran.
set -eu
role=${1:-}
primary=${2:-}
case "$role" in
server)
  # No persistence (the Jepsen setup: replication is the only copy), and a working folder
  # the redis user may write: a replica's full sync goes through a temporary file there.
  set -- --port 6379 --protected-mode no --save "" --appendonly no --dir /tmp \
    --min-replicas-to-write "${MIN_REPLICAS_TO_WRITE:-0}" --min-replicas-max-lag "${MIN_REPLICAS_MAX_LAG:-10}"
  if [ -n "$primary" ]; then set -- "$@" --replicaof "$primary" 6379; fi
  echo "redis-ha: redis-server $*"
  exec redis-server "$@"
  ;;
sentinel)
  [ -n "$primary" ] || { echo "redis-ha: sentinel needs the primary's host" >&2; exit 2; }
  # Sentinel rewrites its file as the configuration changes: it lives in /tmp, made anew at start.
  cat > /tmp/sentinel.conf <<CONF
port 26379
protected-mode no
sentinel resolve-hostnames yes
sentinel monitor mymaster $primary 6379 ${QUORUM:-2}
sentinel down-after-milliseconds mymaster ${DOWN_AFTER_MS:-30000}
sentinel failover-timeout mymaster ${FAILOVER_TIMEOUT_MS:-180000}
sentinel parallel-syncs mymaster 1
CONF
  echo "redis-ha: sentinel.conf:"; cat /tmp/sentinel.conf
  exec redis-sentinel /tmp/sentinel.conf
  ;;
*)
  echo "redis-ha: usage: redis-ha server [PRIMARY] | redis-ha sentinel PRIMARY (got '$role')" >&2
  exit 2
  ;;
esac
