// Where the voted (TMR) compute service runs: three replicas on the last three CPUs, so in
// the default lab they stay off cpu-0, where the web pair's primary (and the voter) start.
// A lab with fewer than three CPUs has no voted service.
import type { Topology } from "./types.js";

export function votingReplicas(t: Pick<Topology, "cpus">): string[] {
  return t.cpus.length >= 3 ? t.cpus.slice(-3).map((c) => c.name) : [];
}
