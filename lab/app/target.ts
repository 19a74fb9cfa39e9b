// A user's Compose project as a fault target (../faults/target.ts): the lab's record of
// it, its containers read afresh for every fault, and its kinds (./faults/).
import type { Plumbing } from "../docker/plumbing.js";
import { LabError } from "../errors.js";
import type { FaultTarget } from "../faults/target.js";
import { applyAppFault, describeAppFault, isAppFaultKind, revertAppFault, type AppFault } from "./faults/index.js";
import type { AppContext } from "./faults/kind.js";
import { withdrawDeclared } from "./faults/link.js";
import { release } from "./helper.js";
import { appContainers, readSystemMarker, type AppSnapshot, type SystemRecord } from "./system.js";

function appFault(f: { kind: string }): AppFault {
  if (!isAppFaultKind(f.kind)) throw new LabError(`${f.kind} is not a fault of a Compose project`);
  return f as AppFault;
}

export async function snapshotOf(plumbing: Plumbing, lab: string, project: string): Promise<AppSnapshot> {
  const containers = await appContainers(plumbing, project);
  return { lab, project, services: [...new Set(containers.map((c) => c.service))].sort(), containers };
}

export function appContext(plumbing: Plumbing, lab: string, record: SystemRecord, toolImage: string): AppContext {
  return { plumbing, lab, toolImage, project: record.project, ...(record.routerImage ? { routerImage: record.routerImage } : {}), snapshot: () => snapshotOf(plumbing, lab, record.project) };
}

export function appTarget(ctx: AppContext): FaultTarget {
  return {
    lab: ctx.lab,
    plumbing: ctx.plumbing,
    toolImage: ctx.toolImage,
    apply: async (f, id) => {
      try {
        return await applyAppFault(appFault(f), id, ctx);
      } catch (err) {
        // A fault on several containers that failed on one is undone on all: nothing half-applied.
        await revertAppFault(appFault(f), undefined, id, ctx).catch(() => undefined);
        await release(ctx, id).catch(() => undefined);
        throw err;
      }
    },
    revert: (f, undo, id) => revertAppFault(appFault(f), undo, id, ctx),
    describe: (f) => describeAppFault(appFault(f)),
    revives: () => false,
    // Every helper a fault kept, and the link router, are gone once every fault is healed;
    // any left (an injector killed between making one and recording its fault) goes now.
    reconcile: async () => {
      await withdrawDeclared(ctx).catch(() => undefined);
      for (const c of [...(await ctx.plumbing.container.list(ctx.lab, "tool")), ...(await ctx.plumbing.container.list(ctx.lab, "router"))]) await ctx.plumbing.container.remove(c.id);
    },
  };
}

/** The fault target of a lab whose system is a Compose project, or undefined for a machine lab. */
export async function readAppTarget(plumbing: Plumbing, lab: string): Promise<{ ctx: AppContext; target: FaultTarget; record: SystemRecord } | undefined> {
  const found = await readSystemMarker(plumbing, lab);
  if (!found) return undefined;
  const ctx = appContext(plumbing, lab, found.record, found.image);
  return { ctx, target: appTarget(ctx), record: found.record };
}
