#!/bin/sh
# One role per container, configured from the environment as a user would:
#   lb-ha lb NAME PRIORITY   keepalived (VRRP for the virtual address) and HAProxy in front of the web servers
#   lb-ha web NAME           a web server answering GET / with its name (HAProxy's http-request return)
#   lb-ha entry              the door the host reaches: TCP to the virtual address
# The settings that decide failover are printed before start.
set -eu
role=${1:-}
VIP=${VIP:-10.250.77.100}
case "$role" in
lb)
  name=$2 priority=$3
  echo INIT > /tmp/vrrp-state
  # A restarted container keeps its files: keepalived would refuse to start over its old pid files.
  rm -f /run/keepalived.pid /run/vrrp.pid /run/checkers.pid /var/run/keepalived*.pid
  # keepalived calls this on every state change; HAProxy serves what it writes (vrrp.lua).
  cat > /tmp/notify.sh <<'SH'
#!/bin/sh
echo "$3" > /tmp/vrrp-state
SH
  chmod +x /tmp/notify.sh
  cat > /tmp/keepalived.conf <<CONF
global_defs {
  router_id $name
  vrrp_version ${VRRP_VERSION:-2}
  script_user root
}
vrrp_instance web {
  state ${STATE:-BACKUP}
  interface eth0
  virtual_router_id 51
  priority $priority
  advert_int ${ADVERT_INT:-1}
  virtual_ipaddress {
    $VIP/24 dev eth0
  }
  notify /tmp/notify.sh
}
CONF
  cat > /tmp/haproxy.cfg <<CONF
global
  lua-load /usr/local/share/lb-ha/vrrp.lua
defaults
  mode http
  timeout connect 1s
  timeout client 10s
  timeout server 10s
frontend web
  bind :80
  default_backend apps
frontend status
  bind :8404
  http-request use-service lua.vrrp if { path /vrrp }
  http-request return status 404
backend apps
  balance roundrobin
  server web1 web1:80 check inter 1s
  server web2 web2:80 check inter 1s
CONF
  echo "lb-ha: keepalived.conf:"; cat /tmp/keepalived.conf
  haproxy -W -db -f /tmp/haproxy.cfg &
  exec keepalived --dont-fork --log-console --vrrp --use-file=/tmp/keepalived.conf
  ;;
web)
  name=$2
  cat > /tmp/haproxy.cfg <<CONF
defaults
  mode http
  timeout client 10s
frontend web
  bind :80
  http-request return status 200 content-type text/plain string "$name"
CONF
  exec haproxy -W -db -f /tmp/haproxy.cfg
  ;;
entry)
  cat > /tmp/haproxy.cfg <<CONF
defaults
  mode tcp
  timeout connect 5s
  timeout client 10s
  timeout server 10s
listen entry
  bind :8080
  server vip $VIP:80
CONF
  exec haproxy -W -db -f /tmp/haproxy.cfg
  ;;
*)
  echo "lb-ha: usage: lb-ha lb NAME PRIORITY | lb-ha web NAME | lb-ha entry (got '$role')" >&2
  exit 2
  ;;
esac
