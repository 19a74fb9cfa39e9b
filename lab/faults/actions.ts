// How each fault kind is applied and reverted against the real containers. `apply`
// returns what `revert` will need; both are safe to repeat (heal is idempotent).
import { dockerName } from "../docker/plumbing.js";
import { planMachine } from "../machine/plan.js";
import { linkName, links, planeAlias } from "../topology/links.js";
import type { PlaneName } from "../topology/types.js";
import { httpGet, waitFor } from "../util/http.js";
import type { FaultContext } from "./context.js";
import { corrupt, failDisk, restoreBytes, unfailDisk, unwipe, wipe } from "./disk-tools.js";
import type { Undo } from "./ledger.js";
import { cutLinks } from "./partition.js";
import type { Fault } from "./types.js";

const NONE: Undo = { kind: "none" };

function toxicName(id: string): string {
  return `nonstop-${id}`;
}

function planeProxies(ctx: FaultContext, plane: PlaneName): string[] {
  return links(ctx.topology)
    .filter((l) => l.plane === plane)
    .map((l) => l.proxy);
}

function edgeProxies(ctx: FaultContext, service: string | undefined): string[] {
  return service ? [service] : ctx.topology.services.map((s) => s.name);
}

async function setLinks(ctx: FaultContext, router: string, proxies: string[], enabled: boolean): Promise<void> {
  const r = await ctx.router(router);
  await Promise.all(proxies.map((p) => r.setEnabled(p, enabled)));
}

/**
 * Starts (or resumes) a CPU and waits until it is back in the machine: its runtime admitted
 * to a quorate membership view that includes it. Answering /health is not enough; a CPU
 * still booting under its quota answers slowly and belongs to no view yet.
 */
async function revive(ctx: FaultContext, cpu: string): Promise<void> {
  await ctx.plumbing.ensureRunning(dockerName(ctx.lab, cpu));
  await waitFor(
    `${cpu} to rejoin the membership`,
    async () => {
      const r = await httpGet(`${await ctx.agentUrl(cpu)}/runtime`, 500);
      if (r.status !== 200) return false;
      const rt = JSON.parse(r.body) as { admitted: boolean; quorate: boolean; view: { members: string[] }; liveness: { peer: string; alive: boolean }[] };
      const alive = rt.liveness.filter((l) => l.alive).map((l) => l.peer);
      return rt.admitted && rt.quorate && rt.view.members.includes(cpu) && alive.every((p) => rt.view.members.includes(p));
    },
    20_000,
    50,
  );
}

/** Restarts a plane's router and reloads its proxies, as `up` does. */
async function reviveRouter(ctx: FaultContext, name: string): Promise<void> {
  const id = dockerName(ctx.lab, name);
  await ctx.plumbing.ensureRunning(id);
  const c = await ctx.plumbing.inspect(id);
  const part = planMachine(ctx.topology, { cpu: ctx.toolImage, router: c.image }, ctx.vips).routers.find((r) => r.spec.name === name);
  await waitFor(`${name} API`, async () => (await ctx.router(name)).version().then(() => true), 20_000, 50);
  await (await ctx.router(name)).ensureProxies(part?.proxies ?? []);
}

/** The CPU whose runtime is the primary of `service` now, or once a takeover under way ends. */
async function primaryOf(ctx: FaultContext, service: string): Promise<string> {
  const ask = async (cpu: string): Promise<string | undefined> => {
    // A CPU that is down (say, still rebooting from the last crash) is nobody's primary.
    const url = await ctx.agentUrl(cpu).catch(() => undefined);
    if (!url) return undefined;
    const r = await httpGet(`${url}/runtime`, 1000).catch(() => undefined);
    if (r?.status !== 200) return undefined;
    const rt = JSON.parse(r.body) as { pairs: { service: string; role: string }[] };
    return rt.pairs.some((p) => p.service === service && p.role === "primary") ? cpu : undefined;
  };
  // Asked in the instant after the last primary died (a crash sweep's next step, a busy
  // machine), no CPU is primary yet: the fault means the next one, so wait for the
  // takeover rather than fail the schedule. Five seconds is well past any takeover.
  return waitFor(
    `a CPU to be the primary of ${service}`,
    async () => (await Promise.all(ctx.topology.cpus.map((c) => ask(c.name)))).find((c) => c !== undefined),
    5000,
    50,
  ).catch(() => {
    throw new Error(`no CPU is the primary of ${service} now`);
  });
}

