// Network faults inside a user's container's own network namespace, from a helper that
// joins it (NET_ADMIN only); the user's image needs nothing.
//
// netem (sch_netem) is the usual tool, and Pumba's, but it is a kernel module that many
// CI kernels leave out, this project's own among them. So delay, jitter, loss and
// corruption come from netfilter instead, which every Docker host has: an iptables rule
// sends the target's outgoing packets to a queue, and nonstop-netem (tools/netem/), kept
// running in the namespace for as long as the fault lasts, holds, drops or damages each
// one. The rule has --queue-bypass, so if the helper dies the packets simply flow.
// Duplication is iptables' TEE, the rate limit a tbf qdisc, and a partition DROP rules on
// both sides. Each fault owns one chain named for it, so a heal removes exactly its rules.
import { z } from "zod";
import { UsageError } from "../../errors.js";
import { HEALED, NOTHING, num } from "../../faults/kinds/kind.js";
import { LABEL_TARGET, keep, release, runIn, runTogether } from "../helper.js";
import { select, type AppContainer, type AppSnapshot } from "../system.js";
import { appKind, healTargets, needTarget, percent, targets, type AppContext } from "./kind.js";

/** The chain a fault's rules live in (iptables allows 28 characters). */
export function chainOf(id: string): string {
  return `NS-${id}`.slice(0, 28);
}

/** The netfilter queue a fault's packets go to: derived from its id, one per fault. */
function queueOf(id: string): number {
  return (Number.parseInt(id.replace(/[^0-9a-f]/g, "").slice(-4) || "0", 16) % 65000) + 1;
}

const unhook = (table: string, hook: string, match: string, chain: string) => `while iptables -w -t ${table} -D ${hook} ${match} -j ${chain} 2>/dev/null; do :; done`;
/** Removes a fault's chain and every jump to it; harmless when they are gone. */
function dropChain(table: string, hooks: { hook: string; match: string }[], chain: string): string {
  return [...hooks.map((h) => unhook(table, h.hook, h.match, chain)), `iptables -w -t ${table} -F ${chain} 2>/dev/null`, `iptables -w -t ${table} -X ${chain} 2>/dev/null`, "true"].join("; ");
}

const EGRESS = [{ hook: "OUTPUT", match: "! -o lo" }];

/** One queue fault per container at a time: a second queue rule would never see the packets the first one accepted. */
async function refuseStacked(ctx: AppContext, cs: AppContainer[], kind: string): Promise<void> {
  const keepers = await ctx.plumbing.container.list(ctx.lab, "tool");
  for (const c of cs) {
    const busy = keepers.find((k) => k.labels[LABEL_TARGET] === c.target && k.state === "running");
    if (busy) throw new UsageError(`${kind}: ${c.target} already has a net.delay, net.loss or net.corrupt (${busy.labels["nonstop.fault-id"] ?? "?"}); heal it first, or use one fault with both settings`);
  }
}

interface Queued {
  delayMs?: number;
  jitterMs?: number;
  loss?: number;
  corrupt?: number;
}

async function queueFault(ctx: AppContext, kind: string, target: string, id: string, q: Queued): Promise<null> {
  const cs = await targets(ctx, target);
  await refuseStacked(ctx, cs, kind);
  const chain = chainOf(id);
  const queue = queueOf(id);
  const args = [`--queue ${queue}`, `--seed ${queue}`];
  if (q.delayMs) args.push(`--delay ${q.delayMs}ms`);
  if (q.jitterMs) args.push(`--jitter ${q.jitterMs}ms`);
  if (q.loss) args.push(`--loss ${q.loss}`);
  if (q.corrupt) args.push(`--corrupt ${q.corrupt}`);
  // Idempotent, since the engine restarts the keeper if nonstop-netem ever exits with an error.
  const script = [
    "set -e",
    `iptables -w -N ${chain} 2>/dev/null || iptables -w -F ${chain}`,
    `iptables -w -A ${chain} -j NFQUEUE --queue-num ${queue} --queue-bypass`,
    `iptables -w -C OUTPUT ! -o lo -j ${chain} 2>/dev/null || iptables -w -I OUTPUT ! -o lo -j ${chain}`,
    `exec nonstop-netem ${args.join(" ")}`,
  ].join("\n");
  try {
    await Promise.all(cs.map((c) => keep(ctx, c, id, script)));
  } catch (err) {
    await unqueue(ctx, target, id);
    throw err;
  }
  return NOTHING;
}

async function unqueue(ctx: AppContext, target: string, id: string): Promise<void> {
  await release(ctx, id);
  await Promise.all((await healTargets(ctx, target)).filter((c) => c.container.state === "running").map((c) => runIn(ctx, c, id, "net", dropChain("filter", EGRESS, chainOf(id)))));
}

