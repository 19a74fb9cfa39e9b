// Turns a history into the report's timeline: per bucket, completed ops/s, errors/s and
// p99 latency, plus the fault windows to shade. Pure, so it is unit-tested.
import { faultWindows, pairOps } from "../history/history.js";
import type { HistoryEntry } from "../history/types.js";

export interface Timeline {
  /** Bucket start, seconds since the run started. */
  t: number[];
  opsPerSec: number[];
  errorsPerSec: number[];
  p99Ms: (number | null)[];
  faults: { label: string; start: number; end: number }[];
  phases: { phase: string; at: number }[];
}

export function timelineOf(history: readonly HistoryEntry[], bucketMs = 250): Timeline {
  const ops = pairOps(history);
  const end = history.reduce((m, e) => Math.max(m, e.time), 0);
  const n = Math.max(1, Math.ceil(end / 1000 / bucketMs));
  const ok = new Array<number>(n).fill(0);
  const err = new Array<number>(n).fill(0);
  const lat: number[][] = Array.from({ length: n }, () => []);
  for (const op of ops) {
    const b = Math.min(n - 1, Math.floor(op.completedAt / 1000 / bucketMs));
    if (op.type === "ok") {
      ok[b] = (ok[b] ?? 0) + 1;
      lat[b]?.push(op.latency / 1000);
    } else err[b] = (err[b] ?? 0) + 1;
  }
  const perSec = 1000 / bucketMs;
  return {
    t: Array.from({ length: n }, (_, i) => (i * bucketMs) / 1000),
    opsPerSec: ok.map((c) => c * perSec),
    errorsPerSec: err.map((c) => c * perSec),
    p99Ms: lat.map((xs) => {
      if (xs.length === 0) return null;
      const s = xs.sort((a, b) => a - b);
      return Math.round((s[Math.min(s.length - 1, Math.ceil(0.99 * s.length) - 1)] ?? 0) * 100) / 100;
    }),
    faults: faultWindows(history).map((w) => ({ label: w.description, start: w.start / 1e6, end: w.end / 1e6 })),
    phases: history.flatMap((e) => (e.type === "phase" ? [{ phase: e.phase, at: e.time / 1e6 }] : [])),
  };
}
