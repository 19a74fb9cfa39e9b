// Building, pairing and slicing histories. Pure functions over entries; the recorder
// (./recorder.ts) is the only part that does I/O.
import type { FaultWindow, HistoryEntry, OpEntry, PairedOp } from "./types.js";
import { isOp } from "./types.js";

/** Pairs each invoke with its completion, by process. An invoke left open counts as info. */
export function pairOps(history: readonly HistoryEntry[]): PairedOp[] {
  const open = new Map<number, OpEntry>();
  const out: PairedOp[] = [];
  let end = 0;
  for (const e of history) {
    end = Math.max(end, e.time);
    if (!isOp(e)) continue;
    if (e.type === "invoke") {
      open.set(e.process, e);
      continue;
    }
    const inv = open.get(e.process);
    if (!inv) continue;
    open.delete(e.process);
    out.push({
      process: e.process,
      f: inv.f,
      value: inv.value,
      result: e.value,
      type: e.type,
      invokedAt: inv.time,
      completedAt: e.time,
      latency: e.latency ?? e.time - inv.time,
      ...(e.node ? { node: e.node } : {}),
      ...(e.error ? { error: e.error } : {}),
      ...(inv.service ? { service: inv.service } : {}),
      ...(e.attempts ? { attempts: e.attempts } : {}),
    });
  }
  // Still running when the history ended: outcome unknown.
  for (const inv of open.values()) {
    out.push({ process: inv.process, f: inv.f, value: inv.value, result: undefined, type: "info", invokedAt: inv.time, completedAt: end, latency: end - inv.time, error: "no completion", ...(inv.service ? { service: inv.service } : {}) });
  }
  return out;
}

export function faultWindows(history: readonly HistoryEntry[]): FaultWindow[] {
  const open = new Map<string, FaultWindow>();
  const out: FaultWindow[] = [];
  let end = 0;
  for (const e of history) {
    end = Math.max(end, e.time);
    if (e.type !== "fault") continue;
    if (e.event === "inject") open.set(e.id, { id: e.id, kind: e.kind, description: e.description, start: e.time, end: Number.POSITIVE_INFINITY });
    else {
      const w = open.get(e.id);
      if (w) {
        open.delete(e.id);
        out.push({ ...w, end: e.time });
      }
    }
  }
  for (const w of open.values()) out.push({ ...w, end });
  return out.sort((a, b) => a.start - b.start);
}

/** How many operations invoked in [from, to] have no completion yet. */
export function openIn(history: readonly HistoryEntry[], from: number, to: number): number {
  const open = new Set<number>();
  for (const e of history) {
    if (!isOp(e)) continue;
    if (e.type === "invoke") {
      if (e.time >= from && e.time <= to) open.add(e.process);
      else open.delete(e.process);
    } else open.delete(e.process);
  }
  return open.size;
}

/**
 * The operations *invoked* in [from, to], with their completions wherever they fall: a
 * window of the run, judged fairly (an op still in flight at `to` is not cut short).
 */
export function sliceByInvoke(history: readonly HistoryEntry[], from: number, to: number): HistoryEntry[] {
  const open = new Set<number>();
  const out: HistoryEntry[] = [];
  for (const e of history) {
    if (!isOp(e)) continue;
    if (e.type === "invoke") {
      if (e.time >= from && e.time <= to) {
        open.add(e.process);
        out.push(e);
      } else open.delete(e.process);
    } else if (open.has(e.process)) {
      open.delete(e.process);
      out.push(e);
    }
  }
  return out;
}

/** The time span of the history's operations, µs. */
export function span(history: readonly HistoryEntry[]): { start: number; end: number } {
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  for (const e of history) {
    if (!isOp(e)) continue;
    start = Math.min(start, e.time);
    end = Math.max(end, e.time);
  }
  return start === Number.POSITIVE_INFINITY ? { start: 0, end: 0 } : { start, end };
}
