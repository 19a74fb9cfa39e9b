// `nonstop reap`: removes every labelled resource of one lab, or of all labs. Ryuk cannot
// be pulled here, so the lab's own labels are the cleanup mechanism; this must work after
// a clean run and after a run killed with SIGKILL alike, so it trusts nothing but labels.
import { labFilter } from "./labels.js";
import type { Plumbing } from "./plumbing.js";

export interface ReapResult {
  containers: number;
  networks: number;
  volumes: number;
}

export async function reap(plumbing: Plumbing, lab?: string): Promise<ReapResult> {
  const docker = plumbing.docker;
  const containers = await docker.listContainers({ all: true, filters: { label: labFilter(lab) } });
  // Containers first: a network or volume in use cannot be removed.
  await Promise.all(containers.map((c) => plumbing.remove(c.Id)));

  const networks = await plumbing.networks(lab);
  for (const n of networks) {
    try {
      await docker.getNetwork(n.id).remove();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    }
  }

  const volumes = await plumbing.volumes(lab);
  for (const v of volumes) {
    try {
      await docker.getVolume(v.volumeName).remove({ force: true });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    }
  }
  return { containers: containers.length, networks: networks.length, volumes: volumes.length };
}
