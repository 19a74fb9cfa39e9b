// Brings a topology up: networks (planes internal), the mirror's volumes, routers with
// their proxies, then the CPUs; waits until every part answers. Idempotent: parts already
// there are kept (started if stopped), so a second `up` is a quick no-op.
import { LabError, UsageError, errorMessage } from "../errors.js";
import { reap } from "../docker/reap.js";
import { dockerName, type ContainerSpec, type Plumbing } from "../docker/plumbing.js";
import type { ImageSet } from "../images/build.js";
import { Router, ROUTER_API_PORT } from "../router/router.js";
import type { Topology } from "../topology/types.js";
import { waitFor } from "../util/http.js";
import { planMachine } from "./plan.js";
import { serviceVip } from "./vip.js";
import { LABEL_TOPOLOGY, readTopology } from "./status.js";
import { startedLab, type StartedLab } from "./started.js";
import { labContext } from "../faults/context.js";
import { withDefaults } from "./defaults.js";
import { waitForMachine } from "./ready.js";
import type { SwarmOptions } from "../swarm/options.js";

export interface UpOptions {
  /** The engine; the local one (or DOCKER_HOST) when left out. */
  plumbing?: Plumbing;
  /** The lab's images; built when missing (a no-op when warm) when left out. */
  images?: ImageSet;
  /** From resolveTopology(input, labId). */
  topology: Topology;
  progress?: (line: string) => void;
  timeoutMs?: number;
  /** A failed `up` of a new lab removes what it made, unless asked to keep it for a look. */
  keepOnFailure?: boolean;
  /** Stops the bring-up between steps and in every wait (a run interrupted by Ctrl-C must not go on creating). */
  signal?: AbortSignal;
  /** Deploys the lab as a stack to the swarm this engine manages, instead of containers on it (lab/swarm/). */
  swarm?: SwarmOptions;
}

/** Plan names are lab-local ("edge", "mirror-a"); the engine's are nonstop-<lab>-<name>. */
function toEngine(spec: ContainerSpec): ContainerSpec {
  return {
    ...spec,
    networks: (spec.networks ?? []).map((n) => ({ ...n, network: dockerName(spec.lab, n.network) })),
    mounts: (spec.mounts ?? []).map((m) => ({ ...m, volume: dockerName(spec.lab, m.volume) })),
  };
}

async function ensureContainer(plumbing: Plumbing, spec: ContainerSpec): Promise<string> {
  const existing = await plumbing.container.tryInspect(dockerName(spec.lab, spec.name));
  if (existing) {
    await plumbing.container.ensureRunning(existing.id);
    return existing.id;
  }
  const id = await plumbing.container.create(toEngine(spec));
  await plumbing.container.start(id);
  return id;
}

function describeTopology(t: Topology): string {
  return `${t.cpus.length} CPUs, planes ${t.planes.map((p) => p.name).join("+")}, ${t.disks.length} mirrors, services ${t.services.map((s) => s.name).join(",")}`;
}

/**
 * Brings the lab up and returns its handle, which removes the lab when disposed
 * (`await using lab = await up(...)`). An `up` that fails on a lab it started from
 * nothing removes what it created, so a failed start leaves no containers running
 * unannounced; with `keepOnFailure` it leaves them and says how to look and how to remove
 * them. A lab that was already there is left as it was.
 */
export async function up(options: UpOptions): Promise<StartedLab> {
  const opts: Resolved = { ...options, ...(await withDefaults(options)), progress: options.progress ?? (() => undefined) };
  const { plumbing, topology: t } = opts;
  const current = await readTopology(plumbing, t.lab, t.edge.network);
  if (current && JSON.stringify(current) !== JSON.stringify(t)) {
    throw new UsageError(`lab '${t.lab}' is already up with another topology (${describeTopology(current)}); run 'nonstop down --lab ${t.lab}' first, or pick another --lab`);
  }
  const fresh = !current && (await plumbing.container.list(t.lab)).length === 0;
  try {
    if (opts.swarm) return await (await import("../swarm/up.js")).upSwarm(opts, opts.swarm);
    return await bringUp(opts);
  } catch (err) {
    // Bad input is refused before anything is made (Swarm's placement checks, for one).
    if (!fresh || err instanceof UsageError) throw err;
    const why = errorMessage(err);
    if (opts.keepOnFailure) throw new LabError(`${why}; the lab is left up as asked (--keep): look with 'npx nonstop status --lab ${t.lab}', remove it with 'npx nonstop down --lab ${t.lab}'`);
    const r = await reap(plumbing, t.lab);
    const left = r.failures.length ? `; could not remove ${r.failures.map((f) => `${f.kind} ${f.name}`).join(", ")} (try 'npx nonstop reap --lab ${t.lab}')` : "";
    throw new LabError(`${why}; removed what this up created (${r.containers} containers, ${r.networks} networks, ${r.volumes} volumes)${left}; 'npx nonstop up --keep' leaves a failed lab up for a look`);
  }
}

export type Resolved = UpOptions & { plumbing: Plumbing; images: ImageSet; progress: (line: string) => void };

async function bringUp(opts: Resolved): Promise<StartedLab> {
  const { plumbing, topology: t, progress } = opts;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const lab = t.lab;

  progress(`lab ${lab}: ${describeTopology(t)}`);
  const networks = planMachine(t, opts.images).networks;
  await Promise.all([
    ...networks.map((n) =>
      plumbing.network.create({
        lab,
        role: n.role,
        name: n.name,
        internal: n.internal,
        // The resolved topology rides on the edge network, where status and a second
        // process read it back.
        ...(n.role === "edge" ? { labels: { [LABEL_TOPOLOGY]: JSON.stringify(t) } } : {}),
      }),
    ),
    ...t.disks.map((d) => plumbing.volume.create({ lab, role: "disk", name: d.name })),
  ]);

  // Service addresses come from the edge subnet, known only once the network exists.
  const subnet = await plumbing.network.subnet(dockerName(lab, t.edge.network));
  const vips = subnet ? Object.fromEntries(t.services.map((s, k) => [s.name, serviceVip(subnet, k)])) : {};
  const plan = planMachine(t, opts.images, vips);
  opts.signal?.throwIfAborted();
  progress(`starting ${plan.routers.length} routers and ${plan.cpus.length} CPUs`);
  const routerIds = await Promise.all(plan.routers.map((r) => ensureContainer(plumbing, r.spec)));
  await Promise.all(plan.cpus.map((c) => ensureContainer(plumbing, c)));

  // Routers first need their proxies before any CPU can reach another.
  await Promise.all(
    plan.routers.map(async (r, i) => {
      const c = await plumbing.container.inspect(routerIds[i] ?? "");
      const port = c.ports.find((p) => p.container === ROUTER_API_PORT);
      if (!port) throw new Error(`${r.spec.name} publishes no API port`);
      const router = new Router(`http://127.0.0.1:${port.hostPort}`);
      await waitFor(`${r.spec.name} API`, () => router.version().then(() => true), timeoutMs, 50, opts.signal);
      await router.ensureProxies(r.proxies);
    }),
  );

  await waitForMachine(plumbing, t, progress, timeoutMs, opts.signal);
  // This process asked for the lab, so its handle owns it: disposing removes it. Up knows
  // all the handle needs; nothing is read back from the engine.
  return startedLab(labContext(plumbing, t, opts.images.cpu, vips), true);
}
