// The port gate: how the host reaches a lab on Swarm through 127.0.0.1 alone. Swarm
// publishes a service's port on every interface of every node (its ingress) and cannot
// bind one to loopback, so nothing in the stack is published. Instead one Toxiproxy, a
// plain container on the manager, joins the lab's edge overlay (it is `attachable` for
// this) and publishes on 127.0.0.1 one port for each port a part would have published on
// one host: every router's API, every CPU's agent, the edge router's services. The gate
// is the host's door only; the lab's own traffic never passes through it.
import type { ContainerSpec } from "../docker/plumbing.js";
import { dockerName } from "../docker/plumbing.js";
import { planMachine } from "../machine/plan.js";
import type { ProxySpec } from "../router/router.js";
import { ROUTER_API_PORT } from "../router/router.js";
import { planeAlias } from "../topology/links.js";
import type { Topology } from "../topology/types.js";

export const GATE = "gate";
/** The gate's own ports, one per part's port, from here up. */
const FIRST_PORT = 40_000;

export interface GateEntry {
  part: string;
  /** The port inside the part, as on one host (8080 for an agent, 8474 for a router's API). */
  port: number;
  /** The gate's port for it, published on 127.0.0.1. */
  listen: number;
}

/** Every part's published ports, in the plan's order, so any process computes the same list from the topology. */
export function gateEntries(t: Topology): GateEntry[] {
  const plan = planMachine(t, { cpu: "", router: "" });
  const specs = [...plan.routers.map((r) => r.spec), ...plan.cpus];
  return specs.flatMap((s) => (s.publish ?? []).map((port) => ({ part: s.name, port }))).map((e, k) => ({ ...e, listen: FIRST_PORT + k }));
}

/** A part's name on the edge overlay: a CPU's edge alias, a router's service name. */
function edgeHost(t: Topology, part: string): string {
  return t.cpus.some((c) => c.name === part) ? planeAlias(part, "edge") : part;
}

export function gateProxies(t: Topology): ProxySpec[] {
  return gateEntries(t).map((e) => ({ name: `${e.part}_${e.port}`, listen: `0.0.0.0:${e.listen}`, upstream: `${edgeHost(t, e.part)}:${e.port}` }));
}

/** `edgeNetwork`: the edge overlay's id (by id, not name: a removed overlay of the same name may linger). */
export function gateSpec(t: Topology, routerImage: string, edgeNetwork = dockerName(t.lab, t.edge.network)): ContainerSpec {
  return {
    lab: t.lab,
    role: "gate",
    name: GATE,
    image: routerImage,
    cmd: ["-host=0.0.0.0"],
    networks: [{ network: edgeNetwork }],
    publish: [ROUTER_API_PORT, ...gateEntries(t).map((e) => e.listen)],
  };
}
