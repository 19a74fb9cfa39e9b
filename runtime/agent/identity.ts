// Who this CPU is and where it sits: its name and its address on each network. Docker's
// embedded DNS answers a container's own per-network aliases, which is how the agent tells
// its x, y and edge interfaces apart without knowing the subnets.
import { lookup } from "node:dns/promises";
import { planeAlias } from "../../lab/topology/links.js";
import type { Topology } from "../../lab/topology/types.js";

export interface Identity {
  cpu: string;
  addresses: Record<string, string | null>;
}

async function addressOf(host: string): Promise<string | null> {
  try {
    return (await lookup(host, { family: 4 })).address;
  } catch {
    return null;
  }
}

async function lookAll(t: Topology, cpu: string): Promise<Identity> {
  const entries = await Promise.all([
    ...t.planes.map(async (p) => [p.name, await addressOf(planeAlias(cpu, p.name))] as const),
    (async () => ["edge", await addressOf(planeAlias(cpu, "edge"))] as const)(),
  ]);
  return { cpu, addresses: Object.fromEntries(entries) };
}

/**
 * On one host a container's aliases resolve as soon as it starts. Swarm registers a task's
 * names a moment after its container starts (the task is running before its DNS records
 * reach the embedded resolver), so a name not there yet is asked again for a few seconds.
 */
export async function identity(t: Topology, cpu: string, waitMs = 10_000): Promise<Identity> {
  const until = Date.now() + waitMs;
  for (;;) {
    const id = await lookAll(t, cpu);
    if (Object.values(id.addresses).every((a) => a !== null) || Date.now() >= until) return id;
    await new Promise((r) => setTimeout(r, 100));
  }
}
