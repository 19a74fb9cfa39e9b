// Transactions of list appends and reads, as Jepsen's Elle checks them (Kingsbury and
// Alvaro, "Elle: Inferring Isolation Anomalies from Experimental Observations", VLDB 2020).
// An append adds a value, unique per key, to the end of a list; a read returns the whole
// list. Because every read shows the order of every append before it, the order of
// versions of each key can be read off the history, and from it who depended on whom.
import type { ListMop as Mop } from "../../../runtime/services/state/lists.js";
import type { HistoryEntry } from "../../history/types.js";
import { isOp } from "../../history/types.js";

/** One micro-operation: an append of `value` to `key`, or a read of the key's whole list (as the machine's web service takes them). */
export type { ListMop as Mop } from "../../../runtime/services/state/lists.js";

/** A transaction as the client saw it end: committed (ok), aborted (fail) or unknown (info). */
export interface Txn {
  /** Its position in the list given to the checker: how anomalies name it. */
  id: number;
  type: "ok" | "fail" | "info";
  process: number;
  mops: Mop[];
  /** µs since the run started, where known. */
  invokeAt?: number;
  completeAt?: number;
}

/** The `f` a transaction carries in a history: its value is the list of mops. */
export const TXN_F = "txn";

function isMops(v: unknown): v is Mop[] {
  return Array.isArray(v) && v.every((m) => typeof m === "object" && m !== null && "f" in m && "key" in m);
}

/**
 * The transactions of a run's history, in completion order. An ok completion carries the
 * mops with what each read returned; a fail or info completion, the invoke's mops (its
 * reads unknown). An invoke never completed counts as info: its appends may have happened.
 */
export function txnsOf(history: readonly HistoryEntry[]): Txn[] {
  const open = new Map<number, { mops: Mop[]; at: number }>();
  const out: Txn[] = [];
  for (const e of history) {
    if (!isOp(e) || e.f !== TXN_F) continue;
    if (e.type === "invoke") {
      if (isMops(e.value)) open.set(e.process, { mops: e.value, at: e.time });
      continue;
    }
    const inv = open.get(e.process);
    open.delete(e.process);
    if (!inv) continue;
    const mops = e.type === "ok" && isMops(e.value) ? e.value : inv.mops.map((m) => (m.f === "r" ? { ...m, value: null } : m));
    out.push({ id: out.length, type: e.type, process: e.process, mops, invokeAt: inv.at, completeAt: e.time });
  }
  for (const [process, inv] of open) out.push({ id: out.length, type: "info", process, mops: inv.mops.map((m) => (m.f === "r" ? { ...m, value: null } : m)), invokeAt: inv.at });
  return out;
}
