// What one fault kind is, in one place (after Jepsen's `node-start-stopper [targeter
// start! stop!]`): its data (a zod schema), a description, a check against the topology,
// its CLI form, how it is applied and how it is healed. The families in this folder
// define every kind with `kind()`; ./index.ts gathers them into FAULTS, from which the
// Fault union, the list of kinds, the parser and the CLI are all derived.
import type { z } from "zod";
import { UsageError } from "../../errors.js";
import type { Topology } from "../../topology/types.js";
import type { FaultContext } from "../context.js";

/** Returned by every heal, and only obtainable as HEALED: a kind whose revert forgets to heal does not compile. */
declare const healed: unique symbol;
export type Healed = { readonly [healed]: true };
export const HEALED = {} as Healed;

/** The CLI's flags for `nonstop fault <kind> [target] --flags`, as commander gives them. */
export interface FaultFlags {
  plane?: string;
  from?: string;
  to?: string;
  ms?: string;
  jitter?: string;
  rate?: string;
  bytes?: string;
  size?: string;
  variation?: string;
  delayUs?: string;
  stream?: string;
  cores?: string;
  mb?: string;
  seed?: string;
  sides?: string;
  splitOne?: string;
  halves?: boolean;
  ring?: boolean;
  step?: string;
  // A user's system (../../app/faults/):
  percent?: string;
  kbit?: string;
  name?: string;
  signal?: string;
  path?: string;
  groups?: string;
}

export interface CliInput {
  /** The kind as the user typed it (link.latency for a link.toxic of type latency). */
  name: string;
  target: string | undefined;
  flags: FaultFlags;
  /** The lab's CPUs, for shapes such as --halves. */
  cpus: readonly string[];
}

/**
 * One kind. S is what a fault is checked against and C what it acts through: the Tandem
 * machine's topology and context by default; a user's project for ../../app/faults/.
 */
export interface KindDef<F extends { kind: string }, U, S = Topology, C = FaultContext, I = CliInput> {
  schema: z.ZodType<F>;
  /** One line for `nonstop fault --help` and docs/faults.md. */
  summary: string;
  /** A short label, e.g. "link.latency x cpu-0→cpu-1". */
  describe(f: F): string;
  /** Checks the fault against the lab, after its schema: one-line UsageErrors that name the field. */
  check(f: F, t: S, at: string): void;
  /** The names the CLI accepts for this kind (default: the kind), and how flags become its data. */
  cli: { names?: readonly string[]; parse(i: I): unknown };
  /** Breaks the machine; returns what the heal will need, recorded in the ledger. */
  apply(f: F, id: string, ctx: C): Promise<U>;
  /** Undoes the fault; safe to repeat. */
  revert(f: F, undo: U, id: string, ctx: C): Promise<Healed>;
  /** Healed by starting a CPU again and waiting for it to rejoin: healAll runs these together, last. */
  revives?: boolean;
  /** Why the kind cannot act on a lab deployed to Swarm, where it cannot; absent where it can. */
  notOnSwarm?: string;
}

/** Defines a kind, with its data typed from its schema. */
export function kind<S extends z.ZodType<{ kind: string }>, U>(def: KindDef<z.infer<S>, U> & { schema: S }): KindDef<z.infer<S>, U> & { schema: S } {
  return def;
}

/** For kinds whose heal needs nothing recorded. */
export const NOTHING = null;

// ── shared by the families ────────────────────────────────────────────────────

export function oneOf(field: string, noun: string, value: string, allowed: readonly string[]): void {
  if (!allowed.includes(value)) throw new UsageError(`${field}: unknown ${noun} '${value}'; allowed: ${allowed.join(", ")}`);
}

export function checkCpu(at: string, field: string, cpu: string, t: Topology): void {
  oneOf(`${at}.${field}`, "CPU", cpu, t.cpus.map((c) => c.name));
}

export function checkPlane(at: string, plane: string, t: Topology): void {
  oneOf(`${at}.plane`, "plane", plane, t.planes.map((p) => p.name));
}

export function need(what: string, value: string | undefined): string {
  if (!value) throw new UsageError(`${what} is required`);
  return value;
}

export function num(flag: string, value: string | undefined, fallback?: number): number {
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw new UsageError(`--${flag} is required`);
  }
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new UsageError(`--${flag}: a number (got '${value}')`);
  return n;
}

/** The name of the toxic a fault adds, so that its heal removes exactly that one. */
export function toxicName(id: string): string {
  return `nonstop-${id}`;
}

/** A part's container state now, wherever it runs. */
export async function partState(ctx: FaultContext, name: string): Promise<string> {
  const where = await ctx.parts.locate(name);
  return (await where.plumbing.container.inspect(where.id)).state;
}

/** Turns proxies of a router off (a link down) or on again. */
export async function setLinks(ctx: FaultContext, router: string, proxies: string[], enabled: boolean): Promise<void> {
  const r = await ctx.router(router);
  await Promise.all(proxies.map((p) => r.setEnabled(p, enabled)));
}
