// Edge faults: the client link of one service (or of all) slowed or cut, at the edge
// router, between the outside world and the machine.
import { z } from "zod";
import type { FaultContext } from "../context.js";
import { HEALED, NOTHING, kind, oneOf, setLinks } from "./kind.js";
import { StreamSchema, ToxicSchema, addToxic, removeToxic, toxicFromCli, toxicNames } from "./toxic.js";
import type { Topology } from "../../topology/types.js";

function edgeProxies(ctx: FaultContext, service: string | undefined): string[] {
  return service ? [service] : ctx.topology.services.map((s) => s.name);
}

const checkService = (f: { service?: string | undefined }, t: Topology, at: string) => {
  if (f.service !== undefined) oneOf(`${at}.service`, "service", f.service, t.services.map((s) => s.name));
};
const serviceOf = (i: { target: string | undefined }) => (i.target ? { service: i.target } : {});

export const edgeFaults = {
  "edge.toxic": kind({
    schema: z.object({ kind: z.literal("edge.toxic"), service: z.string().optional(), toxic: ToxicSchema, stream: StreamSchema }).strict(),
    summary: "a toxic on the client link of one service, or of all",
    describe: (f) => `edge.${f.toxic.type} ${f.service ?? "all"}`,
    check: checkService,
    cli: { names: toxicNames("edge"), parse: (i) => ({ kind: "edge.toxic", ...serviceOf(i), ...toxicFromCli(i) }) },
    apply: async (f, id, ctx) => {
      await addToxic(await ctx.router(ctx.topology.edge.router), edgeProxies(ctx, f.service), id, f.toxic, f.stream);
      return NOTHING;
    },
    revert: async (f, _undo, id, ctx) => {
      await removeToxic(await ctx.router(ctx.topology.edge.router), edgeProxies(ctx, f.service), id);
      return HEALED;
    },
  }),

  "edge.down": kind({
    schema: z.object({ kind: z.literal("edge.down"), service: z.string().optional() }).strict(),
    summary: "the client link of one service (or of all) down",
    describe: (f) => `edge.down ${f.service ?? "all"}`,
    check: checkService,
    cli: { parse: (i) => ({ kind: "edge.down", ...serviceOf(i) }) },
    apply: async (f, _id, ctx) => {
      await setLinks(ctx, ctx.topology.edge.router, edgeProxies(ctx, f.service), false);
      return NOTHING;
    },
    revert: async (f, _undo, _id, ctx) => {
      await setLinks(ctx, ctx.topology.edge.router, edgeProxies(ctx, f.service), true);
      return HEALED;
    },
  }),
};
