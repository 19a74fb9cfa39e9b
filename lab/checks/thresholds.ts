// Thresholds are scenario parameters such as "failoverGap.p99 <= 500ms". They are parsed
// and checked against each check's figure units before a run starts. A limit can be
// computed from the system's settings, `(DOWN_AFTER_MS + 5000) ms` (./settings.ts), and a
// published window is a band with both ends: `failoverGap.max within [(A) s, (B) s]`.
import { UsageError } from "../errors.js";
import { evaluate } from "./settings.js";
import type { Check, Unit, Verdict } from "./types.js";

export type Comparator = "<=" | "<" | ">=" | ">" | "==" | "within";

export interface Threshold {
  text: string;
  check: string;
  figure: string;
  op: Comparator;
  /** In the figure's unit: ms, %, or a count. For a band, its lower end. */
  limit: number;
  /** A band's upper end (`within`), in the same unit. */
  upper?: number;
}

export interface ThresholdResult extends Threshold {
  actual: number | null;
  passed: boolean;
}

const UNIT_WORDS: Record<string, { unit: Unit; scale: number }> = {
  ms: { unit: "ms", scale: 1 },
  s: { unit: "ms", scale: 1000 },
  us: { unit: "ms", scale: 0.001 },
  "%": { unit: "%", scale: 1 },
  "": { unit: "count", scale: 1 },
};

const UNIT_HELP: Record<Unit, string> = { ms: "a time (ms, s or us)", "%": "a percentage (%)", count: "a plain count (no unit)" };

/** Splits "a, b" at its one top-level comma (expressions may hold commas inside parentheses). */
function splitBand(inner: string): [string, string] | undefined {
  let depth = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) return [inner.slice(0, i), inner.slice(i + 1)];
  }
  return undefined;
}

export function parseThreshold(text: string, field: string, checks: readonly Check[], settings: Readonly<Record<string, string>> = {}): Threshold {
  const shape = `write it like "failoverGap.p99 <= 500ms", "failoverGap.max <= (DOWN_AFTER_MS + 5000) ms" or "failoverGap.max within [2s, 4s]"`;
  const m = /^\s*([A-Za-z]\w*)\.([A-Za-z]\w*)\s*(<=|>=|==|<|>|within)\s*(.+?)\s*$/.exec(text);
  if (!m) throw new UsageError(`${field}: '${text}' is not a threshold; ${shape}`);
  const [, checkName = "", figure = "", op = "<=", rest = ""] = m;
  const check = checks.find((c) => c.name === checkName);
  if (!check) throw new UsageError(`${field}: unknown check '${checkName}'; the scenario's checks are ${checks.map((c) => c.name).join(", ")}`);
  const unit = check.units[figure];
  if (!unit) throw new UsageError(`${field}: ${checkName} has no figure '${figure}'; it has ${Object.keys(check.units).join(", ")}`);
  // One limit: a number or a parenthesised expression, then its unit word.
  const limit = (written: string): number => {
    const v = /^\s*(-?\d+(?:\.\d+)?|\(.*\))\s*(ms|s|us|%)?\s*$/.exec(written);
    if (!v) throw new UsageError(`${field}: '${text}' is not a threshold; ${shape}`);
    const [, value = "0", unitWord = ""] = v;
    const given = UNIT_WORDS[unitWord];
    if (!given || given.unit !== unit) throw new UsageError(`${field}: ${checkName}.${figure} is ${UNIT_HELP[unit]}, but '${text}' gives ${given ? UNIT_HELP[given.unit] : unitWord}`);
    const n = value.startsWith("(") ? evaluate(value.slice(1, -1), settings, field) : Number(value);
    return Math.round(n * given.scale * 1000) / 1000;
  };
  if (op !== "within") return { text: text.trim(), check: checkName, figure, op: op as Comparator, limit: limit(rest) };
  const band = /^\[(.*)\]$/.exec(rest);
  const ends = band ? splitBand(band[1] ?? "") : undefined;
  if (!ends) throw new UsageError(`${field}: a band is written "within [low, high]", e.g. "failoverGap.max within [2.65s, 3.95s]"; '${text}' is not`);
  const [low, high] = [limit(ends[0]), limit(ends[1])];
  if (low > high) throw new UsageError(`${field}: the band of '${text}' is empty: its low end (${low}) is above its high end (${high})`);
  return { text: text.trim(), check: checkName, figure, op, limit: low, upper: high };
}

function compare(actual: number, op: Comparator, limit: number, upper?: number): boolean {
  switch (op) {
    case "<=":
      return actual <= limit;
    case "<":
      return actual < limit;
    case ">=":
      return actual >= limit;
    case ">":
      return actual > limit;
    case "==":
      return actual === limit;
    case "within":
      return actual >= limit && actual <= (upper ?? limit);
  }
}

export function judge(t: Threshold, verdict: Verdict): ThresholdResult {
  const actual = verdict.figures[t.figure] ?? null;
  return { ...t, actual, passed: actual !== null && compare(actual, t.op, t.limit, t.upper) };
}
