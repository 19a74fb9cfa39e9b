// What a fault kind on a user's system is: the same definition as the machine's kinds
// (../../faults/kinds/kind.ts), checked against the project's containers and acting
// through helper containers and the Engine API.
import type { z } from "zod";
import type { FaultFlags, KindDef } from "../../faults/kinds/kind.js";
import { LabError, UsageError } from "../../errors.js";
import type { HelperContext } from "../helper.js";
import { select, type AppContainer, type AppSnapshot } from "../system.js";

export interface AppContext extends HelperContext {
  project: string;
  /** The lab's Toxiproxy image, for link faults (recorded when the project was brought up or adopted). */
  routerImage?: string;
  /** The project's containers now (a restarted container has a new id and address). */
  snapshot(): Promise<AppSnapshot>;
}

export interface AppCliInput {
  name: string;
  target: string | undefined;
  flags: FaultFlags;
}

export type AppKindDef<F extends { kind: string }, U> = KindDef<F, U, AppSnapshot, AppContext, AppCliInput>;

export function appKind<S extends z.ZodType<{ kind: string }>, U>(def: AppKindDef<z.infer<S>, U> & { schema: S }): AppKindDef<z.infer<S>, U> & { schema: S } {
  return def;
}

/** The running containers a fault's target names, read afresh at apply time. */
export async function targets(ctx: AppContext, target: string, field = "target"): Promise<AppContainer[]> {
  return select(await ctx.snapshot(), field, target);
}

/** At heal time: whatever containers the target still names, running or not (a heal must not fail on a stopped one). */
export async function healTargets(ctx: AppContext, target: string): Promise<AppContainer[]> {
  try {
    return select(await ctx.snapshot(), "target", target, { running: false });
  } catch {
    return [];
  }
}

/**
 * Brings containers back to running and, where they have a healthcheck, waits until it
 * passes again: a heal is done when the service is, not when its process has started.
 */
export async function backUp(ctx: AppContext, cs: AppContainer[], timeoutMs = 60_000): Promise<void> {
  await Promise.all(
    cs.map(async (c) => {
      await ctx.plumbing.container.ensureRunning(c.container.id);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const now = await ctx.plumbing.container.inspect(c.container.id);
        if (now.state === "running" && (now.health === "healthy" || now.health === "none")) return;
        if (Date.now() > deadline) throw new LabError(`${c.target} is ${now.state}${now.health !== "none" ? `, ${now.health}` : ""} ${timeoutMs / 1000} s after its heal`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }),
  );
}

export function percent(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined) throw new UsageError(`--${flag} is required`);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0 || n > 100) throw new UsageError(`--${flag}: a number above 0 and at most 100 (got '${value}')`);
  return n;
}

export function needTarget(i: AppCliInput): string {
  if (!i.target) throw new UsageError("the target is required: a Compose service (api), a replica (api.2) or every replica (api.*)");
  return i.target;
}
