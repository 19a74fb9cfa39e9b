// Durations as people write them: "500ms", "10s", "2m", "1h" (and, where `bareSeconds`,
// a plain number of seconds, as `--for 10` means). One parser for scenario files and flags.
import { UsageError } from "../errors.js";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds, or a UsageError naming `field`. */
export function parseDuration(field: string, value: string, opts: { bareSeconds?: boolean } = {}): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  const unit = m?.[2] ?? (opts.bareSeconds ? "s" : undefined);
  if (!m?.[1] || !unit) throw new UsageError(`${field}: a duration such as 500ms, 10s, 2m or 1h (got '${value}')`);
  return Number(m[1]) * (UNIT_MS[unit] ?? 1000);
}
