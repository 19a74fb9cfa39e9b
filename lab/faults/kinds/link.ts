// Link faults: one CPU-to-CPU link of a plane, through that plane's router (Toxiproxy),
// and partitions, which cut links on both planes by a grudge.
import { z } from "zod";
import { UsageError } from "../../errors.js";
import { linkName } from "../../topology/links.js";
import { PLANES } from "../../topology/types.js";
import { cutLinks, grudgeFromSides, halves, majoritiesRing, splitOne } from "../partition.js";
import type { FaultContext } from "../context.js";
import { HEALED, NOTHING, checkCpu, checkPlane, kind, need, setLinks } from "./kind.js";
import { StreamSchema, ToxicSchema, addToxic, removeToxic, toxicFromCli, toxicNames } from "./toxic.js";

export const PlaneSchema = z.enum(PLANES, { message: `unknown plane; allowed: ${PLANES.join(", ")}` });

function checkLink(f: { plane: string; from: string; to: string }, t: Parameters<typeof checkPlane>[2], at: string): void {
  checkPlane(at, f.plane, t);
  checkCpu(at, "from", f.from, t);
  checkCpu(at, "to", f.to, t);
  if (f.from === f.to) throw new UsageError(`${at}.to: a link joins two different CPUs (from and to are both ${f.from})`);
}

const linkOf = (i: { target: string | undefined; flags: { plane?: string; from?: string; to?: string } }) => ({
  plane: need("--plane", i.flags.plane ?? i.target),
  from: need("--from", i.flags.from),
  to: need("--to", i.flags.to),
});

async function setPartition(ctx: FaultContext, grudge: Record<string, string[]>, enabled: boolean): Promise<void> {
  const cuts = cutLinks(grudge).map((c) => linkName(c.from, c.to));
  await Promise.all(ctx.topology.planes.map((p) => setLinks(ctx, p.router, cuts, enabled)));
}

export const linkFaults = {
  "link.toxic": kind({
    schema: z.object({ kind: z.literal("link.toxic"), plane: PlaneSchema, from: z.string(), to: z.string(), toxic: ToxicSchema, stream: StreamSchema }).strict(),
    summary: "a toxic on one link: what --from sends to --to on --plane",
    describe: (f) => `link.${f.toxic.type} ${f.plane} ${f.from}→${f.to}`,
    check: checkLink,
    cli: { names: toxicNames("link"), parse: (i) => ({ kind: "link.toxic", ...linkOf(i), ...toxicFromCli(i) }) },
    apply: async (f, id, ctx) => {
      await addToxic(await ctx.router(`router-${f.plane}`), [linkName(f.from, f.to)], id, f.toxic, f.stream);
      return NOTHING;
    },
    revert: async (f, _undo, id, ctx) => {
      await removeToxic(await ctx.router(`router-${f.plane}`), [linkName(f.from, f.to)], id);
      return HEALED;
    },
  }),

  "link.down": kind({
    schema: z.object({ kind: z.literal("link.down"), plane: PlaneSchema, from: z.string(), to: z.string() }).strict(),
    summary: "one link down: --from cannot reach --to on --plane",
    describe: (f) => `link.down ${f.plane} ${f.from}→${f.to}`,
    check: checkLink,
    cli: { parse: (i) => ({ kind: "link.down", ...linkOf(i) }) },
    apply: async (f, _id, ctx) => {
      await setLinks(ctx, `router-${f.plane}`, [linkName(f.from, f.to)], false);
      return NOTHING;
    },
    revert: async (f, _undo, _id, ctx) => {
      await setLinks(ctx, `router-${f.plane}`, [linkName(f.from, f.to)], true);
      return HEALED;
    },
  }),

  partition: kind({
    schema: z.object({ kind: z.literal("partition"), grudge: z.record(z.string(), z.array(z.string())) }).strict(),
    summary: "a grudge on both planes: --sides 'a,b|c,d', --split-one cpu-N, --halves or --ring",
    describe: (f) =>
      `partition ${Object.entries(f.grudge)
        .filter(([, from]) => from.length > 0)
        .map(([a, from]) => `${a}✕{${from.join(",")}}`)
        .join(" ")}`,
    check: (f, t, at) => {
      for (const [to, froms] of Object.entries(f.grudge)) {
        checkCpu(at, "grudge", to, t);
        for (const from of froms) {
          checkCpu(at, `grudge.${to}`, from, t);
          if (from === to) throw new UsageError(`${at}.grudge.${to}: a CPU cannot hold a grudge against itself`);
        }
      }
    },
    cli: {
      parse: ({ flags: f, cpus }) => {
        if (f.sides) return { kind: "partition", grudge: grudgeFromSides(f.sides.split("|").map((s) => s.split(",").map((c) => c.trim()).filter(Boolean))) };
        if (f.splitOne) return { kind: "partition", grudge: grudgeFromSides(splitOne(cpus, f.splitOne)) };
        if (f.halves) return { kind: "partition", grudge: grudgeFromSides(halves(cpus)) };
        if (f.ring) return { kind: "partition", grudge: majoritiesRing(cpus) };
        throw new UsageError("partition: say which, with --sides 'cpu-0,cpu-1|cpu-2,cpu-3', --split-one cpu-N, --halves or --ring");
      },
    },
    apply: async (f, _id, ctx) => {
      await setPartition(ctx, f.grudge, false);
      return NOTHING;
    },
    revert: async (f, _undo, _id, ctx) => {
      await setPartition(ctx, f.grudge, true);
      return HEALED;
    },
  }),
};
