// What an injector needs to reach a lab's parts, resolved from the engine each time it is
// used: a restarted container gets a new published port, so nothing is cached. A
// StartedLab (../machine/started.ts) is one, and is what callers hold.
import { dockerName, type Plumbing } from "../docker/plumbing.js";
import { LabError } from "../errors.js";
import { readTopology } from "../machine/status.js";
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
  router(name: string): Promise<Router>;
  agentUrl(cpu: string): Promise<string>;
  /** The typed client of a CPU's agent (its address looked up on each call). */
  agent(cpu: string): AgentClient;
}

async function publishedUrl(plumbing: Plumbing, lab: string, name: string, port: number): Promise<string> {
  const c = await plumbing.container.tryInspect(dockerName(lab, name));
  const p = c?.ports.find((x) => x.container === port);
  if (!c || c.state !== "running" || !p) throw new LabError(`${name} of lab ${lab} is not running`);
  return `http://127.0.0.1:${p.hostPort}`;
}

/** Reads a running lab's context back from the engine; callers use `attach()`, which wraps it. */
export async function readFaultContext(plumbing: Plumbing, lab: string): Promise<FaultContext> {
  const topology = await readTopology(plumbing, lab);
  if (!topology) throw new LabError(`lab ${lab} is not up (start it with 'npx nonstop up --lab ${lab}')`);
  const anyCpu = (await plumbing.container.list(lab, "cpu"))[0];
  if (!anyCpu) throw new LabError(`lab ${lab} has no CPU containers; run 'npx nonstop up --lab ${lab}'`);
  const vipsVar = (await plumbing.container.env(anyCpu.id)).NONSTOP_VIPS;
  return labContext(plumbing, topology, anyCpu.image, vipsVar ? (JSON.parse(vipsVar) as Record<string, string>) : {});
}

/** The context of a lab whose topology, cpu image and service addresses are known (as `up` knows them). */
export function labContext(plumbing: Plumbing, topology: Topology, toolImage: string, vips: Record<string, string>): FaultContext {
  const lab = topology.lab;
  return {
    plumbing,
    lab,
    topology,
    toolImage,
    vips,
    router: async (name) => new Router(await publishedUrl(plumbing, lab, name, ROUTER_API_PORT)),
    agentUrl: (cpu) => publishedUrl(plumbing, lab, cpu, topology.agentPort),
    agent: (cpu) => new AgentClient(cpu, () => publishedUrl(plumbing, lab, cpu, topology.agentPort)),
  };
}
