// docker-compose.yml for the default lab, generated from the same machine plan as
// `nonstop up`, so the two cannot drift. A unit test fails when the committed file differs
// from what this produces; `nonstop compose --write` regenerates it.
import { stringify } from "yaml";
import { cfsQuota, dockerName, type ContainerSpec, type Healthcheck } from "../docker/plumbing.js";
import { labLabels } from "../docker/labels.js";
import { COMPOSE_HEALTH_INTERVAL_MS, planMachine, type RouterPart } from "../machine/plan.js";
import { LABEL_TOPOLOGY } from "../machine/parts.js";
import { serviceVip } from "../machine/vip.js";
import { resolveTopology } from "../topology/resolve.js";
import type { Topology } from "../topology/types.js";

export const COMPOSE_LAB = "compose";
/** Compose references the stable tags that `nonstop images` keeps pointing at the newest build. */
export const COMPOSE_IMAGES = { cpu: "nonstop-lab/cpu:latest", router: "nonstop-lab/router:latest" };

/**
 * The Compose lab's edge subnet, fixed in the file so that the service addresses, and so
 * the address takeover, are known when it is written (`nonstop up` reads the subnet Docker
 * picked instead). Outside the 172.17-31 /16s Docker hands out by default, so it does not
 * take one of those from the user's other networks; `nonstop compose --edge-subnet CIDR
 * --write` picks another where it clashes with a network already there.
 */
export const COMPOSE_EDGE_SUBNET = "10.213.77.0/24";

export interface GeneratedFiles {
  /** Path relative to the project root, to content. */
  [path: string]: string;
}

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}

/** Compose (and a Swarm stack, lab/swarm/stack.ts) has only Docker's healthcheck to wait on, so it probes more often than a lab `nonstop up` made. */
export function composeHealthcheck(h: Healthcheck): Record<string, unknown> {
  return { test: h.test, interval: seconds(COMPOSE_HEALTH_INTERVAL_MS), timeout: seconds(h.timeoutMs), retries: h.retries, start_period: seconds(h.startPeriodMs ?? 0) };
}

function routerConfigPath(r: RouterPart): string {
  return `compose/${r.spec.name}.toxiproxy.json`;
}

/** The same CFS quota the engine path sets (`cpus:` would be a 100 ms period). */
function composeQuota(cores: number): { cpu_period: number; cpu_quota: number } {
  const q = cfsQuota(cores);
  return { cpu_period: q.CpuPeriod, cpu_quota: q.CpuQuota };
}

function service(spec: ContainerSpec, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    image: spec.image,
    container_name: dockerName(spec.lab, spec.name),
    ...(spec.hostname ? { hostname: spec.hostname } : {}),
    init: true,
    labels: labLabels(spec.lab, spec.role, spec.name, spec.labels),
    ...(spec.env ? { environment: spec.env } : {}),
    networks: Object.fromEntries((spec.networks ?? []).map((n) => [n.network, n.aliases?.length ? { aliases: n.aliases } : {}])),
    ports: (spec.publish ?? []).map((p) => ({ target: p, host_ip: "127.0.0.1", protocol: "tcp" })),
    ...(spec.mounts?.length ? { volumes: spec.mounts.map((m) => `${m.volume}:${m.target}`) } : {}),
    ...(spec.cpus ? composeQuota(spec.cpus) : {}),
    ...(spec.memoryMb ? { mem_limit: `${spec.memoryMb}m` } : {}),
    ...(spec.capAdd?.length ? { cap_add: spec.capAdd } : {}),
    ...(spec.capDrop?.length ? { cap_drop: spec.capDrop } : {}),
    ...(spec.healthcheck ? { healthcheck: composeHealthcheck(spec.healthcheck) } : {}),
    ...extra,
  };
}

export function composeTopology(): Topology {
  return resolveTopology({}, COMPOSE_LAB);
}

export function generateCompose(t: Topology = composeTopology(), edgeSubnet = COMPOSE_EDGE_SUBNET): GeneratedFiles {
  const vips = Object.fromEntries(t.services.map((s, k) => [s.name, serviceVip(edgeSubnet, k)]));
  const plan = planMachine(t, COMPOSE_IMAGES, vips);
  const services: Record<string, unknown> = {};
  const files: GeneratedFiles = {};
  for (const r of plan.routers) {
    const path = routerConfigPath(r);
    files[path] = `${JSON.stringify(r.proxies.map((p) => ({ ...p, enabled: true })), null, 2)}\n`;
    const inContainer = `/etc/nonstop/${r.spec.name}.json`;
    // Compose cannot call the router's API, so the proxies are loaded at start (-config).
    services[r.spec.name] = service(r.spec, { command: ["-host=0.0.0.0", "-proxy-metrics", `-config=${inContainer}`], volumes: [`./${path}:${inContainer}:ro`] });
  }
  for (const c of plan.cpus) services[c.name] = service(c);

  const doc = {
    services,
    networks: Object.fromEntries(
      plan.networks.map((n) => [
        n.name,
        {
          name: dockerName(t.lab, n.name),
          internal: n.internal,
          ...(n.role === "edge" ? { ipam: { config: [{ subnet: edgeSubnet }] } } : {}),
          labels: labLabels(t.lab, n.role, n.name, n.role === "edge" ? { [LABEL_TOPOLOGY]: JSON.stringify(t) } : {}),
        },
      ]),
    ),
    volumes: Object.fromEntries(plan.volumes.map((v) => [v, { name: dockerName(t.lab, v), labels: labLabels(t.lab, "disk", v) }])),
  };
  const header = [
    "# The default nonstop-lab machine: 4 CPUs on ServerNet planes x and y (internal",
    "# networks, one Toxiproxy router each), a 2-disk RAID-1 mounted into every CPU, and an",
    "# edge router in front of the web service. Lab id: compose.",
    "#",
    "# GENERATED by `npx nonstop compose --write` from lab/machine/plan.ts; do not edit by",
    "# hand. Build the images first: `npm run images`. Then `docker compose up -d --wait`.",
    "",
  ].join("\n");
  files["docker-compose.yml"] = header + stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
  return files;
}
