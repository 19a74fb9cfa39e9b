// CPU faults: the processor module itself dies, stops, freezes, restarts, slows, runs out
// of memory, or (its voted replica) computes wrongly.
import { z } from "zod";
import { UsageError } from "../../errors.js";
import { votingReplicas } from "../../topology/voting.js";
import { waitFor } from "../../util/http.js";
import type { Located } from "../../machine/parts.js";
import type { FaultContext } from "../context.js";
import { HEALED, NOTHING, checkCpu, kind, need, num, oneOf } from "./kind.js";
import { primaryOf } from "./primary.js";

/**
 * Starts (or resumes) a CPU and waits until it is back in the machine: its runtime admitted
 * to a quorate membership view that includes it. Answering /health is not enough; a CPU
 * still booting under its quota answers slowly and belongs to no view yet.
 */
export async function revive(ctx: FaultContext, cpu: string): Promise<void> {
  await ctx.parts.start(cpu);
  await waitFor(
    `${cpu} to rejoin the membership`,
    async () => {
      const rt = await ctx.agent(cpu).runtime(500);
      const alive = rt.liveness.filter((l) => l.alive).map((l) => l.peer);
      return rt.admitted && rt.quorate && rt.view.members.includes(cpu) && alive.every((p) => rt.view.members.includes(p));
    },
    20_000,
    50,
  );
}

const cpu = z.string();
const target = (i: { target: string | undefined }) => need("the CPU (e.g. cpu-1)", i.target);

/** `primary:<service>`: the CPU that holds the service's primary when the fault is applied. */
const ROLE = /^primary:(.+)$/;

/** A CPU fault healed by bringing the CPU back: kill, stop, pause, restart. */
function downCpu<K extends string>(k: K, summary: string, act: (c: Located, ctx: FaultContext, name: string) => Promise<void>) {
  return kind({
    schema: z.object({ kind: z.literal(k), cpu }).strict(),
    summary,
    describe: (f) => `${f.kind} ${f.cpu}`,
    check: (f, t, at) => {
      const role = ROLE.exec(f.cpu)?.[1];
      if (role !== undefined) oneOf(`${at}.cpu`, "service for primary:", role, t.services.map((s) => s.name));
      else checkCpu(at, "cpu", f.cpu, t);
    },
    cli: { parse: (i) => ({ kind: k, cpu: target(i) }) },
    apply: async (f, _id, ctx) => {
      const role = ROLE.exec(f.cpu)?.[1];
      // A role is asked at the moment of the fault: repeated kills follow the primary as it moves.
      const name = role !== undefined ? await primaryOf(ctx, role) : f.cpu;
      await act(await ctx.parts.locate(name), ctx, name);
      return { cpu: name };
    },
    revert: async (f, undo, _id, ctx) => {
      await revive(ctx, undo?.cpu ?? f.cpu);
      return HEALED;
    },
    revives: true,
  });
}

export const cpuFaults = {
  "cpu.kill": downCpu("cpu.kill", "SIGKILL the CPU container and everything running in it", (c) => c.plumbing.container.kill(c.id)),
  "cpu.stop": downCpu("cpu.stop", "graceful stop (SIGTERM, then SIGKILL after 2 s)", (c) => c.plumbing.container.stop(c.id, 2)),
  "cpu.pause": downCpu("cpu.pause", "freeze every process of the CPU: alive but silent, the gray failure", (c) => c.plumbing.container.pause(c.id)),
  // Transient: it comes back by itself; the heal makes sure it answers. On Swarm the ended
  // task is not started again; the heal gives the service a new one.
  "cpu.restart": downCpu("cpu.restart", "stop and start again: a transient failure", (_c, ctx, name) => ctx.parts.restart(name, 1)),

  "cpu.throttle": kind({
    schema: z.object({ kind: z.literal("cpu.throttle"), cpu, cores: z.number().gt(0, "must be more than 0").max(2) }).strict(),
    summary: "lower the CPU's quota at run time (--cores)",
    describe: (f) => `cpu.throttle ${f.cpu} to ${f.cores} cores`,
    check: (f, t, at) => checkCpu(at, "cpu", f.cpu, t),
    cli: { parse: (i) => ({ kind: "cpu.throttle", cpu: target(i), cores: num("cores", i.flags.cores) }) },
    apply: async (f, _id, ctx) => {
      const c = await ctx.parts.locate(f.cpu);
      await c.plumbing.container.setCpus(c.id, f.cores);
      return NOTHING;
    },
    revert: async (f, _undo, _id, ctx) => {
      const c = await ctx.parts.locate(f.cpu);
      await c.plumbing.container.setCpus(c.id, ctx.topology.cpus.find((x) => x.name === f.cpu)?.cpus ?? 0.5);
      return HEALED;
    },
  }),

  "cpu.memory": kind({
    schema: z.object({ kind: z.literal("cpu.memory"), cpu, mb: z.number().int().min(1, "at least 1") }).strict(),
    summary: "hold memory inside the CPU, pressing it toward its limit (--mb)",
    describe: (f) => `cpu.memory ${f.cpu} +${f.mb} MB`,
    check: (f, t, at) => checkCpu(at, "cpu", f.cpu, t),
    cli: { parse: (i) => ({ kind: "cpu.memory", cpu: target(i), mb: num("mb", i.flags.mb) }) },
    apply: async (f, id, ctx) => {
      await ctx.agent(f.cpu).holdMemory(id, f.mb);
      return NOTHING;
    },
    revert: async (f, _undo, id, ctx) => {
      // A CPU that died meanwhile holds nothing any more.
      await ctx.agent(f.cpu).releaseMemory(id).catch(() => undefined);
      return HEALED;
    },
  }),

  "replica.diverge": kind({
    schema: z.object({ kind: z.literal("replica.diverge"), cpu }).strict(),
    summary: "the CPU's replica of the voted (TMR) compute service answers wrongly",
    describe: (f) => `replica.diverge ${f.cpu}`,
    check: (f, t, at) => {
      const replicas = votingReplicas(t);
      if (replicas.length === 0) throw new UsageError(`${at}.cpu: the voted compute service needs at least 3 CPUs; this lab has ${t.cpus.length}`);
      oneOf(`${at}.cpu`, "replica CPU", f.cpu, replicas);
    },
    cli: { parse: (i) => ({ kind: "replica.diverge", cpu: target(i) }) },
    apply: async (f, id, ctx) => {
      await ctx.agent(f.cpu).diverge(id);
      return NOTHING;
    },
    revert: async (f, _undo, id, ctx) => {
      // The replica computes rightly again. The voter keeps it switched off: that was the
      // machine's answer to the fault, as a fenced primary's is, and is not undone here.
      await ctx.agent(f.cpu).undiverge(id).catch(() => undefined);
      return HEALED;
    },
  }),
};
