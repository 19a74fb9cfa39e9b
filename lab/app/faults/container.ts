// Faults of a whole container of the user's project, through the Engine API, as Pumba's
// kill/stop/restart/pause: the heal brings every targeted container back to running.
import { z } from "zod";
import { HEALED, NOTHING } from "../../faults/kinds/kind.js";
import { select } from "../system.js";
import { appKind, backUp, healTargets, needTarget, targets, type AppContext } from "./kind.js";

const target = z.string().min(1, "a Compose service, e.g. api or api.2");


function downContainer<K extends string>(k: K, summary: string, act: (ctx: AppContext, id: string) => Promise<void>) {
  return appKind({
    schema: z.object({ kind: z.literal(k), target }).strict(),
    summary,
    describe: (f) => `${f.kind} ${f.target}`,
    check: (f, snap, at) => void select(snap, `${at}.target`, f.target),
    cli: { parse: (i) => ({ kind: k, target: needTarget(i) }) },
    apply: async (f, _id, ctx) => {
      await Promise.all((await targets(ctx, f.target)).map((c) => act(ctx, c.container.id)));
      return NOTHING;
    },
    revert: async (f, _undo, _id, ctx) => {
      await backUp(ctx, await healTargets(ctx, f.target));
      return HEALED;
    },
  });
}

export const containerFaults = {
  "container.kill": downContainer("container.kill", "SIGKILL the container (all replicas with svc.*)", (ctx, id) => ctx.plumbing.container.kill(id)),
  "container.stop": downContainer("container.stop", "graceful stop: SIGTERM, then SIGKILL after 2 s", (ctx, id) => ctx.plumbing.container.stop(id, 2)),
  "container.restart": downContainer("container.restart", "stop and start again: a transient failure", (ctx, id) => ctx.plumbing.container.restart(id, 1)),
  "container.pause": downContainer("container.pause", "freeze every process of the container: alive but silent", (ctx, id) => ctx.plumbing.container.pause(id)),
};
