// Writes a run's reports: summary.json, junit.xml and report.html (history.jsonl was
// streamed during the run).
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createRequire } from "node:module";
import type { Builder } from "junit-report-builder";
import type { ScenarioResult } from "../scenario/result.js";
import { describeThreshold, verdictOf } from "../scenario/result.js";
import { describeExpectation, thresholdKey } from "../scenario/expectation.js";
import { renderHtml } from "./html.js";

// The package's typings declare an ES default export, but under Node's CommonJS interop the
// builder *is* module.exports; require() gives it exactly, typed with its own Builder type.
const junit = createRequire(import.meta.url)("junit-report-builder") as Builder;

export function summaryJson(r: ScenarioResult): unknown {
  const { history: _history, ...rest } = r;
  return { ...rest, historyEntries: r.history.length };
}

export function junitXml(results: ScenarioResult[]): string {
  const b = junit.newBuilder();
  for (const r of results) {
    const suite = b.testSuite().name(`nonstop-lab scenario ${r.name}`);
    const whole = suite.testCase().className(`scenario.${r.name}`).name(`${r.name} (${describeExpectation(r.expect)})`);
    if (!r.ok) whole.failure(`${verdictOf(r)}: ${r.summary}`);
    // A case fails when it came out otherwise than expected: an unexpected failure, or a
    // named one that held. A baseline's named failures are its expected result.
    const wrong = (name: string, failed: boolean, why: string, tc: { failure(m: string): unknown }) => {
      if (failed && (r.expect.fail.length === 0 || r.unexpected.some((u) => u === name || u.startsWith(`${name} (`)))) tc.failure(why);
      else if (!failed && r.held.includes(name)) tc.failure("expected to fail, and held");
    };
    for (const c of r.checks) {
      const tc = suite.testCase().className(`scenario.${r.name}.checks`).name(c.name);
      tc.standardOutput(JSON.stringify(c.figures));
      // An observed check is a figure to read, never a failure.
      if (!c.observed) wrong(c.name, !c.valid, c.anomalies.map((a) => a.message).join("; ") || "invalid", tc);
    }
    for (const t of r.thresholds) {
      const tc = suite.testCase().className(`scenario.${r.name}.thresholds`).name(t.text);
      wrong(thresholdKey(t.text), !t.passed, describeThreshold(t), tc);
    }
  }
  return b.build();
}

/** The reports of one run, next to the history.jsonl it streamed. The caller of runScenario writes them. */
export async function writeReports(r: ScenarioResult, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "summary.json"), `${JSON.stringify(summaryJson(r), null, 2)}\n`);
  await writeFile(join(dir, "junit.xml"), junitXml([r]));
  await writeFile(join(dir, "report.html"), renderHtml(r));
}
