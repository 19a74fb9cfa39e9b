// Helper containers that act inside a user's container without changing it (Pumba's way):
// one joins the target's network namespace (`network_mode: container:<id>`, NET_ADMIN
// only) to set qdiscs and iptables rules, or its process namespace to signal a process,
// or mounts its volumes to reach its disk. They are made from the lab's tool image, which
// carries iproute2, iptables, procps and nonstop-netem (tools/netem/). Each is labelled
// with the lab and the fault it serves, so `nonstop reap` removes any left behind.
import { randomBytes } from "node:crypto";
import type { ContainerSpec, ExecResult, Plumbing } from "../docker/plumbing.js";
import { LabError, UsageError } from "../errors.js";
import type { AppContainer } from "./system.js";

export const LABEL_FAULT_ID = "nonstop.fault-id";
export const LABEL_TARGET = "nonstop.target";

export interface HelperContext {
  plumbing: Plumbing;
  lab: string;
  toolImage: string;
}

export type Reach = "net" | "pid" | "disk";

function spec(ctx: HelperContext, target: AppContainer, faultId: string, reach: Reach, script: string, name: string, env: Record<string, string> = {}): ContainerSpec {
  const id = target.container.id;
  return {
    env,
    lab: ctx.lab,
    role: "tool",
    name,
    image: ctx.toolImage,
    entrypoint: ["sh", "-c", script],
    labels: { [LABEL_FAULT_ID]: faultId, [LABEL_TARGET]: target.target },
    ...(reach === "net" ? { networkMode: `container:${id}`, capAdd: ["NET_ADMIN"] } : { networks: [{ network: "none" }] }),
    ...(reach === "pid" ? { pidMode: `container:${id}` } : {}),
    ...(reach === "disk" ? { volumesFrom: [id] } : {}),
  };
}

/** What a helper said, on one line: its stderr, else its stdout. */
function said(logs: { stdout: string; stderr: string }): string {
  return (logs.stderr || logs.stdout).trim().split("\n").join("; ");
}

/**
 * Waits until a started helper's script says it is in place (a line starting `ready`);
 * one that exits first fails with what it said, after `exited` has run.
 */
async function untilReady(ctx: HelperContext, id: string, target: AppContainer, what: string, seconds: number, exited: () => Promise<void> = () => Promise.resolve()): Promise<void> {
  for (let i = 0; i < seconds * 20; i++) {
    const logs = await ctx.plumbing.container.logs(id);
    if (/^ready/m.test(logs.stdout)) return;
    if ((await ctx.plumbing.container.inspect(id)).state !== "running") {
      await exited();
      throw new LabError(`${target.target}: ${said(logs) || `${what} exited`}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new LabError(`${target.target}: ${what} was not ready in ${seconds} s`);
}

/** Runs `script` in the target's namespace to completion; its stdout, or a LabError with its stderr on one line. */
export async function runIn(ctx: HelperContext, target: AppContainer, faultId: string, reach: Reach, script: string, env: Record<string, string> = {}): Promise<string> {
  const r: ExecResult = await ctx.plumbing.container.runOnce({ ...spec(ctx, target, faultId, reach, script, `tool-${faultId}-${randomBytes(2).toString("hex")}`, env), timeoutMs: 30_000 });
  const why = said(r);
  // A script exits 3 when the input does not fit the container (no such process, not a volume): the user's to fix.
  if (r.exitCode === 3) throw new UsageError(why);
  if (r.exitCode !== 0) throw new LabError(`${target.target}: ${why || `helper exited ${r.exitCode}`}`);
  return r.stdout;
}

/** The name of the long-lived helper a fault keeps on one target (nonstop-netem holding its packets). */
export function keeperName(faultId: string, target: AppContainer): string {
  return `netem-${faultId}-${target.target.replace(/\./g, "-")}`;
}

/**
 * Starts a helper that lives as long as the fault (nonstop-netem), and waits until its
 * script says it is in place (a line starting `ready`), or fails with its output.
 */
export async function keep(ctx: HelperContext, target: AppContainer, faultId: string, script: string): Promise<void> {
  const name = keeperName(faultId, target);
  // Restarted by the engine should it ever exit with an error: a fault must not quietly stop.
  const c = await ctx.plumbing.container.run({ ...spec(ctx, target, faultId, "net", script, name), restartOnFailure: true });
  await untilReady(ctx, c.id, target, "the netem helper", 5, () => ctx.plumbing.container.remove(c.id));
}

/** Removes a fault's long-lived helpers (never an error when there are none). */
export async function release(ctx: HelperContext, faultId: string): Promise<void> {
  const mine = (await ctx.plumbing.container.list(ctx.lab, "tool")).filter((c) => c.labels[LABEL_FAULT_ID] === faultId);
  await Promise.all(mine.map((c) => ctx.plumbing.container.remove(c.id)));
}

export interface TogetherJob {
  target: AppContainer;
  /** Runs first, in every helper, before any `go` (e.g. build a chain of DROP rules). */
  prepare: string;
  /** Runs in every helper at once, when all have prepared (e.g. hook the chain in). */
  go: string;
}

/**
 * Runs scripts in several targets' network namespaces so that their effect starts at one
 * moment: a partition cut into six containers one helper at a time took effect over
 * several seconds on a busy machine (helpers start in about a second each), and a system
 * whose election saw one side cut before the other behaved as under no partition at all.
 * Each helper prepares, says `ready` and waits; when every one has, each gets SIGUSR1 and
 * runs its `go` (a few milliseconds apart). Any failure removes them all, with no `go` run.
 */
export async function runTogether(ctx: HelperContext, faultId: string, jobs: readonly TogetherJob[]): Promise<void> {
  const started: { id: string; job: TogetherJob }[] = [];
  try {
    await Promise.all(
      jobs.map(async (job) => {
        // `wait` on a background sleep returns at once on the trapped signal; 60 s without one is a failure (exit 4).
        const script = [`set -e`, job.prepare, `go() { ${job.go}\necho done; exit 0; }`, `trap go USR1`, `echo ready`, `sleep 60 & wait $!`, `exit 4`].join("\n");
        const c = await ctx.plumbing.container.run(spec(ctx, job.target, faultId, "net", script, `tool-${faultId}-${randomBytes(2).toString("hex")}`));
        started.push({ id: c.id, job });
        await untilReady(ctx, c.id, job.target, "the helper", 30);
      }),
    );
    await Promise.all(started.map((s) => ctx.plumbing.container.kill(s.id, "SIGUSR1")));
    await Promise.all(
      started.map(async (s) => {
        const res = (await ctx.plumbing.docker.getContainer(s.id).wait()) as { StatusCode: number };
        if (res.StatusCode !== 0) {
          const logs = await ctx.plumbing.container.logs(s.id);
          throw new LabError(`${s.job.target.target}: ${said(logs) || `helper exited ${res.StatusCode}`}`);
        }
      }),
    );
  } finally {
    await Promise.all(started.map((s) => ctx.plumbing.container.remove(s.id).catch(() => undefined)));
  }
}
