#!/usr/bin/env node
// Prints the slowest test files of vitest's JSON report, each beside its budget
// (test/budgets.json: seconds per file, and a default for the rest), and warns, without
// failing, for each file over its budget. CI prints it before the summary line, so a
// file that grows shows up on the day it grows. Usage: node scripts/test-timings.mjs [report] [N]
import { readFileSync } from "node:fs";
import { relative } from "node:path";

const file = process.argv[2] ?? "reports/vitest.json";
const top = Number(process.argv[3] ?? 10);
let report;
try {
  report = JSON.parse(readFileSync(file, "utf8"));
} catch (err) {
  console.log(`test timings: no vitest report at ${file} (${err.message})`);
  process.exit(0);
}
const budgets = JSON.parse(readFileSync(new URL("../test/budgets.json", import.meta.url), "utf8"));
const budgetOf = (name) => budgets.files[name] ?? budgets.default;

const files = report.testResults
  .map((r) => ({ name: relative(process.cwd(), r.name), seconds: (r.endTime - r.startTime) / 1000, tests: r.assertionResults.length }))
  .sort((a, b) => b.seconds - a.seconds);
const total = files.reduce((a, f) => a + f.seconds, 0);
const width = Math.max(...files.slice(0, top).map((f) => f.name.length), 4);
console.log(`slowest ${Math.min(top, files.length)} of ${files.length} test files (${total.toFixed(0)} s in all):`);
console.log(`${"file".padEnd(width)}  tests  seconds  budget`);
for (const f of files.slice(0, top)) {
  const b = budgetOf(f.name);
  console.log(`${f.name.padEnd(width)}  ${String(f.tests).padStart(5)}  ${f.seconds.toFixed(1).padStart(7)}  ${String(b).padStart(6)}${f.seconds > b ? "  OVER" : ""}`);
}
for (const f of files.filter((x) => x.seconds > budgetOf(x.name))) {
  console.log(`warning: ${f.name} took ${f.seconds.toFixed(1)} s, over its budget of ${budgetOf(f.name)} s (test/budgets.json)`);
}
