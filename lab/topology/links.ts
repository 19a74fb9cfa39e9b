// How CPU-to-CPU traffic crosses a plane: one Toxiproxy proxy per ordered CPU pair on each
// plane's router. Per pair (not per destination) so a fault can cut cpu-a -> cpu-b while
// cpu-c -> cpu-b still works, which grudges and one-way link faults need. With N CPUs a
// router holds N(N-1) proxies: 12 for the default 4, nothing for Toxiproxy.
import type { PlaneName, Topology } from "./types.js";

export const LINK_PORT_BASE = 20000;
export const EDGE_PORT_BASE = 30000;
export const MAX_CPUS = 16;

export function cpuName(index: number): string {
  return `cpu-${index}`;
}

/** The router port that carries traffic from CPU `from` to CPU `to`. */
export function linkPort(from: number, to: number): number {
  return LINK_PORT_BASE + from * 100 + to;
}

export function linkName(from: string, to: string): string {
  return `${from}_to_${to}`;
}

/**
 * A CPU's DNS name on one network (cpu-0-x, cpu-0-y, cpu-0-edge). Unique per network, so
 * a router on two networks can't pick the wrong one; a bare "cpu-0" would not do, since
 * Compose makes a service's name an alias on every network it joins.
 */
export function planeAlias(cpu: string, plane: PlaneName | "edge"): string {
  return `${cpu}-${plane}`;
}

export interface Link {
  plane: PlaneName;
  from: string;
  to: string;
  /** The proxy's name on the plane's router. */
  proxy: string;
  /** Where the sender connects: router alias and port. */
  via: { host: string; port: number };
  /** Where the router forwards: the receiver's plane alias and ServerNet port. */
  upstream: { host: string; port: number };
}

export function links(t: Topology): Link[] {
  const out: Link[] = [];
  for (const plane of t.planes) {
    for (const a of t.cpus) {
      for (const b of t.cpus) {
        if (a.index === b.index) continue;
        out.push({
          plane: plane.name,
          from: a.name,
          to: b.name,
          proxy: linkName(a.name, b.name),
          via: { host: plane.routerAddress, port: linkPort(a.index, b.index) },
          upstream: { host: planeAlias(b.name, plane.name), port: t.servernetPort },
        });
      }
    }
  }
  return out;
}

export function linksFrom(t: Topology, cpu: string): Link[] {
  return links(t).filter((l) => l.from === cpu);
}

/** What each CPU holds: primary of, backup of. */
export function rolesOf(t: Topology, cpu: string): { primary: string[]; backup: string[] } {
  return {
    primary: t.services.filter((s) => s.primary === cpu).map((s) => s.name),
    backup: t.services.filter((s) => s.backup === cpu).map((s) => s.name),
  };
}
