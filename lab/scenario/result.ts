// What a scenario run produced: verdicts, figures and where its reports are.
import type { ThresholdResult } from "../checks/thresholds.js";
import type { Anomaly } from "../checks/types.js";
import type { HistoryEntry } from "../history/types.js";
import type { SharedUse } from "../machine/reuse.js";

export interface CheckOutcome {
  name: string;
  valid: boolean;
  figures: Record<string, number | null>;
  anomalies: Anomaly[];
  table?: string[][];
  /** Reported, not judged (the scenario's `observe`). */
  observed?: boolean;
}

export type RunStatus = "passed" | "failed" | "aborted";

export interface ScenarioResult {
  name: string;
  claim: string;
  seed: number;
  lab: string;
  /** Why the run was aborted, when the lab itself failed mid-run. */
  error?: string;
  /** "fail" for an expected-failure baseline. */
  expect: "pass" | "fail";
  status: RunStatus;
  /** The run came out as expected: passed when expected to pass, failed when expected to fail. */
  ok: boolean;
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

export function describeThreshold(t: ThresholdResult): string {
  const unit = /(p\d+|max|gap)/.test(t.figure) || t.check === "latency" ? "ms" : t.check === "availability" && !/ops|failed|unknown/.test(t.figure) ? "%" : "";
  return `${t.text}: ${t.passed ? "passed" : "FAILED"} (${t.actual === null ? "no value" : `${t.actual}${unit}`})`;
}

export function summarize(r: Pick<ScenarioResult, "name" | "status" | "expect" | "checks" | "thresholds" | "steady" | "error">): string {
  const failedChecks = r.checks.filter((c) => !c.valid && !c.observed).map((c) => `${c.name}: ${c.anomalies[0]?.message ?? "invalid"}`);
  const failedThresholds = r.thresholds.filter((t) => !t.passed).map(describeThreshold);
  const what =
    r.error !== undefined
      ? `aborted: the lab failed: ${r.error}`
      : r.status === "aborted"
      ? `aborted: the steady state failed before any fault (${r.steady.before.filter((t) => !t.passed).map(describeThreshold).join("; ")})`
      : r.status === "passed"
        ? "every check and threshold passed"
        : `failed: ${[...failedChecks, ...failedThresholds, ...r.steady.after.filter((t) => !t.passed).map((t) => `steady state after: ${describeThreshold(t)}`)].join("; ")}`;
  const expectation = r.expect === "fail" ? (r.status === "failed" ? " — as expected of this baseline" : " — but this baseline was expected to fail") : "";
  return `${r.name}: ${what}${expectation}`;
}
