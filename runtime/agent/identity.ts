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

export async function identity(t: Topology, cpu: string): Promise<Identity> {
  const entries = await Promise.all([
    ...t.planes.map(async (p) => [p.name, await addressOf(planeAlias(cpu, p.name))] as const),
    (async () => ["edge", await addressOf(planeAlias(cpu, "edge"))] as const)(),
  ]);
  return { cpu, addresses: Object.fromEntries(entries) };
}
