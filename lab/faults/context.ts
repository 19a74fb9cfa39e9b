// What an injector needs to reach a lab's parts, resolved from the engine each time it is
// used: a restarted container gets a new published port, so nothing is cached. A
// StartedLab (../machine/started.ts) is one, and is what callers hold.
import type { Plumbing } from "../docker/plumbing.js";
import { LabError } from "../errors.js";
import { hostParts, readLabRecord, type Parts } from "../machine/parts.js";
import { partsOf } from "../machine/locate.js";
import { Router, ROUTER_API_PORT } from "../router/router.js";
import type { Topology } from "../topology/types.js";
import { AgentClient } from "../agent/client.js";

export interface FaultContext {
  plumbing: Plumbing;
  lab: string;
  topology: Topology;
  /** The cpu image: helper containers (disk tools) and fault markers use it. */
  toolImage: string;
  /** Service addresses on the edge, as `up` gave them to the CPUs. */
  vips: Record<string, string>;
  /** Which container each CPU and router is now, on which engine (one host, or Swarm's nodes). */
  parts: Parts;
  router(name: string): Promise<Router>;
  agentUrl(cpu: string): Promise<string>;
  /** The typed client of a CPU's agent (its address looked up on each call). */
  agent(cpu: string): AgentClient;
}

/** Reads a running lab's context back from the engine; callers use `attach()`, which wraps it. */
export async function readFaultContext(plumbing: Plumbing, lab: string): Promise<FaultContext> {
  const record = await readLabRecord(plumbing, lab);
  if (!record) throw new LabError(`lab ${lab} is not up (start it with 'npx nonstop up --lab ${lab}')`);
  const parts = partsOf(plumbing, lab, record);
  // The first CPU's container (running or not) says the cpu image and the service addresses.
  const where = await parts.locate(record.topology.cpus[0]?.name ?? "cpu-0").catch(() => undefined);
  const cpu = where ? await where.plumbing.container.tryInspect(where.id) : undefined;
  if (!where || !cpu) throw new LabError(`lab ${lab} has no CPU containers; run 'npx nonstop up --lab ${lab}'`);
  const vipsVar = (await where.plumbing.container.env(where.id)).NONSTOP_VIPS;
  return labContext(plumbing, record.topology, cpu.image, vipsVar ? (JSON.parse(vipsVar) as Record<string, string>) : {}, parts);
}

/** The context of a lab whose topology, cpu image and service addresses are known (as `up` knows them). */
export function labContext(plumbing: Plumbing, topology: Topology, toolImage: string, vips: Record<string, string>, parts: Parts = hostParts(plumbing, topology.lab)): FaultContext {
  return {
    plumbing,
    lab: topology.lab,
    topology,
    toolImage,
    vips,
    parts,
    router: async (name) => new Router(await parts.url(name, ROUTER_API_PORT)),
    agentUrl: (cpu) => parts.url(cpu, topology.agentPort),
    agent: (cpu) => new AgentClient(cpu, () => parts.url(cpu, topology.agentPort)),
  };
}
