// `nonstop reap`: removes every labelled resource of one lab, or of all labs. Ryuk cannot
// be pulled here, so the lab's own labels are the cleanup mechanism; this must work after
// a clean run and after a run killed with SIGKILL alike, so it trusts nothing but labels.
// It never stops at the first error: whatever it can remove, it removes, and it names
// what it could not, and why.
import { errorMessage } from "../errors.js";
import { connectEngine } from "./engine.js";
import { Plumbing, dockerName } from "./plumbing.js";

export interface ReapFailure {
  kind: "service" | "config" | "container" | "network" | "volume";
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
  // A Swarm lab's other nodes hold task containers and volumes of their own; their engines' endpoints ride on the edge network.
  const elsewhere = await nodeEndpoints(plumbing, lab);
  const stack = await reapSwarm(plumbing, lab, failures);
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

  // A removed overlay stays listed a moment longer on the manager's engine.
  for (let i = 0; stack && removedNetworks > 0 && i < 50 && (await plumbing.network.list(lab)).length > 0; i++) await sleep(100);

  const volumes = await plumbing.volume.list(lab);
  let removedVolumes = 0;
  for (const v of volumes) {
    const err = await retry(() => plumbing.volume.remove(v.volumeName));
    if (err) failures.push({ kind: "volume", name: v.volumeName, why: err });
    else removedVolumes++;
  }
  const here = { containers: containers.length - failures.filter((f) => f.kind === "container").length, networks: removedNetworks, volumes: removedVolumes, failures };
  for (const endpoint of elsewhere) {
    const there = await connectEngine({ host: endpoint })
      .then((d) => reap(new Plumbing(d), lab))
      .catch((err: unknown): ReapResult => ({ containers: 0, networks: 0, volumes: 0, failures: [{ kind: "container", name: `node ${endpoint}`, why: why(err) }] }));
    here.containers += there.containers;
    here.volumes += there.volumes;
    here.failures.push(...there.failures);
  }
  return here;
}

async function nodeEndpoints(plumbing: Plumbing, lab: string | undefined): Promise<string[]> {
  const out = new Set<string>();
  for (const n of await plumbing.network.list(lab)) {
    const raw = (await plumbing.network.labels(n.networkName).catch(() => undefined))?.["nonstop.nodes"];
    if (raw) for (const e of Object.values(JSON.parse(raw) as Record<string, string>)) out.add(e);
  }
  return [...out];
}

/**
 * A lab deployed as a Swarm stack: its services first (their tasks' containers go with
 * them, and a service left would only start new ones), then the routers' configs. Only a
 * manager can list them; any other engine has none of its own.
 */
async function reapSwarm(plumbing: Plumbing, lab: string | undefined, failures: ReapFailure[]): Promise<boolean> {
  const swarm = await plumbing.swarm.state().catch(() => undefined);
  if (!swarm?.manager) return false;
  const services = await plumbing.swarm.services(lab);
  await Promise.all(services.map((s) => plumbing.swarm.removeService(s.id).catch((err: unknown) => void failures.push({ kind: "service", name: s.name, why: why(err) }))));
  for (const c of await plumbing.swarm.configs(lab)) {
    // A config is held until the last task that mounts it is gone.
    const err = await retry(() => plumbing.swarm.removeConfig(c.id), 12);
    if (err) failures.push({ kind: "config", name: c.name, why: err });
  }
  return services.length > 0;
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

