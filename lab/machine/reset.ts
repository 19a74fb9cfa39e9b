// The verified reset of a running machine, so that a scenario, a benchmark or a sweep can
// reuse a lab instead of bringing up a fresh one: heal every fault, put the services'
// state back to the first one, wait until the machine works again, and then prove that
// nothing of the last use is left. A reset that cannot prove it says what it found, and
// the caller brings the lab up fresh instead (./reuse.ts).
import { dockerName } from "../docker/plumbing.js";
import { errorMessage } from "../errors.js";
import type { FaultContext } from "../faults/context.js";
import { healAll } from "../faults/inject.js";
import { revives, type FaultKind } from "../faults/kinds/index.js";
import { activeFaults, removeMarker } from "../faults/ledger.js";
import { waitForMachine } from "./ready.js";
import { planMachine } from "./plan.js";

export interface ResetReport {
  /** How long the reset took, proof included. */
  ms: number;
  /** Faults the ledger still held, healed by the reset. */
  healed: number;
  /** What the proof found left of the last use: empty when the lab is as fresh. */
  leftovers: string[];
  /** Milliseconds of each step: heal, kill, wipe, start, ready, proof. */
  steps: Record<string, number>;
}

function timer(): ((step: string) => void) & { steps: Record<string, number> } {
  let last = performance.now();
  const steps: Record<string, number> = {};
  return Object.assign(
    (step: string) => {
      const now = performance.now();
      steps[step] = Math.round(now - last);
      last = now;
    },
    { steps },
  );
}

/**
 * Puts a machine back as `up` left it. The services' state lives in the CPUs' memory and
 * on the mirrors, so the first state is had the way a new lab has it: every CPU stopped,
 * the mirrors emptied, every CPU started again. Networks, volumes, routers and their
 * proxies stay, which is most of what a bring-up costs on this engine.
 */