/** The heal of every queue fault: its keeper gone, its chain removed. */
const healQueued = async (f: { target: string }, _undo: null, id: string, ctx: AppContext) => {
  await unqueue(ctx, f.target, id);
  return HEALED;
};

const target = z.string().min(1, "a Compose service, e.g. api or api.2");
const pct = z.number().gt(0, "more than 0").max(100, "at most 100");
const checkTarget = (t: string, snap: AppSnapshot, at: string) => void select(snap, `${at}.target`, t);

/** The groups of a partition: `api,db1/db2,db3` → [[api, db1], [db2, db3]]. */
export function parseGroups(value: string | undefined): string[][] {
  if (!value) throw new UsageError("--groups is required: targets separated by ',' and groups by '/', e.g. --groups api/db,cache");
  const groups = value.split("/").map((g) => g.split(",").map((s) => s.trim()).filter(Boolean));
  if (groups.length < 2 || groups.some((g) => g.length === 0)) throw new UsageError(`--groups: at least two groups, none empty, separated by '/' (got '${value}')`);
  return groups;
}

/** A queue fault on a share of the packets a container sends (loss, corruption): nonstop-netem judges each. */
function queuedShare<K extends "net.loss" | "net.corrupt">(k: K, summary: string, queued: (percent: number) => Queued) {
  return appKind({
    schema: z.object({ kind: z.literal(k), target, percent: pct }).strict(),
    summary,
    describe: (f) => `${f.kind} ${f.target} ${f.percent}%`,
    check: (f, snap, at) => checkTarget(f.target, snap, at),
    cli: { parse: (i) => ({ kind: k, target: needTarget(i), percent: percent("percent", i.flags.percent) }) },
    apply: (f, id, ctx) => queueFault(ctx, f.kind, f.target, id, queued(f.percent)),
    revert: healQueued,
  });
}

