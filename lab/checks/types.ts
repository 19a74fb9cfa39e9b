// A check is a pure function from a history to a verdict. Checks run offline on saved
// histories, so they are unit-tested on fixtures.
import type { HistoryEntry } from "../history/types.js";

export type Unit = "ms" | "%" | "count";

export interface Anomaly {
  message: string;
  /** µs since the run started, where it applies. */
  at?: number;
}

export interface Verdict {
  valid: boolean;
  figures: Record<string, number | null>;
  anomalies: Anomaly[];
  /** A table for the report (header row first), where figures alone do not tell it. */
  table?: string[][];
}

export interface Check {
  name: string;
  /** The unit of each figure, so thresholds can be checked for the right unit up front. */
  units: Record<string, Unit>;
  run(history: readonly HistoryEntry[]): Verdict;
}
