#!/bin/sh
# One process per container, configured from the environment as a user would:
#   patroni-ha etcd NAME       an etcd member of the three-member cluster etcd1..etcd3
#   patroni-ha patroni NAME    a PostgreSQL 15 node run by Patroni, its DCS that etcd
# The settings that decide failover and loss are printed before start.
set -eu
role=${1:-}
name=${2:-}
[ -n "$name" ] || { echo "patroni-ha: usage: patroni-ha etcd NAME | patroni-ha patroni NAME" >&2; exit 2; }
case "$role" in
etcd)
  set -- --name "$name" --data-dir "/tmp/etcd-$name" \
    --listen-client-urls http://0.0.0.0:2379 --advertise-client-urls "http://$name:2379" \
    --listen-peer-urls http://0.0.0.0:2380 --initial-advertise-peer-urls "http://$name:2380" \
    --initial-cluster etcd1=http://etcd1:2380,etcd2=http://etcd2:2380,etcd3=http://etcd3:2380 \
    --initial-cluster-state new --initial-cluster-token patroni \
    --heartbeat-interval "${ETCD_HEARTBEAT_MS:-100}" --election-timeout "${ETCD_ELECTION_MS:-1000}"
  echo "patroni-ha: etcd $*"
  exec etcd "$@"
  ;;
patroni)
  mkdir -p /var/lib/postgresql/patroni
  cat > /tmp/patroni.yml <<CONF
scope: nonstop
name: $name
restapi:
  listen: 0.0.0.0:8008
  connect_address: $name:8008
etcd3:
  hosts: etcd1:2379,etcd2:2379,etcd3:2379
bootstrap:
  dcs:
    ttl: ${TTL:-30}
    loop_wait: ${LOOP_WAIT:-10}
    retry_timeout: ${RETRY_TIMEOUT:-10}
    maximum_lag_on_failover: ${MAXIMUM_LAG_ON_FAILOVER:-1048576}
    synchronous_mode: ${SYNCHRONOUS_MODE:-false}
    postgresql:
      use_pg_rewind: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_wal_senders: 10
        max_replication_slots: 10
  initdb:
    - encoding: UTF8
    - data-checksums
  pg_hba:
    - local all all trust
    - host replication replicator 0.0.0.0/0 md5
    - host all all 0.0.0.0/0 md5
postgresql:
  listen: 0.0.0.0:5432
  connect_address: $name:5432
  data_dir: /var/lib/postgresql/patroni/data
  bin_dir: /usr/lib/postgresql/15/bin
  pgpass: /tmp/pgpass
  authentication:
    superuser: { username: postgres, password: postgres }
    replication: { username: replicator, password: replicator }
  parameters:
    unix_socket_directories: /tmp
CONF
  echo "patroni-ha: patroni.yml:"; cat /tmp/patroni.yml
  exec patroni /tmp/patroni.yml
  ;;
*)
  echo "patroni-ha: usage: patroni-ha etcd NAME | patroni-ha patroni NAME (got '$role')" >&2
  exit 2
  ;;
esac
