// The machine as a list of parts, computed from the topology alone. `nonstop up` creates
// these through the plumbing and the compose generator writes them as docker-compose.yml,
// so the two cannot drift apart.
import type { ContainerSpec, Healthcheck } from "../docker/plumbing.js";
import { links, planeAlias } from "../topology/links.js";
import type { Topology } from "../topology/types.js";
import { ROUTER_API_PORT, type ProxySpec } from "../router/router.js";
import type { ImageSet } from "../images/build.js";

export interface NetworkPart {
  name: string;
  role: "plane" | "edge";
  internal: boolean;
}

export interface RouterPart {
  spec: ContainerSpec;
  proxies: ProxySpec[];
}

export interface MachinePlan {
  networks: NetworkPart[];
  volumes: string[];
  routers: RouterPart[];
  cpus: ContainerSpec[];
}

/**
 * Docker's own healthcheck, for `docker ps` and `docker compose up --wait`. Each probe is a
 * process started inside the container through containerd and runc, about 50 ms of the
 * engine's CPU time plus the probe's own: at one a second on 7 containers that was 0.4 of
 * the machine's 2 cores at rest (bench/idle.ts). `nonstop up` and `status` probe every part
 * themselves over its published port, so a lab they made needs Docker's verdict rarely;
 * Compose has nothing else to wait on, so its file probes more often (COMPOSE_HEALTH).
 */
export const LAB_HEALTH = { intervalMs: 30_000, timeoutMs: 1000, retries: 3, startPeriodMs: 0 } as const;
/** Docker 20.10 probes first after one interval (no start_interval before Engine 25): `up --wait` takes about this long. */
export const COMPOSE_HEALTH_INTERVAL_MS = 5000;

export function cpuHealthcheck(port: number): Healthcheck {
  return {
    test: ["CMD", "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${port} && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3`],
    ...LAB_HEALTH,
  };
}

export const CPU_CAP_DROP = ["DAC_OVERRIDE", "DAC_READ_SEARCH"] as const;

export const ROUTER_HEALTHCHECK: Healthcheck = { test: ["CMD", "/toxiproxy-cli", "list"], ...LAB_HEALTH };

/**
 * `vips`: each service's address on the edge (address takeover), from the edge subnet:
 * the one Docker picked for `nonstop up`, the fixed one in docker-compose.yml. Without them
 * the edge reaches a service by a network alias on its first primary's CPU, and the
 * address does not move.
 */
/**
 * `repointEdge`: a service moves by its new primary re-pointing the edge router at itself
 * (runtime/edge-route.ts), for a lab on Swarm, where a moved address does not reach
 * another node. The CPUs are told the router's API.
 */
export function planMachine(t: Topology, images: Pick<ImageSet, "cpu" | "router">, vips: Record<string, string> = {}, how: { repointEdge?: boolean } = {}): MachinePlan {
  const networks: NetworkPart[] = [
    { name: t.edge.network, role: "edge", internal: false },
    ...t.planes.map((p) => ({ name: p.network, role: "plane" as const, internal: true })),
  ];
  const allLinks = links(t);
  const routers: RouterPart[] = [
    ...t.planes.map((p) => ({
      spec: {
        lab: t.lab,
        role: "router" as const,
        name: p.router,
        image: images.router,
        // Edge first: it is the network the API is published through.
        networks: [{ network: t.edge.network }, { network: p.network, aliases: [p.routerAddress] }],
        publish: [ROUTER_API_PORT],
        healthcheck: ROUTER_HEALTHCHECK,
        labels: { "nonstop.plane": p.name },
      },
      proxies: allLinks
        .filter((l) => l.plane === p.name)
        .map((l) => ({ name: l.proxy, listen: `0.0.0.0:${l.via.port}`, upstream: `${l.upstream.host}:${l.upstream.port}` })),
    })),
    {
      spec: {
        lab: t.lab,
        role: "router",
        name: t.edge.router,
        image: images.router,
        networks: [{ network: t.edge.network, aliases: [t.edge.router] }],
        publish: [ROUTER_API_PORT, ...t.services.map((s) => s.edgePort)],
        healthcheck: ROUTER_HEALTHCHECK,
        labels: { "nonstop.plane": "edge" },
      },
      proxies: t.services.map((s) => ({ name: s.name, listen: `0.0.0.0:${s.edgePort}`, upstream: `${vips[s.name] ?? s.address}:${s.port}` })),
    },
  ];
  const topologyJson = JSON.stringify(t);
  const cpus: ContainerSpec[] = t.cpus.map((c) => ({
    lab: t.lab,
    role: "cpu",
    name: c.name,
    image: images.cpu,
    hostname: c.name,
    networks: [
      // The service addresses ride on the edge with the CPU that holds each primary.
      { network: t.edge.network, aliases: [planeAlias(c.name, "edge"), ...t.services.filter((s) => s.primary === c.name).map((s) => s.address)] },
      ...t.planes.map((p) => ({ network: p.network, aliases: [planeAlias(c.name, p.name)] })),
    ],
    publish: [t.agentPort],
    mounts: t.disks.map((d) => ({ volume: d.name, target: d.mount })),
    cpus: c.cpus,
    memoryMb: c.memoryMb,
    env: { NONSTOP_CPU: c.name, NONSTOP_PORT: String(t.agentPort), NONSTOP_TOPOLOGY: topologyJson, ...(Object.keys(vips).length ? { NONSTOP_VIPS: JSON.stringify(vips) } : {}), ...(how.repointEdge ? { NONSTOP_EDGE_API: `${t.edge.router}:${ROUTER_API_PORT}` } : {}) },
    // Address takeover: `ip addr` needs NET_ADMIN and gratuitous ARP needs NET_RAW. Only CPUs get them.
    capAdd: ["NET_ADMIN", "NET_RAW"],
    healthcheck: cpuHealthcheck(t.agentPort),
    // Without these, root in a CPU obeys file permissions like any user. That is what lets
    // disk.fail make a mirror unusable to every CPU by a real mechanism (mode 000).
    capDrop: [...CPU_CAP_DROP],
  }));
  return { networks, volumes: t.disks.map((d) => d.name), routers, cpus };
}
