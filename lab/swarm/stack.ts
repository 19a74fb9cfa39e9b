// The machine as a Swarm stack file, from the same plan that `nonstop up` creates and that
// docker-compose.yml is written from (../machine/plan.ts), so the three cannot drift.
// What differs from the Compose file, and why:
// - planes and edge are `overlay` networks, `attachable` so that the port gate (./gate.ts),
//   a plain container on the manager, can join the edge;
// - every service is `endpoint_mode: dnsrr`: a name resolves to the task's own address, as
//   a container's alias does on one host. With Swarm's default virtual IP a CPU resolving its
//   own alias would get the VIP, and the runtime finds its own address that way;
// - nothing is published: Swarm cannot bind a port to 127.0.0.1 (ingress binds every
//   interface), so the host reaches the parts through the gate instead;
// - routers load their proxies from Swarm configs, which reach any node, not a bind mount;
// - `restart_policy: none`: a killed CPU stays down until the lab brings it back, as on one
//   host; the heal asks the service for a new task;
// - no CPU quota in the file: Swarm's `cpus` is a 100 ms CFS period, which cost the runtime
//   heartbeats (../docker/model.ts, cfsQuota); the lab sets a 10 ms period on each task's
//   container once it runs.
import { stringify } from "yaml";
import { composeHealthcheck } from "../compose/generate.js";
import { dockerName, type ContainerSpec } from "../docker/plumbing.js";
import { labLabels } from "../docker/labels.js";
import { planMachine, type RouterPart } from "../machine/plan.js";
import { LABEL_ENGINE, LABEL_NODES, LABEL_TOPOLOGY } from "../machine/parts.js";
import { serviceVip } from "../machine/vip.js";
import type { Topology } from "../topology/types.js";
import type { ImageSet } from "../images/build.js";

/** The node label the CPUs are placed by: CPU i runs on a node whose slot is i mod the number of slots. */
export const SLOT_LABEL = "nonstop.slot";

export function stackName(lab: string): string {
  return dockerName(lab, "stack");
}

/** The Swarm service of a lab part, e.g. nonstop-default-stack_cpu-0. */
export function serviceName(lab: string, part: string): string {
  return `${stackName(lab)}_${part}`;
}

/**
 * How a service follows its primary: `repoint`, the new primary re-points the edge router
 * at itself (the default, and the one that crosses nodes); `address`, a service address
 * moved with gratuitous ARP as on one host, which reaches peers on the same node only
 * (kept to measure the two side by side: docs/architecture.md).
 */
export type SwarmTakeover = "repoint" | "address";

export interface StackOptions {
  takeover: SwarmTakeover;
  /** `address` takeover: the edge overlay's subnet, fixed in the file so the service addresses are known when it is written. */
  edgeSubnet?: string;
  /** How many placement slots the swarm's nodes have (1 on a single node). */
  slots: number;
  /** Node hostname to its engine's endpoint, recorded on the edge for every later process. */
  nodes?: Record<string, string>;
  /** The mirrors' volume driver and its options per mirror; the default `local` volume is on one node only. */
  mirror?: { driver: string; perMirror: (mirror: string) => Record<string, string> };
}

export interface StackFiles {
  "docker-stack.yml": string;
  /** Router name to its proxies' JSON, the file a Swarm config is made from. */
  configs: Record<string, string>;
}

export function configFile(router: string): string {
  return `${router}.toxiproxy.json`;
}

/** The slot of CPU number i (cpu-i): spread round robin over the slots. */
export function slotOf(cpuIndex: number, slots: number): number {
  return cpuIndex % Math.max(1, slots);
}

function service(spec: ContainerSpec, deploy: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const labels = labLabels(spec.lab, spec.role, spec.name, spec.labels);
  return {
    image: spec.image,
    ...(spec.hostname ? { hostname: spec.hostname } : {}),
    init: true,
    // Container labels: the lab finds a task's container by these on whichever node runs it.
    labels,
    ...(spec.env ? { environment: spec.env } : {}),
    networks: Object.fromEntries((spec.networks ?? []).map((n) => [n.network, n.aliases?.length ? { aliases: n.aliases } : {}])),
    ...(spec.mounts?.length ? { volumes: spec.mounts.map((m) => `${m.volume}:${m.target}`) } : {}),
    ...(spec.capAdd?.length ? { cap_add: spec.capAdd } : {}),
    ...(spec.capDrop?.length ? { cap_drop: spec.capDrop } : {}),
    ...(spec.healthcheck ? { healthcheck: composeHealthcheck(spec.healthcheck) } : {}),
    deploy: {
      mode: "replicated",
      replicas: 1,
      endpoint_mode: "dnsrr",
      restart_policy: { condition: "none" },
      // Service labels: reap finds the services by these.
      labels,
      ...(spec.memoryMb ? { resources: { limits: { memory: `${spec.memoryMb}M` } } } : {}),
      ...deploy,
    },
    ...extra,
  };
}