export async function apply(f: Fault, id: string, ctx: FaultContext): Promise<Undo> {
  const cpuId = (cpu: string) => dockerName(ctx.lab, cpu);
  switch (f.kind) {
    case "cpu.kill":
      await ctx.plumbing.kill(cpuId(f.cpu));
      return NONE;
    case "cpu.stop":
      await ctx.plumbing.stop(cpuId(f.cpu), 2);
      return NONE;
    case "cpu.pause":
      await ctx.plumbing.pause(cpuId(f.cpu));
      return NONE;
    case "cpu.restart":
      await ctx.plumbing.restart(cpuId(f.cpu), 1);
      return NONE;
    case "cpu.throttle":
      await ctx.plumbing.setCpus(cpuId(f.cpu), f.cores);
      return NONE;
    case "cpu.memory": {
      const r = await fetch(`${await ctx.agentUrl(f.cpu)}/faults/memory?id=${id}&mb=${f.mb}`, { method: "POST" });
      if (!r.ok) throw new Error(`${f.cpu} refused the memory fault: ${await r.text()}`);
      return NONE;
    }
    case "pair.crash": {
      const cpu = await primaryOf(ctx, f.service);
      const r = await fetch(`${await ctx.agentUrl(cpu)}/faults/crash?id=${id}&service=${encodeURIComponent(f.service)}&step=${f.step}`, { method: "POST" });
      if (!r.ok) throw new Error(`${cpu} refused the crash point: ${await r.text()}`);
      // The fault is in place once the CPU has crashed, which its next commit does: a
      // schedule that heals soon after must not disarm a point that never had its moment.
      // A service with no traffic keeps it armed until healed.
      await waitFor(`${cpu} to reach its crash point`, async () => (await ctx.plumbing.inspect(dockerName(ctx.lab, cpu))).state !== "running", 3000, 20).catch(() => undefined);
      return { kind: "crash", cpu };
    }
    case "replica.diverge": {
      const r = await fetch(`${await ctx.agentUrl(f.cpu)}/faults/diverge?id=${id}`, { method: "POST" });
      if (!r.ok) throw new Error(`${f.cpu} refused the divergence fault: ${await r.text()}`);
      return NONE;
    }
    case "link.toxic": {
      const r = await ctx.router(`router-${f.plane}`);
      await r.addToxic(linkName(f.from, f.to), { ...f.toxic, name: toxicName(id), ...(f.stream ? { stream: f.stream } : {}) });
      return NONE;
    }
    case "link.down":
      await setLinks(ctx, `router-${f.plane}`, [linkName(f.from, f.to)], false);
      return NONE;
    case "plane.toxic": {
      const r = await ctx.router(`router-${f.plane}`);
      await Promise.all(planeProxies(ctx, f.plane).map((p) => r.addToxic(p, { ...f.toxic, name: toxicName(id), ...(f.stream ? { stream: f.stream } : {}) })));
      return NONE;
    }
    case "plane.fail":
      await ctx.plumbing.kill(dockerName(ctx.lab, `router-${f.plane}`));
      return NONE;
    case "node.isolate":
      await Promise.all(f.planes.map((p) => ctx.plumbing.disconnect(dockerName(ctx.lab, `servernet-${p}`), cpuId(f.cpu))));
      return NONE;
    case "partition": {
      const cuts = cutLinks(f.grudge);
      await Promise.all(ctx.topology.planes.map((p) => setLinks(ctx, p.router, cuts.map((c) => linkName(c.from, c.to)), false)));
      return NONE;
    }
    case "disk.corrupt":
      return { kind: "corrupt", flips: await corrupt(ctx, id, f.mirror, f.bytes, f.seed) };
    case "disk.wipe":
      return { kind: "wipe", backupVolume: await wipe(ctx, id, f.mirror) };
    case "disk.fail":
      return { kind: "fail", mode: await failDisk(ctx, id, f.mirror) };
    case "edge.toxic": {
      const r = await ctx.router(ctx.topology.edge.router);
      await Promise.all(edgeProxies(ctx, f.service).map((p) => r.addToxic(p, { ...f.toxic, name: toxicName(id), ...(f.stream ? { stream: f.stream } : {}) })));
      return NONE;
    }
    case "edge.down":
      await setLinks(ctx, ctx.topology.edge.router, edgeProxies(ctx, f.service), false);
      return NONE;
  }
}

