// Latency statistics through an HDR histogram (hdr-histogram-js), in microseconds.
import { build } from "hdr-histogram-js";

export interface Percentiles {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
}

/** Percentiles in ms of values given in µs. */
export function percentilesMs(valuesUs: Iterable<number>): Percentiles {
  const h = build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, bitBucketSize: 64, useWebAssembly: false });
  let count = 0;
  for (const v of valuesUs) {
    h.recordValue(Math.max(1, Math.round(v)));
    count++;
  }
  const ms = (q: number) => (count === 0 ? null : Math.round(h.getValueAtPercentile(q) / 10) / 100);
  const result = { count, p50: ms(50), p90: ms(90), p99: ms(99), p999: ms(99.9), max: count === 0 ? null : Math.round(h.maxValue / 10) / 100 };
  h.destroy();
  return result;
}

/** The time from one history moment to another (both µs), in ms to a tenth: how the checks report a span. */
export function spanMs(fromUs: number, toUs: number): number {
  return Math.round((toUs - fromUs) / 100) / 10;
}

/** A plain nearest-rank percentile over a small list (e.g. failover gaps, one per fault). */
export function nearestRank(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((q / 100) * s.length) - 1))] ?? null;
}
