// `nonstop reap`: removes every labelled resource of one lab, or of all labs. Ryuk cannot
// be pulled here, so the lab's own labels are the cleanup mechanism; this must work after
// a clean run and after a run killed with SIGKILL alike, so it trusts nothing but labels.
// It never stops at the first error: whatever it can remove, it removes, and it names
// what it could not, and why.
import { errorMessage } from "../errors.js";
import { dockerName, type Plumbing } from "./plumbing.js";

export interface ReapFailure {
  kind: "container" | "network" | "volume";
  name: string;
  why: string;
}

export interface ReapResult {
  containers: number;
  networks: number;
  volumes: number;
  /** What could not be removed; empty when everything went. */
  failures: ReapFailure[];
}

const statusOf = (err: unknown) => (err as { statusCode?: number }).statusCode;
/** The engine's own message, one line, without docker-modem's wrapping. */
const why = (err: unknown) => {
  const json = (err as { json?: { message?: string } }).json;
  return (json?.message ?? errorMessage(err)).split("\n")[0] ?? "";
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function reap(plumbing: Plumbing, lab?: string): Promise<ReapResult> {
  const failures: ReapFailure[] = [];
  const containers = await plumbing.container.listed(lab);
  // Containers first: a network or volume in use cannot be removed.
  const names = containers.map((c) => c.name);
  await Promise.all(
    containers.map((c) =>
      plumbing.container.remove(c.id).catch((err: unknown) => {
        failures.push({ kind: "container", name: c.name, why: why(err) });
      }),
    ),
  );

  const networks = await plumbing.network.list(lab);
  // A container removed while the engine was still attaching it (Ctrl-C in the middle of a
  // bring-up) can leave an endpoint behind it, when reap no longer sees the container to
  // take its name from. A machine lab's edge network carries its topology, which names
  // every part it could have been.
  for (const n of networks) names.push(...partNames(await plumbing.network.labels(n.networkName).catch(() => undefined)));
  let removedNetworks = 0;
  for (const n of networks) {
    // A stale endpoint of a killed container is force-disconnected by that container's name.
    const err = await retry(() => plumbing.network.remove(n.id, names));
    // With no endpoint left to disconnect, "active endpoints" is the engine's own count gone
    // wrong (moby#42119): only a restart of dockerd corrects it.
    const leaked = err && /active endpoints/.test(err) && !(await plumbing.network.attached(n.id).catch(() => 1));
    if (err) failures.push({ kind: "network", name: n.networkName, why: leaked ? `${err} (the engine counts an endpoint that no longer exists, moby#42119; restarting dockerd clears it)` : err });
    else removedNetworks++;
  }

  const volumes = await plumbing.volume.list(lab);
  let removedVolumes = 0;
  for (const v of volumes) {
    const err = await retry(() => plumbing.volume.remove(v.volumeName));
    if (err) failures.push({ kind: "volume", name: v.volumeName, why: err });
    else removedVolumes++;
  }
  return { containers: containers.length - failures.filter((f) => f.kind === "container").length, networks: removedNetworks, volumes: removedVolumes, failures };
}

/** The container names of a machine lab's CPUs and routers, from the topology label its edge network carries. */
function partNames(labels: Record<string, string> | undefined): string[] {
  const raw = labels?.["nonstop.topology"];
  if (!raw) return [];
  try {
    const t = JSON.parse(raw) as { lab?: string; cpus?: { name?: string }[]; planes?: { router?: string }[]; edge?: { router?: string } };
    const parts = [...(t.cpus ?? []).map((c) => c.name), ...(t.planes ?? []).map((p) => p.router), t.edge?.router].filter((x): x is string => typeof x === "string");
    return t.lab ? parts.map((p) => dockerName(t.lab ?? "", p)) : [];
  } catch {
    return [];
  }
}

/** A few tries over about three seconds: the engine may still be releasing what a removed container held. Resolves with the last error, or undefined once done (or already gone). */
async function retry(fn: () => Promise<void>, tries = 8): Promise<string | undefined> {
  let last = "";
  for (let i = 0; i < tries; i++) {
    try {
      await fn();
      return undefined;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      last = why(err);
      await sleep(100 * (i + 1) ** 1.3);
    }
  }
  return last;
}

