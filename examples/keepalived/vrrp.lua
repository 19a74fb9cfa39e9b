-- This balancer's VRRP state, as keepalived's notify script last wrote it (MASTER,
-- BACKUP or FAULT), served by HAProxy itself on :8404/vrrp: what the lab's probe reads
-- ten times a second, at the cost of one HTTP request rather than a process.
core.register_service("vrrp", "http", function(applet)
  local f = io.open("/tmp/vrrp-state", "r")
  local state = f and f:read("*l") or "INIT"
  if f then f:close() end
  applet:set_status(200)
  applet:add_header("content-type", "text/plain")
  applet:add_header("content-length", tostring(#state + 1))
  applet:start_response()
  applet:send(state .. "\n")
end)
