// Plane faults: a whole interconnect plane slowed or failed (its router), or one CPU cut
// off from planes at the Docker network level.
import { z } from "zod";
import { dockerName } from "../../docker/plumbing.js";
import { planMachine } from "../../machine/plan.js";
import { links, planeAlias } from "../../topology/links.js";
import { PLANES, type PlaneName } from "../../topology/types.js";
import { waitFor } from "../../util/http.js";
import type { FaultContext } from "../context.js";
import { HEALED, NOTHING, checkCpu, checkPlane, kind, need } from "./kind.js";
import { PlaneSchema } from "./link.js";
import { StreamSchema, ToxicSchema, addToxic, removeToxic, toxicFromCli, toxicNames } from "./toxic.js";

function planeProxies(ctx: FaultContext, plane: PlaneName): string[] {
  return links(ctx.topology)
    .filter((l) => l.plane === plane)
    .map((l) => l.proxy);
}

/** Restarts a plane's router and reloads its proxies, as `up` does. */
async function reviveRouter(ctx: FaultContext, name: string): Promise<void> {
  await ctx.parts.start(name);
  const where = await ctx.parts.locate(name);
  const c = await where.plumbing.container.inspect(where.id);
  const part = planMachine(ctx.topology, { cpu: ctx.toolImage, router: c.image }, ctx.vips).routers.find((r) => r.spec.name === name);
  await waitFor(`${name} API`, async () => (await ctx.router(name)).version().then(() => true), 20_000, 50);
  await (await ctx.router(name)).ensureProxies(part?.proxies ?? []);
}

const planeTarget = (i: { target: string | undefined; flags: { plane?: string } }) => need(`the plane (${PLANES.join(" or ")})`, i.target ?? i.flags.plane);

export const planeFaults = {
  "plane.toxic": kind({
    schema: z.object({ kind: z.literal("plane.toxic"), plane: PlaneSchema, toxic: ToxicSchema, stream: StreamSchema }).strict(),
    summary: "a toxic on every link of a plane",
    describe: (f) => `plane.${f.toxic.type} ${f.plane}`,
    check: (f, t, at) => checkPlane(at, f.plane, t),
    cli: { names: toxicNames("plane"), parse: (i) => ({ kind: "plane.toxic", plane: planeTarget(i), ...toxicFromCli(i) }) },
    apply: async (f, id, ctx) => {
      await addToxic(await ctx.router(`router-${f.plane}`), planeProxies(ctx, f.plane), id, f.toxic, f.stream);
      return NOTHING;
    },
    revert: async (f, _undo, id, ctx) => {
      await removeToxic(await ctx.router(`router-${f.plane}`), planeProxies(ctx, f.plane), id);
      return HEALED;
    },
  }),

  "plane.fail": kind({
    schema: z.object({ kind: z.literal("plane.fail"), plane: PlaneSchema }).strict(),
    summary: "kill the plane's router: the plane is gone",
    describe: (f) => `plane.fail ${f.plane}`,
    check: (f, t, at) => checkPlane(at, f.plane, t),
    cli: { parse: (i) => ({ kind: "plane.fail", plane: planeTarget(i) }) },
    apply: async (f, _id, ctx) => {
      const router = await ctx.parts.locate(`router-${f.plane}`);
      await router.plumbing.container.kill(router.id);
      return NOTHING;
    },
    revert: async (f, _undo, _id, ctx) => {
      await reviveRouter(ctx, `router-${f.plane}`);
      return HEALED;
    },
  }),

  "node.isolate": kind({
    schema: z.object({ kind: z.literal("node.isolate"), cpu: z.string(), planes: z.array(PlaneSchema).min(1) }).strict(),
    summary: "disconnect a CPU from planes at the Docker network level (--plane x, y or both)",
    describe: (f) => `node.isolate ${f.cpu} from ${f.planes.join("+")}`,
    check: (f, t, at) => {
      checkCpu(at, "cpu", f.cpu, t);
      f.planes.forEach((p) => checkPlane(at, p, t));
    },
    cli: { parse: (i) => ({ kind: "node.isolate", cpu: need("the CPU (e.g. cpu-1)", i.target), planes: !i.flags.plane || i.flags.plane === "both" ? [...PLANES] : [i.flags.plane] }) },
    // A task's networks are its service's: the engine refuses to disconnect a task's
    // container, and a service update would replace the task (a restart, not a cut).
    notOnSwarm: "a Swarm task cannot be disconnected from its service's networks; cut its links instead (partition --split-one, or link.down)",
    apply: async (f, _id, ctx) => {
      await Promise.all(f.planes.map((p) => ctx.plumbing.network.disconnect(dockerName(ctx.lab, `servernet-${p}`), dockerName(ctx.lab, f.cpu))));
      return NOTHING;
    },
    revert: async (f, _undo, _id, ctx) => {
      const cid = dockerName(ctx.lab, f.cpu);
      await Promise.all(f.planes.map((p) => ctx.plumbing.network.connect(dockerName(ctx.lab, `servernet-${p}`), cid, [planeAlias(f.cpu, p)])));
      return HEALED;
    },
  }),
};
