// Thresholds are scenario parameters such as "failoverGap.p99 <= 500ms". They are parsed
// and checked against each check's figure units before a run starts.
import { UsageError } from "../errors.js";
import type { Check, Unit, Verdict } from "./types.js";

export type Comparator = "<=" | "<" | ">=" | ">" | "==";

export interface Threshold {
  text: string;
  check: string;
  figure: string;
  op: Comparator;
  /** In the figure's unit: ms, %, or a count. */
  limit: number;
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

export function parseThreshold(text: string, field: string, checks: readonly Check[]): Threshold {
  const m = /^\s*([A-Za-z]\w*)\.([A-Za-z]\w*)\s*(<=|>=|==|<|>)\s*(-?\d+(?:\.\d+)?)\s*(ms|s|us|%)?\s*$/.exec(text);
  if (!m) throw new UsageError(`${field}: '${text}' is not a threshold; write it like "failoverGap.p99 <= 500ms"`);
  const [, checkName = "", figure = "", op = "<=", num = "0", unitWord = ""] = m;
  const check = checks.find((c) => c.name === checkName);
  if (!check) throw new UsageError(`${field}: unknown check '${checkName}'; the scenario's checks are ${checks.map((c) => c.name).join(", ")}`);
  const unit = check.units[figure];
  if (!unit) throw new UsageError(`${field}: ${checkName} has no figure '${figure}'; it has ${Object.keys(check.units).join(", ")}`);
  const given = UNIT_WORDS[unitWord];
  if (!given || given.unit !== unit) throw new UsageError(`${field}: ${checkName}.${figure} is ${UNIT_HELP[unit]}, but '${text}' gives ${given ? UNIT_HELP[given.unit] : unitWord}`);
  return { text: text.trim(), check: checkName, figure, op: op as Comparator, limit: Number(num) * given.scale };
}

function compare(actual: number, op: Comparator, limit: number): boolean {
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
  }
}

export function judge(t: Threshold, verdict: Verdict): ThresholdResult {
  const actual = verdict.figures[t.figure] ?? null;
  return { ...t, actual, passed: actual !== null && compare(actual, t.op, t.limit) };
}
