// Failover gap: for each fault, the time from its injection to the first success after
// the outage it caused. No failure after the fault means no outage: a gap of 0. An outage
// that never ends within the history is an anomaly and the check fails.
import { faultWindows, pairOps } from "../history/history.js";
import type { PairedOp } from "../history/types.js";
import { nearestRank, spanMs } from "./stats.js";
import type { Anomaly, Check } from "./types.js";

export interface FaultGap {
  id: string;
  description: string;
  /** ms, or null when the service never came back. */
  gapMs: number | null;
}

export function faultGaps(history: Parameters<Check["run"]>[0]): FaultGap[] {
  const ops = pairOps(history).sort((a, b) => a.invokedAt - b.invokedAt);
  const windows = faultWindows(history);
  return windows.map((w, i) => {
    const until = windows[i + 1]?.start ?? Number.POSITIVE_INFINITY;
    let firstFailure: PairedOp | undefined;
    for (const op of ops) {
      if (op.type !== "ok" && op.completedAt >= w.start && op.invokedAt < until) {
        firstFailure = op;
        break;
      }
    }
    if (!firstFailure) return { id: w.id, description: w.description, gapMs: 0 };
    const failedAt = firstFailure.invokedAt;
    let recovered: number | undefined;
    for (const op of ops) {
      // Issued after the fault too: an op already in flight that happens to finish after
      // the first failure says nothing about whether the service is back.
      if (op.type === "ok" && op.invokedAt > failedAt && op.invokedAt >= w.start) recovered = Math.min(recovered ?? Number.POSITIVE_INFINITY, op.completedAt);
    }
    return { id: w.id, description: w.description, gapMs: recovered === undefined ? null : spanMs(w.start, recovered) };
  });
}

export const failoverGap: Check = {
  name: "failoverGap",
  units: { faults: "count", p50: "ms", p99: "ms", max: "ms", unrecovered: "count" },
  run(history) {
    const gaps = faultGaps(history);
    const known = gaps.flatMap((g) => (g.gapMs === null ? [] : [g.gapMs]));
    const anomalies: Anomaly[] = gaps.filter((g) => g.gapMs === null).map((g) => ({ message: `no success after ${g.description} (${g.id}): the service never came back` }));
    return {
      valid: anomalies.length === 0,
      figures: { faults: gaps.length, p50: nearestRank(known, 50), p99: nearestRank(known, 99), max: known.length ? Math.max(...known) : null, unrecovered: anomalies.length },
      anomalies,
    };
  },
};
