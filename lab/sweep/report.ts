// A sweep's reports: a table for the terminal, sweep.json, and JUnit with one test case
// per fault (failed when its verdict fails the sweep).
import { createRequire } from "node:module";
import type { Builder } from "junit-report-builder";
import type { SweepResult, SweepRow } from "./run.js";

const junit = createRequire(import.meta.url)("junit-report-builder") as Builder;

const ms = (v: number | null) => (v === null ? "never" : `${v} ms`);

export function sweepTable(rows: SweepRow[]): string[][] {
  return [
    ["part", "fault", "verdict", "why", "failed", "lost", "recovery", "in fault", "protected again", "notes"],
    ...rows.map((r) => [
      r.part,
      r.fault,
      r.allowed ? `${r.verdict} (allowed)` : r.verdict,
      r.why,
      String(r.figures.failed),
      String(r.figures.lost),
      ms(r.figures.recoveryMs),
      r.figures.availability === null ? "-" : `${r.figures.availability}%`,
      r.figures.protectedMs === null ? "not in the run" : `${r.figures.protectedMs} ms`,
      [...(r.paperExpects && r.verdict !== "masked" ? [`the paper expects it: ${r.paperExpects}`] : []), ...r.asPaperExpects.map((x) => `as the paper expects: ${x}`), ...(r.reused ? [] : [`fresh lab${r.freshBecause ? `: ${r.freshBecause}` : ""}`])].join("; "),
    ]),
  ];
}

export function sweepJunit(result: SweepResult): string {
  const b = junit.newBuilder();
  const suite = b.testSuite().name("nonstop-lab sweep: every single fault");
  for (const r of result.rows) {
    const tc = suite.testCase().className(`sweep.${r.part}`).name(r.fault).time(r.wallMs / 1000);
    tc.standardOutput(JSON.stringify({ verdict: r.verdict, figures: r.figures }));
    if (r.fails) tc.failure(`${r.verdict}: ${r.why}`);
  }
  return b.build();
}
