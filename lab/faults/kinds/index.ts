// Every fault kind the lab has, one definition each (./kind.ts says what a definition
// holds), by family. All else is derived from FAULTS: the Fault union, the list of kinds,
// parsing and checking a fault, its description, its CLI form, applying and healing it.
// A new kind is one entry in one family file; nothing else lists kinds.
import type { z } from "zod";
import { UsageError } from "../../errors.js";
import { formatZodError } from "../../topology/resolve.js";
import type { Topology } from "../../topology/types.js";
import type { FaultContext } from "../context.js";
import { cpuFaults } from "./cpu.js";
import { diskFaults } from "./disk.js";
import { edgeFaults } from "./edge.js";
import type { CliInput, FaultFlags, Healed, KindDef } from "./kind.js";
import { linkFaults } from "./link.js";
import { pairFaults } from "./pair.js";
import { planeFaults } from "./plane.js";

export const FAULTS = { ...cpuFaults, ...pairFaults, ...linkFaults, ...planeFaults, ...diskFaults, ...edgeFaults };

type Defs = typeof FAULTS;
export type FaultKind = keyof Defs;
/** A fault as data: a discriminated union on `kind`, one member per definition. */
export type Fault = { [K in FaultKind]: z.infer<Defs[K]["schema"]> }[FaultKind];
export type FaultOf<K extends FaultKind> = Extract<Fault, { kind: K }>;
/** What healing a fault of kind K needs, recorded in the ledger when it was applied. */
export type Undo<K extends FaultKind = FaultKind> = Awaited<ReturnType<Defs[K]["apply"]>>;

// Each entry's key is its schema's kind: a definition filed under another key does not compile.
type KeyIsKind = { [K in FaultKind]: z.infer<Defs[K]["schema"]>["kind"] extends K ? true : false }[FaultKind];
const keysAreKinds: KeyIsKind = true;
void keysAreKinds;

export const FAULT_KINDS = Object.keys(FAULTS) as FaultKind[];

/** One kind's definition, for its own kind of fault (the mapped type above guarantees the match). */
function def<K extends FaultKind>(k: K): KindDef<FaultOf<K>, Undo<K>> {
  return FAULTS[k] as unknown as KindDef<FaultOf<K>, Undo<K>>;
}

function isKind(k: unknown): k is FaultKind {
  return typeof k === "string" && Object.hasOwn(FAULTS, k);
}

/** Parses and checks a fault against the topology; returns it typed, or throws a UsageError. */
/** A fault's shape alone (its kind's schema), which needs no lab: what the CLI checks before it looks for one. */
export function checkFaultShape(input: unknown, prefix = "fault"): Fault {
  const k = (input as { kind?: unknown } | null)?.kind;
  if (!isKind(k)) throw new UsageError(`${prefix}: kind: unknown fault kind${typeof k === "string" ? ` '${k}'` : ""}; allowed: ${FAULT_KINDS.join(", ")}`);
  const parsed = def(k).schema.safeParse(input, { reportInput: true });
  if (!parsed.success) throw new UsageError(formatZodError(prefix, parsed.error));
  return parsed.data;
}

export function checkFault(input: unknown, t: Topology, prefix = "fault"): Fault {
  const fault = checkFaultShape(input, prefix);
  def(fault.kind).check(fault, t, prefix);
  return fault;
}

/** A short human label, e.g. "link.latency x cpu-0→cpu-1" or "cpu.kill cpu-1". */
export function describeFault<K extends FaultKind>(f: FaultOf<K>): string {
  return def(f.kind).describe(f);
}

export function summaryOf(k: FaultKind): string {
  return FAULTS[k].summary;
}

/** Why a kind cannot act on a Swarm lab, or undefined where it can. */
export function notOnSwarm(k: FaultKind): string | undefined {
  return (FAULTS[k] as { notOnSwarm?: string }).notOnSwarm;
}

/** Refuses a kind the lab's engine cannot apply, in one line, before anything is touched. */
export function checkEngine(f: { kind: string }, engine: "host" | "swarm", at = "fault"): void {
  const why = engine === "swarm" && isKind(f.kind) ? notOnSwarm(f.kind) : undefined;
  if (why) throw new UsageError(`${at}: ${f.kind} does not work on Swarm: ${why}`);
}

export function revives(k: FaultKind): boolean {
  return (FAULTS[k] as { revives?: boolean }).revives ?? false;
}

export async function apply<K extends FaultKind>(f: FaultOf<K>, id: string, ctx: FaultContext): Promise<Undo<K>> {
  return def(f.kind).apply(f, id, ctx);
}

export async function revert<K extends FaultKind>(f: FaultOf<K>, undo: Undo<K>, id: string, ctx: FaultContext): Promise<Healed> {
  return def(f.kind).revert(f, undo, id, ctx);
}

// ── the CLI form ───────────────────────────────────────────────────────────────

const CLI_NAMES: [string, FaultKind][] = FAULT_KINDS.flatMap((k) => (FAULTS[k].cli as { names?: readonly string[] }).names?.map((n): [string, FaultKind] => [n, k]) ?? [[k, k]]);

/** Every kind the CLI accepts, as a user types it (link.latency rather than link.toxic). */
export const CLI_FAULT_KINDS: readonly string[] = CLI_NAMES.map(([n]) => n);

/** Every kind with its CLI names and one-line summary, for `nonstop fault --help`. */
export function kindsHelp(): string {
  const rows = FAULT_KINDS.map((k) => {
    const names = CLI_NAMES.filter(([, kind]) => kind === k).map(([n]) => n);
    const shown = names.length > 3 ? `${k.split(".")[0] ?? k}.<toxic>` : names.join(", ");
    return [shown, `${FAULTS[k].summary}${notOnSwarm(k) ? " (not on Swarm)" : ""}`] as const;
  });
  const width = Math.max(...rows.map(([n]) => n.length));
  return [
    "Fault kinds (<toxic>: latency, bandwidth, timeout, reset_peer, slicer, limit_data, slow_close):",
    ...rows.map(([n, s]) => `  ${n.padEnd(width)}  ${s}`),
    "Every kind works on a lab brought up with --swarm except those marked (not on Swarm):",
    ...FAULT_KINDS.flatMap((k) => (notOnSwarm(k) ? [`  ${k}: ${notOnSwarm(k) ?? ""}`] : [])),
  ].join("\n");
}

/** A kind the CLI knows, or a usage error listing them: checked before the lab is even looked up. */
export function checkFaultKind(name: string): FaultKind {
  const found = CLI_NAMES.find(([n]) => n === name);
  if (!found) throw new UsageError(`fault kind: unknown '${name}'; allowed: ${CLI_FAULT_KINDS.join(", ")}`);
  return found[1];
}

/** `nonstop fault <name> [target] --flags` as fault data, still to be checked against the lab (checkFault). */
export function faultFromCli(name: string, target: string | undefined, flags: FaultFlags, cpus: readonly string[]): unknown {
  const input: CliInput = { name, target, flags, cpus };
  return FAULTS[checkFaultKind(name)].cli.parse(input);
}

export type { FaultFlags, Healed } from "./kind.js";
export type { Grudge } from "../partition.js";
