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

/** Runs `script` in the target's namespace to completion; its stdout, or a LabError with its stderr on one line. */
export async function runIn(ctx: HelperContext, target: AppContainer, faultId: string, reach: Reach, script: string, env: Record<string, string> = {}): Promise<string> {
  const r: ExecResult = await ctx.plumbing.container.runOnce({ ...spec(ctx, target, faultId, reach, script, `tool-${faultId}-${randomBytes(2).toString("hex")}`, env), timeoutMs: 30_000 });
  const why = (r.stderr || r.stdout).trim().split("\n").join("; ");
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
  for (let i = 0; i < 100; i++) {
    const logs = await ctx.plumbing.container.logs(c.id);
    if (/^ready/m.test(logs.stdout)) return;
    const now = await ctx.plumbing.container.inspect(c.id);
    if (now.state !== "running") {
      await ctx.plumbing.container.remove(c.id);
      throw new LabError(`${target.target}: ${(logs.stderr || logs.stdout).trim().split("\n").join("; ") || "the netem helper exited"}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new LabError(`${target.target}: the netem helper did not come up in 5 s`);
}

/** Removes a fault's long-lived helpers (never an error when there are none). */
export async function release(ctx: HelperContext, faultId: string): Promise<void> {
  const mine = (await ctx.plumbing.container.list(ctx.lab, "tool")).filter((c) => c.labels[LABEL_FAULT_ID] === faultId);
  await Promise.all(mine.map((c) => ctx.plumbing.container.remove(c.id)));
}