function routerService(r: RouterPart, lab: string): Record<string, unknown> {
  const inContainer = `/etc/nonstop/${r.spec.name}.json`;
  return service(
    r.spec,
    // Routers run on a manager: the gate, on the manager too, reaches them without crossing hosts.
    { placement: { constraints: ["node.role == manager"] } },
    { command: ["-host=0.0.0.0", "-proxy-metrics", `-config=${inContainer}`], configs: [{ source: r.spec.name, target: inContainer }], labels: labLabels(lab, "router", r.spec.name, r.spec.labels) },
  );
}

/** The service addresses of `address` takeover; none when the edge router is re-pointed. */
export function stackVips(t: Topology, opts: Pick<StackOptions, "takeover" | "edgeSubnet">): Record<string, string> {
  const subnet = opts.edgeSubnet;
  return opts.takeover === "address" && subnet ? Object.fromEntries(t.services.map((s, k) => [s.name, serviceVip(subnet, k)])) : {};
}

/** The stack file and the routers' config files, for `docker stack deploy`. */
export function generateStack(t: Topology, images: Pick<ImageSet, "cpu" | "router">, opts: StackOptions): StackFiles {
  const plan = planMachine(t, images, stackVips(t, opts), { repointEdge: opts.takeover === "repoint" });
  const services: Record<string, unknown> = {};
  const configs: Record<string, string> = {};
  const configDefs: Record<string, unknown> = {};
  for (const r of plan.routers) {
    configs[r.spec.name] = `${JSON.stringify(r.proxies.map((p) => ({ ...p, enabled: true })), null, 2)}\n`;
    // Configs are immutable and named per lab; reap removes them by label.
    configDefs[r.spec.name] = { file: `./${configFile(r.spec.name)}`, name: dockerName(t.lab, `${r.spec.name}-proxies`), labels: labLabels(t.lab, "router", r.spec.name) };
    services[r.spec.name] = routerService(r, t.lab);
  }
  plan.cpus.forEach((c, i) => {
    services[c.name] = service(c, { placement: { constraints: [`node.labels.${SLOT_LABEL} == ${slotOf(i, opts.slots)}`] } });
  });
  const doc = {
    version: "3.8",
    services,
    networks: Object.fromEntries(
      plan.networks.map((n) => [
        n.name,
        {
          name: dockerName(t.lab, n.name),
          driver: "overlay",
          attachable: true,
          internal: n.internal,
          ...(n.role === "edge" && opts.edgeSubnet ? { ipam: { config: [{ subnet: opts.edgeSubnet }] } } : {}),
          labels: labLabels(t.lab, n.role, n.name, n.role === "edge" ? { [LABEL_TOPOLOGY]: JSON.stringify(t), [LABEL_ENGINE]: "swarm", [LABEL_NODES]: JSON.stringify(opts.nodes ?? {}) } : {}),
        },
      ]),
    ),
    volumes: Object.fromEntries(
      plan.volumes.map((v) => [
        v,
        {
          name: dockerName(t.lab, v),
          labels: labLabels(t.lab, "disk", v),
          ...(opts.mirror ? { driver: opts.mirror.driver, driver_opts: opts.mirror.perMirror(v) } : {}),
        },
      ]),
    ),
    configs: configDefs,
  };
  const header = [
    `# nonstop-lab '${t.lab}' as a Swarm stack: ${t.cpus.length} CPUs on overlay planes, placed by the node label ${SLOT_LABEL}.`,
    "# GENERATED by `npx nonstop up --swarm` (lab/swarm/stack.ts) from the machine's plan.",
    "",
  ].join("\n");
  return { "docker-stack.yml": header + stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false }), configs };
}
