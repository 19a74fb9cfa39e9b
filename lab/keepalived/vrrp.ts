// keepalived as a second way to float the web service's address: VRRP between two CPUs,
// as people run it in production. Each keepalived runs as a sidecar in its CPU's network
// namespace (so killing the CPU silences it), with only NET_ADMIN and NET_RAW. Used by
// bench/keepalived.ts to measure the process pair against it, on the same lab and load.
import { dockerName, type Plumbing } from "../docker/plumbing.js";

export interface VrrpSpec {
  lab: string;
  cpu: string;
  image: string;
  /** The CPU's edge interface. */
  iface: string;
  /** The floating address and its prefix length. */
  vip: string;
  bits: number;
  priority: number;
  /** Seconds between adverts: keepalived's default is 1; VRRPv3 allows hundredths. */
  advertInt: number;
}

/**
 * The keepalived.conf for one side. Both sides start as BACKUP with `nopreempt`, so a CPU
 * that comes back does not take the address back (one move per failure, as with the pair).
 * Adverts go to VRRP's link-local multicast group, which a Docker bridge floods to every
 * port. Not unicast: a CPU that is restarted may come back with another edge address,
 * and its peer's unicast_peer would then point at nobody.
 */
export function keepalivedConf(s: VrrpSpec): string {
  // Sub-second adverts exist only in VRRPv3 (in hundredths of a second).
  return `global_defs {
  router_id ${s.cpu}${s.advertInt < 1 ? "\n  vrrp_version 3" : ""}
  vrrp_garp_master_delay 1
  vrrp_garp_master_repeat 3
}
vrrp_instance web {
  state BACKUP
  nopreempt
  interface ${s.iface}
  virtual_router_id 51
  priority ${s.priority}
  advert_int ${s.advertInt}
  virtual_ipaddress {
    ${s.vip}/${s.bits} dev ${s.iface}
  }
}
`;
}

export const sidecarName = (cpu: string) => `keepalived-${cpu}`;

/** Starts (or restarts) the keepalived sidecar of `spec.cpu`. */
export async function startKeepalived(plumbing: Plumbing, spec: VrrpSpec): Promise<string> {
  const name = sidecarName(spec.cpu);
  const old = await plumbing.container.tryInspect(dockerName(spec.lab, name));
  if (old) await plumbing.container.remove(old.id);
  const conf = keepalivedConf(spec);
  const c = await plumbing.container.run({
    lab: spec.lab,
    role: "service",
    name,
    image: spec.image,
    entrypoint: ["sh", "-c", 'mkdir -p /etc/keepalived && printf "%s" "$KEEPALIVED_CONF" > /etc/keepalived/keepalived.conf && exec keepalived --dont-fork --log-console --vrrp --use-file=/etc/keepalived/keepalived.conf'],
    env: { KEEPALIVED_CONF: conf },
    networkMode: `container:${dockerName(spec.lab, spec.cpu)}`,
    capDrop: ["ALL"],
    capAdd: ["NET_ADMIN", "NET_RAW"],
    labels: { "nonstop.cpu": spec.cpu },
  });
  return c.id;
}
