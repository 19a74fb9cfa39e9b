// Thresholds are scenario parameters such as "failoverGap.p99 <= 500ms". They are parsed
// and checked against each check's figure units before a run starts. A limit can be
// computed from the system's settings, `(DOWN_AFTER_MS + 5000) ms` (./settings.ts), and a
// published window is a band with both ends: `failoverGap.max within [(A) s, (B) s]`.
// A rule with more than one outcome has a band per case, each named, and the result says
// which case held: `within first [(A) s, (B) s] or retried [(C) s, (D) s]`.
import { UsageError } from "../errors.js";
import { evaluate } from "./settings.js";
import type { Check, Unit, Verdict } from "./types.js";

export type Comparator = "<=" | "<" | ">=" | ">" | "==" | "within";

export interface Threshold {
  text: string;
  check: string;
  figure: string;
  op: Comparator;
  /** The figure's unit, as its check declares it. */
  unit: Unit;
  /** In the figure's unit: ms, %, or a count. For a band, its lower end. */
  limit: number;
  /** A band's upper end (`within`), in the same unit. */
  upper?: number;
  /** The bands of `within`, one per case of the rule; the first is `limit`..`upper`. */
  cases?: Band[];
}

export interface Band {
  /** The case's name as written, or "band N" (from 1). */
  name: string;
  low: number;
  high: number;
}

export interface ThresholdResult extends Threshold {
  actual: number | null;
  passed: boolean;
  /** For a band with more than one case: the case the figure fell in. */
  held?: string;
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

/** Splits "first [a, b] or retried [c, d]" at each " or " outside brackets and parentheses. */
function splitCases(rest: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") depth--;
    else if (depth === 0 && /^\sor\s/.test(rest.slice(i, i + 4))) {
      out.push(rest.slice(from, i));
      from = i + 4;
    }
  }
  out.push(rest.slice(from));
  return out.map((x) => x.trim());
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
  if (op !== "within") return { text: text.trim(), check: checkName, figure, op: op as Comparator, unit, limit: limit(rest) };
  const written = splitCases(rest);
  const cases = written.map((w, i): Band => {
    const band = /^(?:([a-z][\w-]*)\s*)?\[(.*)\]$/.exec(w);
    const ends = band ? splitBand(band[2] ?? "") : undefined;
    if (!ends) throw new UsageError(`${field}: a band is written "within [low, high]", e.g. "failoverGap.max within [2.65s, 3.95s]", or one per case, "within first [1s, 5s] or retried [6s, 11s]"; '${text}' is not`);
    const [low, high] = [limit(ends[0]), limit(ends[1])];
    const name = band?.[1] ?? `band ${i + 1}`;
    if (low > high) throw new UsageError(`${field}: the band ${written.length > 1 ? `'${name}' ` : ""}of '${text}' is empty: its low end (${low}) is above its high end (${high})`);
    return { name, low, high };
  });
  const names = cases.map((c) => c.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new UsageError(`${field}: '${text}' names the case '${twice}' twice; each case needs its own name`);
  const [first] = cases;
  if (!first) throw new UsageError(`${field}: '${text}' has no band`);
  return { text: text.trim(), check: checkName, figure, op, unit, limit: first.low, upper: first.high, ...(cases.length > 1 ? { cases } : {}) };
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
  if (t.cases) {
    const held = actual === null ? undefined : t.cases.find((c) => actual >= c.low && actual <= c.high);
    return { ...t, actual, passed: held !== undefined, ...(held ? { held: held.name } : {}) };
  }
  return { ...t, actual, passed: actual !== null && compare(actual, t.op, t.limit, t.upper) };
}
