// Every fault kind on a user's system, one definition each, as ../../faults/kinds/index.ts
// gathers the machine's: the AppFault union, checking, the CLI form and the help are all
// derived from APP_FAULTS.
import type { z } from "zod";
import { UsageError } from "../../errors.js";
import type { FaultFlags, Healed } from "../../faults/kinds/kind.js";
import { formatZodError } from "../../topology/resolve.js";
import type { AppSnapshot } from "../system.js";
import { containerFaults } from "./container.js";
import { diskFaults } from "./disk.js";
import type { AppContext, AppKindDef } from "./kind.js";
import { linkFaults } from "./link.js";
import { netFaults } from "./net.js";
import { processFaults } from "./process.js";

export const APP_FAULTS = { ...containerFaults, ...netFaults, ...linkFaults, ...processFaults, ...diskFaults };

type Defs = typeof APP_FAULTS;
export type AppFaultKind = keyof Defs;
export type AppFault = { [K in AppFaultKind]: z.infer<Defs[K]["schema"]> }[AppFaultKind];
type AppFaultOf<K extends AppFaultKind> = Extract<AppFault, { kind: K }>;
type Undo<K extends AppFaultKind> = Awaited<ReturnType<Defs[K]["apply"]>>;

type KeyIsKind = { [K in AppFaultKind]: z.infer<Defs[K]["schema"]>["kind"] extends K ? true : false }[AppFaultKind];
const keysAreKinds: KeyIsKind = true;
void keysAreKinds;

export const APP_FAULT_KINDS = Object.keys(APP_FAULTS) as AppFaultKind[];

function def<K extends AppFaultKind>(k: K): AppKindDef<AppFaultOf<K>, Undo<K>> {
  return APP_FAULTS[k] as unknown as AppKindDef<AppFaultOf<K>, Undo<K>>;
}

export function isAppFaultKind(k: unknown): k is AppFaultKind {
  return typeof k === "string" && Object.hasOwn(APP_FAULTS, k);
}

/** Parses and checks a fault against the project as it is now; returns it typed, or throws a UsageError. */
/** A fault's shape alone (its kind's schema), which needs no running project. */
export function checkAppFaultShape(input: unknown, prefix = "fault"): AppFault {
  const k = (input as { kind?: unknown } | null)?.kind;
  if (!isAppFaultKind(k)) throw new UsageError(`${prefix}: kind: unknown fault kind${typeof k === "string" ? ` '${k}'` : ""} for a Compose project; allowed: ${APP_FAULT_KINDS.join(", ")}`);
  const parsed = def(k).schema.safeParse(input, { reportInput: true });
  if (!parsed.success) throw new UsageError(formatZodError(prefix, parsed.error));
  return parsed.data;
}

export function checkAppFault(input: unknown, snap: AppSnapshot, prefix = "fault"): AppFault {
  const fault = checkAppFaultShape(input, prefix);
  def(fault.kind).check(fault, snap, prefix);
  return fault;
}

export function describeAppFault(f: AppFault): string {
  return def(f.kind).describe(f);
}

export function applyAppFault(f: AppFault, id: string, ctx: AppContext): Promise<unknown> {
  return def(f.kind).apply(f, id, ctx);
}

export function revertAppFault(f: AppFault, undo: unknown, id: string, ctx: AppContext): Promise<Healed> {
  // The ledger gives back what apply returned for this very fault.
  return def(f.kind).revert(f, undo as never, id, ctx);
}

const CLI_NAMES: [string, AppFaultKind][] = APP_FAULT_KINDS.flatMap((k) => (APP_FAULTS[k].cli as { names?: readonly string[] }).names?.map((n): [string, AppFaultKind] => [n, k]) ?? [[k, k]]);

/** Every kind the CLI accepts for a Compose project, as a user types it (link.latency rather than link.toxic). */
export const APP_CLI_KINDS: readonly string[] = CLI_NAMES.map(([n]) => n);

/** The kind a CLI name asks for, if it is one of a Compose project's. */
export function appKindForCli(name: string): AppFaultKind | undefined {
  return CLI_NAMES.find(([n]) => n === name)?.[1];
}

/** `nonstop fault <kind> [target] --flags` as fault data, still to be checked against the project. */
export function appFaultFromCli(name: string, target: string | undefined, flags: FaultFlags): unknown {
  const k = appKindForCli(name);
  if (!k) throw new UsageError(`fault kind: unknown '${name}' for a Compose project; allowed: ${APP_CLI_KINDS.join(", ")}`);
  return APP_FAULTS[k].cli.parse({ name, target, flags });
}

export function appKindsHelp(): string {
  const rows = APP_FAULT_KINDS.map((k) => {
    const names = CLI_NAMES.filter(([, kind]) => kind === k).map(([n]) => n);
    return [names.length > 3 ? `${k.split(".")[0] ?? k}.<toxic>` : names.join(", "), APP_FAULTS[k].summary] as const;
  });
  const width = Math.max(...rows.map(([n]) => n.length));
  return ["Fault kinds on a Compose project (nonstop up --compose / attach); target: a service (api), a replica (api.2), every replica (api.*):", ...rows.map(([n, s]) => `  ${n.padEnd(width)}  ${s}`)].join("\n");
}
