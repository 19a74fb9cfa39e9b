#!/usr/bin/env bash
# A second Docker engine on this machine, as a second Swarm node, for trying the lab on two
# nodes without a second host (docs/scale.md). Not a container: a dockerd in a network
# namespace of its own, with its own data root, exec root and socket, reached over a veth
# pair (10.250.1.1 here, 10.250.1.2 there). Nothing runs privileged. Needs root.
#   scripts/second-node.sh up     make it, join it to this engine's swarm as a worker
#   scripts/second-node.sh down   leave, stop it, remove its namespace and data
# The swarm must be advertised on 10.250.1.1 for the node to reach it: with no swarm, `up`
# makes one so; a swarm advertised elsewhere (127.0.0.1, as CI's) is refused.
set -euo pipefail
NS=nonstop-node2
ROOT=/var/lib/nonstop-node2
RUN=/run/nonstop-node2
HOST_IP=10.250.1.1
NODE_IP=10.250.1.2
D2=(docker -H "unix://$RUN/docker.sock")

up() {
  if ! ip netns list | grep -qw "$NS"; then
    ip netns add "$NS"
    ip link add nsw-h type veth peer name nsw-n
    ip link set nsw-n netns "$NS"
    ip addr add "$HOST_IP/24" dev nsw-h
    ip link set nsw-h up
    ip netns exec "$NS" sh -c "ip addr add $NODE_IP/24 dev nsw-n && ip link set nsw-n up && ip link set lo up && ip route add default via $HOST_IP"
  fi
  mkdir -p "$ROOT" "$RUN"
  if ! "${D2[@]}" info >/dev/null 2>&1; then
    # nsenter, not `ip netns exec`: that remounts /sys, which hides the cgroup mounts
    # dockerd needs. Its own UTS namespace gives the node its own hostname.
    nsenter --net="/run/netns/$NS" unshare --uts sh -c "hostname node2 && exec dockerd --data-root $ROOT --exec-root $RUN --pidfile $RUN/dockerd.pid -H unix://$RUN/docker.sock -H tcp://$NODE_IP:2375 --tls=false --bridge none" >"$RUN.log" 2>&1 &
    for _ in $(seq 60); do "${D2[@]}" info >/dev/null 2>&1 && break; sleep 0.5; done
  fi
  local state addr
  state=$(docker info -f '{{.Swarm.LocalNodeState}}')
  if [ "$state" != active ]; then docker swarm init --advertise-addr "$HOST_IP" >/dev/null; fi
  addr=$(docker info -f '{{.Swarm.NodeAddr}}')
  if [ "$addr" != "$HOST_IP" ]; then
    echo "second-node: this swarm is advertised on $addr, which the second node cannot reach; 'docker swarm leave --force' first" >&2
    exit 2
  fi
  if [ "$("${D2[@]}" info -f '{{.Swarm.LocalNodeState}}')" != active ]; then
    "${D2[@]}" swarm join --token "$(docker swarm join-token -q worker)" "$HOST_IP:2377" >/dev/null
  fi
  docker node ls
  echo "pass: --swarm --node node2=tcp://$NODE_IP:2375 --mirror-dir /tmp/nonstop-mirrors"
}

down() {
  "${D2[@]}" swarm leave --force >/dev/null 2>&1 || true
  docker node ls -q --filter role=worker 2>/dev/null | while read -r n; do
    [ "$(docker node inspect -f '{{.Description.Hostname}}' "$n")" = node2 ] && docker node rm --force "$n" >/dev/null
  done
  [ -f "$RUN/dockerd.pid" ] && kill "$(cat "$RUN/dockerd.pid")" 2>/dev/null || true
  for _ in $(seq 40); do [ -S "$RUN/docker.sock" ] && "${D2[@]}" info >/dev/null 2>&1 || break; sleep 0.5; done
  ip link del nsw-h 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$ROOT" "$RUN" "$RUN.log"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: scripts/second-node.sh up|down" >&2; exit 2 ;;
esac