export async function revert(f: Fault, undo: Undo, id: string, ctx: FaultContext): Promise<void> {
  switch (f.kind) {
    case "cpu.kill":
    case "cpu.stop":
    case "cpu.pause":
      return revive(ctx, f.cpu);
    case "cpu.restart":
      // Transient: it already came back. Make sure it answers.
      return revive(ctx, f.cpu);
    case "cpu.throttle": {
      const cores = ctx.topology.cpus.find((c) => c.name === f.cpu)?.cpus ?? 0.5;
      await ctx.plumbing.setCpus(dockerName(ctx.lab, f.cpu), cores);
      return;
    }
    case "cpu.memory": {
      // A CPU that died meanwhile holds nothing any more.
      const url = await ctx.agentUrl(f.cpu).catch(() => undefined);
      if (url) await fetch(`${url}/faults/memory?id=${id}`, { method: "DELETE" });
      return;
    }
    case "pair.crash": {
      // Fired: the CPU is down, and healing is repairing it. Not fired yet: disarm it.
      const cpu = undo.kind === "crash" ? undo.cpu : undefined;
      if (!cpu) return;
      const url = await ctx.agentUrl(cpu).catch(() => undefined);
      const reply = url ? await fetch(`${url}/faults/crash?id=${id}`, { method: "DELETE" }).then((r) => r.json() as Promise<{ armed: { id: string }[]; disarmed?: boolean }>, () => undefined) : undefined;
      if (reply?.disarmed) return;
      // It fired: the CPU is dead or dying (an exit a moment ago may not show yet). Let it
      // finish dying, then repair it.
      await waitFor(`${cpu} to finish crashing`, async () => (await ctx.plumbing.inspect(dockerName(ctx.lab, cpu))).state !== "running", 3000, 50).catch(() => undefined);
      return revive(ctx, cpu);
    }
    case "replica.diverge": {
      // The replica computes rightly again. The voter keeps it switched off: that was the
      // machine's answer to the fault, as a fenced primary's is, and is not undone here.
      const url = await ctx.agentUrl(f.cpu).catch(() => undefined);
      if (url) await fetch(`${url}/faults/diverge?id=${id}`, { method: "DELETE" });
      return;
    }
    case "link.toxic": {
      const r = await ctx.router(`router-${f.plane}`);
      await r.removeToxic(linkName(f.from, f.to), toxicName(id));
      return;
    }
    case "link.down":
      return setLinks(ctx, `router-${f.plane}`, [linkName(f.from, f.to)], true);
    case "plane.toxic": {
      const r = await ctx.router(`router-${f.plane}`);
      await Promise.all(planeProxies(ctx, f.plane).map((p) => r.removeToxic(p, toxicName(id))));
      return;
    }
    case "plane.fail":
      return reviveRouter(ctx, `router-${f.plane}`);
    case "node.isolate": {
      const cid = dockerName(ctx.lab, f.cpu);
      await Promise.all(f.planes.map((p) => ctx.plumbing.connect(dockerName(ctx.lab, `servernet-${p}`), cid, [planeAlias(f.cpu, p)])));
      return;
    }
    case "partition": {
      const cuts = cutLinks(f.grudge);
      await Promise.all(ctx.topology.planes.map((p) => setLinks(ctx, p.router, cuts.map((c) => linkName(c.from, c.to)), true)));
      return;
    }
    case "disk.corrupt":
      if (undo.kind === "corrupt") await restoreBytes(ctx, id, f.mirror, undo.flips);
      return;
    case "disk.wipe":
      if (undo.kind === "wipe") await unwipe(ctx, id, f.mirror, undo.backupVolume);
      return;
    case "disk.fail":
      await unfailDisk(ctx, id, f.mirror, undo.kind === "fail" ? undo.mode : "755");
      return;
    case "edge.toxic": {
      const r = await ctx.router(ctx.topology.edge.router);
      await Promise.all(edgeProxies(ctx, f.service).map((p) => r.removeToxic(p, toxicName(id))));
      return;
    }
    case "edge.down":
      return setLinks(ctx, ctx.topology.edge.router, edgeProxies(ctx, f.service), true);
  }
}