export const netFaults = {
  "net.delay": appKind({
    schema: z.object({ kind: z.literal("net.delay"), target, ms: z.number().gt(0, "more than 0").max(60_000, "at most 60000"), jitterMs: z.number().min(0).max(60_000).default(0) }).strict(),
    summary: "delay every packet the container sends (--ms, --jitter)",
    describe: (f) => `net.delay ${f.target} ${f.ms}ms${f.jitterMs ? ` ±${f.jitterMs}ms` : ""}`,
    check: (f, snap, at) => {
      checkTarget(f.target, snap, at);
      if (f.jitterMs > f.ms) throw new UsageError(`${at}.jitterMs: at most the delay (${f.ms})`);
    },
    cli: { parse: (i) => ({ kind: "net.delay", target: needTarget(i), ms: num("ms", i.flags.ms), jitterMs: num("jitter", i.flags.jitter, 0) }) },
    apply: (f, id, ctx) => queueFault(ctx, f.kind, f.target, id, { delayMs: f.ms, jitterMs: f.jitterMs }),
    revert: healQueued,
  }),

  "net.loss": queuedShare("net.loss", "drop a share of the packets the container sends (--percent)", (percent) => ({ loss: percent })),
  "net.corrupt": queuedShare("net.corrupt", "flip a byte in a share of the packets the container sends (--percent); their checksums then fail", (percent) => ({ corrupt: percent })),

  "net.duplicate": appKind({
    schema: z.object({ kind: z.literal("net.duplicate"), target, percent: pct }).strict(),
    summary: "send a second copy of a share of the packets the container sends to the project's containers (--percent)",
    describe: (f) => `net.duplicate ${f.target} ${f.percent}%`,
    check: (f, snap, at) => checkTarget(f.target, snap, at),
    cli: { parse: (i) => ({ kind: "net.duplicate", target: needTarget(i), percent: percent("percent", i.flags.percent) }) },
    apply: async (f, id, ctx) => {
      const snap = await ctx.snapshot();
      const cs = select(snap, "target", f.target);
      const chain = chainOf(id);
      const p = (f.percent / 100).toFixed(4);
      await Promise.all(
        cs.map((c) => {
          // TEE clones a packet to a next hop; the copy keeps its destination, so each peer is its own next hop.
          const peers = snap.containers.filter((o) => o.container.id !== c.container.id).flatMap((o) => Object.values(o.container.addresses));
          const rules = peers.map((ip) => `iptables -w -t mangle -A ${chain} -d ${ip} -m statistic --mode random --probability ${p} -j TEE --gateway ${ip}`);
          return runIn(ctx, c, id, "net", ["set -e", `iptables -w -t mangle -N ${chain}`, ...rules, `iptables -w -t mangle -I POSTROUTING -j ${chain}`].join("\n"));
        }),
      );
      return NOTHING;
    },
    revert: async (f, _u, id, ctx) => {
      await Promise.all((await healTargets(ctx, f.target)).filter((c) => c.container.state === "running").map((c) => runIn(ctx, c, id, "net", dropChain("mangle", [{ hook: "POSTROUTING", match: "" }], chainOf(id)))));
      return HEALED;
    },
  }),

  "net.rate": appKind({
    schema: z.object({ kind: z.literal("net.rate"), target, kbit: z.number().int().min(8, "at least 8").max(10_000_000) }).strict(),
    summary: "limit what the container sends to a rate (--kbit), by a tbf qdisc on each of its interfaces",
    describe: (f) => `net.rate ${f.target} ${f.kbit}kbit`,
    check: (f, snap, at) => checkTarget(f.target, snap, at),
    cli: { parse: (i) => ({ kind: "net.rate", target: needTarget(i), kbit: num("kbit", i.flags.kbit) }) },
    apply: async (f, id, ctx) => {
      const cs = await targets(ctx, f.target);
      // A burst of at least one full-size packet, and a queue that holds 400 ms of traffic.
      const script = `set -e; for d in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -vx lo); do tc qdisc replace dev $d root tbf rate ${f.kbit}kbit burst ${Math.max(1600, Math.round((f.kbit * 1000) / 8 / 50))} latency 400ms; done`;
      await Promise.all(cs.map((c) => runIn(ctx, c, id, "net", script)));
      return NOTHING;
    },
    revert: async (f, _u, id, ctx) => {
      const script = `for d in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -vx lo); do tc qdisc show dev $d | grep -q '^qdisc tbf' && tc qdisc del dev $d root; done; true`;
      await Promise.all((await healTargets(ctx, f.target)).filter((c) => c.container.state === "running").map((c) => runIn(ctx, c, id, "net", script)));
      return HEALED;
    },
  }),

  "net.partition": appKind({
    schema: z
      .object({
        kind: z.literal("net.partition"),
        groups: z.array(z.array(z.string().min(1)).min(1), { error: 'a list of groups, each a list of containers, e.g. [[api], [store]] (the command line\'s "api/store" is written so only there)' }).min(2, "at least two groups"),
      })
      .strict(),
    summary: "cut the project into groups that cannot reach each other (--groups api,db1/db2,db3): DROP rules on both sides",
    describe: (f) => `net.partition ${f.groups.map((g) => g.join(",")).join(" / ")}`,
    check: (f, snap, at) => {
      const seen = new Map<string, number>();
      f.groups.forEach((g, gi) =>
        g.forEach((t, ti) => {
          for (const c of select(snap, `${at}.groups[${gi}][${ti}]`, t)) {
            const before = seen.get(c.target);
            if (before !== undefined && before !== gi) throw new UsageError(`${at}.groups: ${c.target} is in two groups`);
            seen.set(c.target, gi);
          }
        }),
      );
    },
    cli: { parse: (i) => ({ kind: "net.partition", groups: parseGroups(i.flags.groups ?? i.target) }) },
    apply: async (f, id, ctx) => {
      const snap = await ctx.snapshot();
      const groups = f.groups.map((g) => g.flatMap((t) => select(snap, "groups", t)));
      const chain = chainOf(id);
      // Every side is cut at one moment (runTogether): the chains are built first, then hooked in together.
      await runTogether(
        ctx,
        id,
        groups.flatMap((g, gi) =>
          g.map((c) => {
            const others = groups.filter((_, oi) => oi !== gi).flat().flatMap((o) => Object.values(o.container.addresses));
            const rules = others.flatMap((ip) => [`iptables -w -A ${chain} -s ${ip} -j DROP`, `iptables -w -A ${chain} -d ${ip} -j DROP`]);
            return { target: c, prepare: [`iptables -w -N ${chain}`, ...rules].join("\n"), go: `iptables -w -I INPUT -j ${chain}; iptables -w -I OUTPUT -j ${chain}` };
          }),
        ),
      );
      return NOTHING;
    },
    revert: async (f, _u, id, ctx) => {
      const cs = (await Promise.all(f.groups.flat().map((t) => healTargets(ctx, t)))).flat();
      await Promise.all(cs.filter((c) => c.container.state === "running").map((c) => runIn(ctx, c, id, "net", dropChain("filter", [{ hook: "INPUT", match: "" }, { hook: "OUTPUT", match: "" }], chainOf(id)))));
      return HEALED;
    },
  }),
};
