// What a lab looks like right now, read from the engine (labels) and from the parts
// themselves (agents and routers answer through their 127.0.0.1 ports).
import { AgentClient } from "../agent/client.js";
import { serviceUrl } from "./service-probe.js";
import type { ServiceKind } from "../topology/types.js";
import type { LabContainer, Plumbing } from "../docker/plumbing.js";
import { dockerName } from "../docker/plumbing.js";
import { ROUTER_API_PORT } from "../router/router.js";
import { rolesOf } from "../topology/links.js";
import type { Topology } from "../topology/types.js";
import { httpGet } from "../util/http.js";
import { readLabRecord, type EngineKind } from "./parts.js";
import { partsOf } from "./locate.js";

export { LABEL_TOPOLOGY } from "./parts.js";

export type PartHealth = "healthy" | "unhealthy" | "starting" | "down" | "paused";

export interface CpuStatus {
  name: string;
  state: string;
  health: PartHealth;
  addresses: Record<string, string>;
  /** What the CPU's runtime says it is for each service now; the plan's roles when it cannot say. */
  roles: { primary: string[]; backup: string[] };
  /** Where `roles` came from: the runtime, or the plan (the CPU is down or not answering). */
  rolesFrom: "runtime" | "plan";
  agentUrl?: string;
}

export interface RouterStatus {
  name: string;
  plane: string;
  state: string;
  health: PartHealth;
  apiUrl?: string;
}

export interface ServiceStatus {
  name: string;
  kind: ServiceKind;
  /** The edge router's published port for it, on 127.0.0.1. */
  port?: number;
  primary: string;
  backup?: string;
  url?: string;
}

export interface MachineStatus {
  lab: string;
  up: boolean;
  /** One Docker host, or a Swarm stack (`nonstop up --swarm`). */
  engine: EngineKind;
  topology?: Topology;
  cpus: CpuStatus[];
  routers: RouterStatus[];
  services: ServiceStatus[];
}

export async function readTopology(plumbing: Plumbing, lab: string, edgeNetwork = "edge"): Promise<Topology | undefined> {
  return (await readLabRecord(plumbing, lab, edgeNetwork))?.topology;
}

function published(c: LabContainer, port: number): string | undefined {
  const p = c.ports.find((x) => x.container === port);
  return p ? `http://127.0.0.1:${p.hostPort}` : undefined;
}

/** Alive means it answers, not just that Docker says it is running. */
async function probe(c: LabContainer, url: string | undefined, path: string): Promise<PartHealth> {
  if (c.state === "paused") return "paused";
  if (c.state !== "running") return "down";
  if (!url) return c.health === "healthy" ? "healthy" : "starting";
  try {
    const r = await httpGet(`${url}${path}`, 1000);
    return r.status === 200 ? "healthy" : "unhealthy";
  } catch {
    return c.health === "starting" || c.health === "none" ? "starting" : "unhealthy";
  }
}

/** The services this CPU's runtime is primary and backup for, or undefined when it does not answer. */
async function liveRoles(agentUrl: string): Promise<{ primary: string[]; backup: string[] } | undefined> {
  const rt = await new AgentClient("cpu", () => Promise.resolve(agentUrl)).runtime(1000).catch(() => undefined);
  if (!rt) return undefined;
  return { primary: rt.pairs.filter((p) => p.role === "primary").map((p) => p.service), backup: rt.pairs.filter((p) => p.role === "backup").map((p) => p.service) };
}

/** Network addresses keyed by the lab's words: x, y, edge. */
function addressesByPlane(c: LabContainer, lab: string): Record<string, string> {
  const out: Record<string, string> = {};
  const prefix = `${dockerName(lab, "")}`;
  for (const [net, ip] of Object.entries(c.addresses)) {
    const local = net.startsWith(prefix) ? net.slice(prefix.length) : net;
    out[local.replace(/^servernet-/, "")] = ip;
  }
  return out;
}

/**
 * `live`: also ask each running CPU's runtime which roles it holds (one more request per
 * CPU). Off for the callers that poll (up's health wait) or ask the runtime themselves
 * (the console); they get the plan's roles.
 */
export async function machineStatus(plumbing: Plumbing, lab: string, opts: { live?: boolean } = {}): Promise<MachineStatus> {
  const record = await readLabRecord(plumbing, lab);
  const topology = record?.topology;
  const containers = await partsOf(plumbing, lab, record).list();
  const byName = new Map(containers.map((c) => [c.name, c]));
  const cpuNames = topology ? topology.cpus.map((c) => c.name) : containers.filter((c) => c.role === "cpu").map((c) => c.name);
  const cpus = await Promise.all(
    cpuNames.map(async (name): Promise<CpuStatus> => {
      const c = byName.get(name);
      const planned = topology ? rolesOf(topology, name) : { primary: [], backup: [] };
      if (!c) return { name, state: "missing", health: "down", addresses: {}, roles: planned, rolesFrom: "plan" };
      const agentUrl = published(c, topology?.agentPort ?? 8080);
      const [health, live] = await Promise.all([probe(c, agentUrl, "/health"), opts.live && c.state === "running" && agentUrl ? liveRoles(agentUrl) : undefined]);
      return { name, state: c.state, health, addresses: addressesByPlane(c, lab), roles: live ?? planned, rolesFrom: live ? "runtime" : "plan", ...(agentUrl ? { agentUrl } : {}) };
    }),
  );
  const routers = await Promise.all(
    containers
      .filter((c) => c.role === "router")
      .map(async (c): Promise<RouterStatus> => {
        const apiUrl = published(c, ROUTER_API_PORT);
        return { name: c.name, plane: c.labels["nonstop.plane"] ?? "?", state: c.state, health: await probe(c, apiUrl, "/version"), ...(apiUrl ? { apiUrl } : {}) };
      }),
  );
  const edge = topology ? byName.get(topology.edge.router) : undefined;
  // After a takeover the pair's roles are no longer the plan's: say who holds them now,
  // as the CPUs report it, whenever any of them could say.
  const anyLive = cpus.some((c) => c.rolesFrom === "runtime");
  const holder = (service: string, role: "primary" | "backup") => cpus.find((c) => c.rolesFrom === "runtime" && c.roles[role].includes(service))?.name;
  const services: ServiceStatus[] = (topology?.services ?? []).map((s) => {
    const port = edge?.ports.find((p) => p.container === s.edgePort);
    const primary = anyLive ? (holder(s.name, "primary") ?? "none") : s.primary;
    const backup = anyLive ? holder(s.name, "backup") : s.backup;
    return {
      name: s.name,
      kind: s.kind,
      primary,
      ...(backup ? { backup } : {}),
      ...(port ? { port: port.hostPort, url: serviceUrl(s.kind, port.hostPort) } : {}),
    };
  });
  return { lab, up: containers.length > 0, engine: record?.engine ?? "host", ...(topology ? { topology } : {}), cpus, routers, services };
}