export async function resetMachine(ctx: FaultContext, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ResetReport> {
  const t0 = performance.now();
  const { plumbing, lab, topology: t } = ctx;
  const lap = timer();
  // A CPU fault (killed, stopped, paused) is healed by the restart below, so its marker
  // only goes: healing it first would wait for that CPU to rejoin, to be killed a moment later.
  const records = await activeFaults(plumbing, lab);
  const byRestart = records.filter((r) => revives(r.fault.kind as FaultKind));
  await Promise.all(byRestart.map((r) => removeMarker(plumbing, lab, r.id)));
  // Heals what else the ledger holds, then reconciles every CPU and router to the plan
  // (started, unpaused, attached to both planes, at its quota; routers without toxics).
  const healed = await healAll(ctx);
  const leftovers = healed.failed.map((f) => `fault ${f.id} did not heal: ${f.error}`);
  lap("heal");

  const cpus = t.cpus.map((c) => dockerName(lab, c.name));
  // SIGKILL, not a stop: the state is being thrown away, and a kill cannot hang.
  await Promise.all(cpus.map((id) => plumbing.container.kill(id).catch(() => undefined)));
  lap("kill");
  const wiped = await plumbing.container.runOnce({
    lab,
    role: "tool",
    name: `tool-reset-${Date.now().toString(36)}`,
    image: ctx.toolImage,
    entrypoint: ["sh", "-c", `find ${t.disks.map((d) => `/disks/${d.name}`).join(" ")} -mindepth 1 -delete`],
    networks: [{ network: "none" }],
    mounts: t.disks.map((d) => ({ volume: dockerName(lab, d.name), target: `/disks/${d.name}` })),
    timeoutMs: 30_000,
  });
  if (wiped.exitCode !== 0) leftovers.push(`the mirrors could not be emptied: ${wiped.stderr.trim().split("\n").slice(-1)[0] ?? `exit ${wiped.exitCode}`}`);
  lap("wipe");
  await Promise.all(cpus.map((id) => plumbing.container.start(id)));
  lap("start");
  await waitForMachine(plumbing, t, () => undefined, opts.timeoutMs ?? 60_000, opts.signal);
  lap("ready");

  leftovers.push(...(await settledLeftovers(ctx, opts.signal)));
  lap("proof");
  return { ms: Math.round(performance.now() - t0), healed: healed.healed.length + byRestart.length, leftovers, steps: lap.steps };
}

/**
 * The proof, asked again for a moment while it finds something. A ready machine serves
 * every service as primary, but a backup that read the pair record just after its primary
 * wrote it is a spare until the primary answers its resync, some milliseconds later (the
 * CPUs all start at once here): that is the machine still settling, not a leftover. What a
 * use really left (a toxic, a stray container, a written mirror) is still there when the
 * window ends, and is reported then.
 */
async function settledLeftovers(ctx: FaultContext, signal?: AbortSignal, windowMs = 5000): Promise<string[]> {
  const deadline = performance.now() + windowMs;
  for (;;) {
    const found = await leftoversOf(ctx);
    if (found.length === 0 || performance.now() >= deadline) return found;
    signal?.throwIfAborted();
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Everything a use of the lab can leave behind, looked for where it would be: a fault in
 * the ledger, a helper or marker container, a part not running as planned (stopped,
 * paused, cut from a plane), a router whose proxies differ from the plan or carry a
 * toxic, a pair not in its first state (plan's roles, epoch 1, nothing written, backed
 * up), a mirror not in service. The machine's faults set no netfilter rules (its links are
 * the routers' proxies), so the routers are where a network fault would show.
 */
const portOf = (hostPort: string) => hostPort.slice(hostPort.lastIndexOf(":") + 1);

export async function leftoversOf(ctx: FaultContext): Promise<string[]> {
  const { plumbing, lab, topology: t } = ctx;
  const found: string[] = [];
  for (const f of await activeFaults(plumbing, lab)) found.push(`fault ${f.id} (${f.fault.kind}) is still in the ledger`);

  const containers = await plumbing.container.list(lab);
  for (const c of containers) if (c.role !== "cpu" && c.role !== "router") found.push(`${c.role} container ${c.name} is left`);
  const plan = planMachine(t, { cpu: ctx.toolImage, router: ctx.toolImage }, ctx.vips);
  for (const name of [...t.cpus.map((c) => c.name), ...plan.routers.map((r) => r.spec.name)]) {
    const c = containers.find((x) => x.name === name);
    if (!c) found.push(`${name} is missing`);
    else if (c.state !== "running") found.push(`${name} is ${c.state}`);
  }
  for (const cpu of t.cpus) {
    const c = containers.find((x) => x.name === cpu.name);
    for (const p of t.planes) if (c && !c.addresses[dockerName(lab, p.network)]) found.push(`${cpu.name} is not on plane ${p.name}`);
  }

  await Promise.all(
    plan.routers.map(async (r) => {
      try {
        const have = await (await ctx.router(r.spec.name)).proxies();
        const want = new Map(r.proxies.map((p) => [p.name, p]));
        for (const p of have) {
          const w = want.get(p.name);
          if (!w) found.push(`${r.spec.name} has a proxy ${p.name} the plan does not`);
          else if (p.upstream !== w.upstream) found.push(`${r.spec.name}'s ${p.name} points at ${p.upstream}, not ${w.upstream}`);
          // Toxiproxy answers with the address it bound ("[::]:20001" for "0.0.0.0:20001"): the port is what the plan fixes.
          else if (portOf(p.listen) !== portOf(w.listen)) found.push(`${r.spec.name}'s ${p.name} listens on ${p.listen}, not ${w.listen}`);
          if (!p.enabled) found.push(`${r.spec.name}'s ${p.name} is disabled`);
          for (const x of p.toxics) found.push(`${r.spec.name}'s ${p.name} carries a ${x.type} toxic`);
          want.delete(p.name);
        }
        for (const name of want.keys()) found.push(`${r.spec.name} lacks its proxy ${name}`);
      } catch (err) {
        found.push(`${r.spec.name} does not answer: ${errorMessage(err)}`);
      }
    }),
  );

  await Promise.all(
    t.cpus.map(async (cpu) => {
      const rt = await ctx.agent(cpu.name).runtime(2000).catch((err: unknown) => errorMessage(err));
      if (typeof rt === "string") return void found.push(`${cpu.name}'s runtime does not answer: ${rt}`);
      for (const m of rt.raid) if (m.state !== "ok" || m.rebuild) found.push(`${cpu.name} sees mirror ${m.name} ${m.rebuild ? "rebuilding" : m.state}`);
      for (const p of rt.pairs) {
        const s = t.services.find((x) => x.name === p.service);
        const planned = s?.primary === cpu.name ? "primary" : s?.backup === cpu.name ? "backup" : "spare";
        if (p.role !== planned) found.push(`${cpu.name} is ${p.role} for ${p.service}, not ${planned}`);
        if (p.role !== "spare" && (p.epoch !== 1 || p.seq !== 0)) found.push(`${p.service} on ${cpu.name} is at epoch ${p.epoch}, seq ${p.seq}, not its first state`);
      }
    }),
  );
  return found;
}
