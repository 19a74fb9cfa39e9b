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
  /** Cycles for the report, each drawn as a ring: a cycle read as a picture, not a row. */
  cycles?: Ring[];
}

/** A closed walk through `nodes`: edge i goes from nodes[i] to nodes[i + 1], the last back to the first. */
export interface Ring {
  title: string;
  nodes: string[];
  /** One per edge, in the order of the nodes they leave; `emphasis` marks what makes the walk an anomaly. */
  edges: { label: string; emphasis?: boolean }[];
}

export interface Check {
  name: string;
  /** The unit of each figure, so thresholds can be checked for the right unit up front. */
  units: Record<string, Unit>;
  run(history: readonly HistoryEntry[]): Verdict;
}
