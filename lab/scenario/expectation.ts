// What a scenario is expected to do. Most must hold: every check valid, every threshold
// met. A baseline (the paper's classic single system, a real system's published flaw) is
// expected to fail, and it names what must fail, so that a run which failed for another
// reason (the workload never started, the steady state after did not come back, a check
// nobody expected) is never counted as the baseline's failure.
import { z } from "zod";
import type { Threshold, ThresholdResult } from "../checks/thresholds.js";
import { UsageError } from "../errors.js";
import type { CheckOutcome, RunStatus } from "./result.js";

/** The checks (by name) or thresholds (by their text) that must fail; none: everything must hold. */
export interface Expectation {
  fail: string[];
}

export const PASS: Expectation = { fail: [] };

const SHAPE = `"pass", or { fail: [the checks or thresholds that must fail] }, e.g. { fail: ["lostWrites.lost == 0"] }`;

/** The field as a scenario file writes it (the JSON Schema is derived from this). */
export const ExpectSchema = z
  .union([z.literal("pass"), z.object({ fail: z.array(z.string()).min(1) }).strict()], { error: `allowed: ${SHAPE}` })
  .describe(`${SHAPE}: a baseline names what must fail, and everything else must still hold`);

export type ExpectInput = z.input<typeof ExpectSchema>;

/** A threshold as `expect` names it: its text, spaces squashed ("lostWrites.lost == 0"). */
export const thresholdKey = (text: string): string => text.replace(/\s+/g, " ").trim();

/**
 * Checks `expect` against the scenario's own checks and thresholds: a name that is neither
 * could never fail, and would make the baseline fail for ever, or pass for the wrong reason.
 */
export function resolveExpectation(raw: unknown, checks: string[], thresholds: Threshold[], at: (path: string) => string): Expectation {
  if (raw === undefined || raw === "pass") return PASS;
  // The old form, which passed on any failure: refused with the shape that replaces it.
  if (raw === "fail") throw new UsageError(at(`expect: "fail" no longer says what must fail; allowed: ${SHAPE}`));
  const parsed = ExpectSchema.safeParse(raw);
  if (!parsed.success || parsed.data === "pass") throw new UsageError(at(`expect: allowed: ${SHAPE}`));
  const texts = thresholds.map((t) => thresholdKey(t.text));
  const fail = parsed.data.fail.map((name, i) => {
    const n = thresholdKey(name);
    if (!checks.includes(n) && !texts.includes(n)) {
      throw new UsageError(at(`expect.fail[${i}]: '${name}' is none of this scenario's checks or thresholds; allowed: ${[...checks, ...thresholds.map((t) => t.text)].join(", ")}`));
    }
    return n;
  });
  return { fail: [...new Set(fail)] };
}

export interface ExpectationVerdict {
  status: RunStatus;
  /** The run came out as the scenario expected. */
  ok: boolean;
  /** What failed that nobody expected to (a baseline's "failed unexpectedly"). */
  unexpected: string[];
  /** What the baseline named that held after all. */
  held: string[];
}

/**
 * The verdict of a run that was not aborted. A named check covers the thresholds on its
 * figures, and a named threshold covers its own check's verdict (a loss of 82 writes makes
 * `lostWrites.lost == 0` fail and the lostWrites check invalid: one finding, said twice).
 * A failure counts as the expected one only when it was measured: a threshold with no
 * value, or a check with no figure at all (no final read, no probe sample), failed to
 * measure, not found the flaw. Nothing covers the steady state after the faults: a
 * baseline must recover like any other scenario.
 */
export function judgeExpectation(e: Expectation, run: { checks: CheckOutcome[]; thresholds: ThresholdResult[]; after: ThresholdResult[] }): ExpectationVerdict {
  const judged = run.checks.filter((c) => !c.observed);
  const failedChecks = judged.filter((c) => !c.valid);
  const failedThresholds = run.thresholds.filter((t) => !t.passed);
  const failedAfter = run.after.filter((t) => !t.passed);
  const anyFailed = failedChecks.length + failedThresholds.length + failedAfter.length > 0;
  if (e.fail.length === 0) return { status: anyFailed ? "failed" : "passed", ok: !anyFailed, unexpected: [], held: [] };

  const named = new Set(e.fail);
  const measured = (c: CheckOutcome) => Object.values(c.figures).some((v) => v !== null);
  // Thresholds that failed with a value, by their key, and the checks they speak for.
  const foundThresholds = failedThresholds.filter((t) => t.actual !== null && (named.has(thresholdKey(t.text)) || named.has(t.check)));
  const coveredChecks = new Set(foundThresholds.map((t) => t.check));
  const foundChecks = failedChecks.filter((c) => measured(c) && (named.has(c.name) || coveredChecks.has(c.name)));
  const unexpected = [
    ...failedChecks.filter((c) => !foundChecks.includes(c)).map((c) => (measured(c) ? c.name : `${c.name} (measured nothing: ${c.anomalies[0]?.message ?? "no figures"})`)),
    ...failedThresholds.filter((t) => !foundThresholds.includes(t)).map((t) => (t.actual === null ? `${thresholdKey(t.text)} (no value)` : thresholdKey(t.text))),
    ...failedAfter.map((t) => `steady state after: ${t.text}`),
  ];
  const found = new Set([...foundChecks.map((c) => c.name), ...foundThresholds.map((t) => thresholdKey(t.text))]);
  const held = e.fail.filter((n) => !found.has(n));
  if (unexpected.length > 0) return { status: "failed-unexpectedly", ok: false, unexpected, held };
  return { status: anyFailed ? "failed" : "passed", ok: anyFailed && held.length === 0, unexpected, held };
}

/** "expected to pass", or "expected to fail lostWrites.lost == 0, splitBrain". */
export function describeExpectation(e: Expectation): string {
  return e.fail.length === 0 ? "expected to pass" : `expected to fail ${e.fail.join(", ")}`;
}
