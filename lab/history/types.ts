// A history is the append-only record of a run, Jepsen-style: every operation as an
// invoke followed by ok, fail or info (outcome unknown), plus fault and phase events on
// the same clock. Times are microseconds since the run started (monotonic).

export type OpType = "invoke" | "ok" | "fail" | "info";

export interface OpEntry {
  index: number;
  type: OpType;
  /** The client that issued it; an invoke and its completion share a process. */
  process: number;
  /** The operation, e.g. "read", "write", "get". */
  f: string;
  value?: unknown;
  /** µs since the run started. For an invoke, the moment it was *due* (open loop). */
  time: number;
  /** On completions: µs from the due time to completion, so a stall is never hidden. */
  latency?: number;
  /** Which CPU served it, where the service says. */
  node?: string;
  error?: string;
  /** The service it went to, when a run drives several (the scorecard). */
  service?: string;
  /** On completions: how many times the client sent it. */
  attempts?: number;
}

export interface FaultEntry {
  index: number;
  type: "fault";
  time: number;
  event: "inject" | "heal";
  id: string;
  kind: string;
  description: string;
}

export type Phase = "steady-before" | "faults" | "steady-after" | "done";

export interface PhaseEntry {
  index: number;
  type: "phase";
  time: number;
  phase: Phase;
}

/** Something the runtime inside a CPU reported: detection, regroup, takeover, fencing, mirror state. */
export interface RuntimeEventEntry {
  index: number;
  type: "event";
  time: number;
  cpu: string;
  name: string;
  detail: Record<string, unknown>;
}

/**
 * Who holds the primary role, sampled: one entry per container per round (every 100 ms by
 * default) of a user's system whose scenario says how to ask (../app/probes.ts). Two
 * primaries of one group in one round is a split brain.
 */
export interface ProbeEntry {
  index: number;
  type: "probe";
  time: number;
  /** The probe's name in the scenario (usually the service): containers asked the same question. */
  group: string;
  /** The container, as the lab names it (db, db.2). */
  target: string;
  round: number;
  /** null: it did not answer (down, paused, partitioned from the probe). */
  primary: boolean | null;
}

/**
 * A line a user's container logged that matched one of the events its scenario names
 * (../app/logs.ts): the system's own account of what it did, such as Sentinel's
 * `+try-failover`, on the history's clock (the moment the line reached the lab).
 */
export interface LogEntry {
  index: number;
  type: "log";
  time: number;
  /** The log group's name in the scenario. */
  group: string;
  /** The container, as the lab names it (sentinel1, db.2). */
  target: string;
  /** The event's name in the scenario. */
  event: string;
  line: string;
}

export type HistoryEntry = OpEntry | FaultEntry | PhaseEntry | RuntimeEventEntry | ProbeEntry | LogEntry;

export function isOp(e: HistoryEntry): e is OpEntry {
  return e.type === "invoke" || e.type === "ok" || e.type === "fail" || e.type === "info";
}

/** A completed operation: its invoke paired with its completion. */
export interface PairedOp {
  process: number;
  f: string;
  value: unknown;
  /** The completion's value (a read's result). */
  result: unknown;
  type: "ok" | "fail" | "info";
  invokedAt: number;
  completedAt: number;
  latency: number;
  node?: string;
  error?: string;
  service?: string;
  attempts?: number;
}

/** Fault windows: from each inject to its heal (or the end of the history). */
export interface FaultWindow {
  id: string;
  kind: string;
  description: string;
  start: number;
  end: number;
}
