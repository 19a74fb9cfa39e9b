// What a scenario run produced: verdicts, figures and where its reports are.
import type { ThresholdResult } from "../checks/thresholds.js";
import type { Verdict } from "../checks/types.js";
import type { HistoryEntry } from "../history/types.js";
import type { SharedUse } from "../machine/reuse.js";
import { describeExpectation, type Expectation } from "./expectation.js";

/** A check's verdict under its name, as the scenario's result carries it. */
export interface CheckOutcome extends Verdict {
  name: string;
  /** Reported, not judged (the scenario's `observe`). */
  observed?: boolean;
}

/**
 * What happened: every check and threshold held (passed), some failed (failed), a baseline
 * failed where it was not expected to (failed-unexpectedly: see ./expectation.ts), or the
 * run stopped before it could be judged (aborted).
 */
export type RunStatus = "passed" | "failed" | "failed-unexpectedly" | "aborted";

export interface ScenarioResult {
  name: string;
  claim: string;
  seed: number;
  lab: string;
  /** Why the run was aborted, when the lab itself failed mid-run. */
  error?: string;
  /** What must fail: nothing, or a baseline's named checks and thresholds. */
  expect: Expectation;
  status: RunStatus;
  /** The run came out as expected: everything held, or exactly what the baseline named failed. */
  ok: boolean;
  /** A baseline's failures that it did not name (why it "failed unexpectedly"). */
  unexpected: string[];
  /** What a baseline named that held after all. */
  held: string[];
  /** One line: what happened, for a terminal or a test failure. */
  summary: string;
  checks: CheckOutcome[];
  thresholds: ThresholdResult[];
  steady: { before: ThresholdResult[]; after: ThresholdResult[] };
  startedAt: string;
  wallMs: number;
  reportDir?: string;
  /** The scheduled faults, described, in order: the report's timeline labels them. */
  faults: string[];
  history: HistoryEntry[];
  /** On a shared lab (`reuse`): whether it was reused after a verified reset, or brought up fresh, and why. */
  system?: SharedUse;
}

/** The unit a threshold's figure is printed in: its check's, a count printed bare. */
function unitOf(t: Pick<ThresholdResult, "unit">): string {
  return t.unit === "count" ? "" : t.unit;
}

export function describeThreshold(t: ThresholdResult): string {
  const unit = unitOf(t);
  // A limit computed from the settings, or a band, says what it came to.
  const resolved = t.cases
    ? `; ${t.held ? `the case '${t.held}'` : "no case"} of ${t.cases.map((c) => `${c.name} ${c.low}..${c.high}${unit}`).join(", ")}`
    : t.op === "within"
      ? `; band ${t.limit}..${t.upper ?? t.limit}${unit}`
      : t.text.includes("(")
        ? `; limit ${t.limit}${unit}`
        : "";
  return `${t.text}: ${t.passed ? "passed" : "FAILED"} (${t.actual === null ? "no value" : `${t.actual}${unit}`}${resolved})`;
}

/** The run's verdict in a few words, for the report's badge and the suite's table. */
export function verdictOf(r: Pick<ScenarioResult, "ok" | "status" | "expect">): string {
  if (r.status === "aborted") return "aborted";
  if (r.status === "failed-unexpectedly") return "failed unexpectedly";
  if (r.expect.fail.length === 0) return r.ok ? "passed" : "did not hold";
  return r.ok ? "failed as expected" : r.status === "passed" ? "held, though expected to fail" : "failed, but not all it was expected to";
}

/** Which case of each many-cased band held, for a passing run's one line: the branch of the rule the system took. */
export function casesHeld(thresholds: readonly ThresholdResult[]): string {
  const held = thresholds.filter((t) => t.cases && t.held).map((t) => `${t.check}.${t.figure} ${t.actual}${unitOf(t)}: the case '${t.held}'`);
  return held.length > 0 ? ` (${held.join("; ")})` : "";
}

export function summarize(r: Pick<ScenarioResult, "name" | "status" | "expect" | "checks" | "thresholds" | "steady" | "error" | "unexpected" | "held">): string {
  const failedChecks = r.checks.filter((c) => !c.valid && !c.observed).map((c) => `${c.name}: ${c.anomalies[0]?.message ?? "invalid"}`);
  const failedThresholds = r.thresholds.filter((t) => !t.passed).map(describeThreshold);
  const what =
    r.error !== undefined
      ? `aborted: the lab failed: ${r.error}`
      : r.status === "aborted"
      ? `aborted: the steady state failed before any fault (${r.steady.before.filter((t) => !t.passed).map(describeThreshold).join("; ")})`
      : r.status === "passed"
        ? `every check and threshold passed${casesHeld(r.thresholds)}`
        : `${r.status === "failed-unexpectedly" ? "failed unexpectedly" : "failed"}: ${[...failedChecks, ...failedThresholds, ...r.steady.after.filter((t) => !t.passed).map((t) => `steady state after: ${describeThreshold(t)}`)].join("; ")}`;
  const baseline = r.expect.fail.length > 0;
  const expectation = !baseline || r.status === "aborted"
    ? ""
    : r.status === "failed-unexpectedly"
      ? ` — this baseline is ${describeExpectation(r.expect)}, and nothing else: not ${r.unexpected.join("; ")}`
      : r.held.length > 0
        ? ` — but this baseline is ${describeExpectation(r.expect)}, and ${r.held.join(", ")} held`
        : ` — as expected of this baseline (${describeExpectation(r.expect)})`;
  return `${r.name}: ${what}${expectation}`;
}
