// Steadiness as a figure: the whole scenario suite, N times over (`--runs`, 10 by default),
// and each scenario's rate of coming out as expected, with the runtime's false removals
// (CPUs removed from the view in a scenario that faults no CPU) and its stalls.
// `--hog` keeps one more core of the host busy throughout, as a noisy CI neighbour would;
// `--only a,b` runs some scenarios: built-in names, or scenario files and folders (a
// user's Compose system's, such as examples/patroni/scenarios/kill-leader-sync.scenario.yaml). `--reuse` runs each on the shared lab of its topology,
// reset and verified between runs (lab/machine/reuse.ts), as `npm test` does; the figures
// say how many runs reused a lab. A band with a case per outcome of its rule counts the
// runs that fell in each case (`held`). Prints a table on stderr and one JSON line of figures.
// A scenario that fails once in ten is a bug in the product or in the scenario.
import { spawn, type ChildProcess } from "node:child_process";
import { reap } from "../lab/docker/reap.js";
import { writeReports } from "../lab/report/write.js";
import { runScenario } from "../lab/scenario/run.js";
import { casesHeld, type ScenarioResult } from "../lab/scenario/result.js";
import { SCENARIOS } from "../scenarios/index.js";
import { isScenarioPath, loadScenarios } from "../lab/scenario/load.js";
import type { AnyScenarioSpec } from "../lab/scenario/define.js";
import { UsageError } from "../lab/errors.js";
import { listFromArgv, printFigures, runsFromArgv } from "./figures.js";
import { benchLab } from "./lab.js";
import { reapShared } from "../lab/machine/reuse.js";

const runs = runsFromArgv(10);
const hog = process.argv.includes("--hog");
const reuse = process.argv.includes("--reuse");
let reused = 0;
const only = listFromArgv("--only", []);
const reportRoot = process.argv.find((a) => a.startsWith("--report="))?.slice(9) ?? "reports/steady";
const files = only.filter(isScenarioPath);
const unknown = only.filter((n) => !isScenarioPath(n) && !SCENARIOS.some((s) => s.name === n));
if (unknown.length > 0) throw new UsageError(`--only: no scenario ${unknown.join(", ")}; built-in scenarios are ${SCENARIOS.map((s) => s.name).join(", ")}, or give a scenario file`);
const chosen: AnyScenarioSpec[] = only.length ? [...SCENARIOS.filter((s) => only.includes(s.name)), ...(await loadScenarios(files))] : [...SCENARIOS];
const { plumbing, images } = await benchLab();

/**
 * Whether a scenario's faults may rightly remove a CPU from the view (a kill, a pause, a
 * crash point, a partition). In any other scenario (a plane, a link, a disk) a removal is
 * a false one.
 */
const faultsCpus = (name: string) => /"kind":"(cpu\.[a-z]+|pair\.crash|partition)"/.test(JSON.stringify(SCENARIOS.find((x) => x.name === name)?.schedule ?? {}));

let busy: ChildProcess | undefined;
if (hog) busy = spawn(process.execPath, ["-e", "for(;;){}"], { stdio: "ignore" });
const stopHog = () => busy?.kill("SIGKILL");
process.once("exit", stopHog);

interface Tally {
  runs: number;
  asExpected: number;
  falseRemovals: number;
  stalls: number;
  longestStall: number;
  failures: string[];
  /** Runs per case of each many-cased band ("failoverGap.max first"): which branch of its rule the system took. */
  held: Record<string, number>;
}
const tally = new Map<string, Tally>(chosen.map((s) => [s.name, { runs: 0, asExpected: 0, falseRemovals: 0, stalls: 0, longestStall: 0, failures: [], held: {} }]));
const t0 = Date.now();
try {
  for (let i = 1; i <= runs; i++) {
    for (const s of chosen) {
      const t = tally.get(s.name);
      if (!t) continue;
      t.runs++;
      let r: ScenarioResult;
      try {
        const dir = `${reportRoot}/run-${i}/${s.name}`;
        r = await runScenario(s, { plumbing, images, reportDir: dir, reuse });
        if (r.system?.reused) reused++;
        await writeReports(r, dir);
      } catch (err) {
        t.failures.push(`run ${i}: crashed: ${String(err)}`);
        continue;
      }
      const rt = r.checks.find((c) => c.name === "runtime")?.figures ?? {};
      const removals = typeof rt.removals === "number" ? rt.removals : 0;
      if (!faultsCpus(s.name)) t.falseRemovals += removals;
      t.stalls += typeof rt.stalls === "number" ? rt.stalls : 0;
      t.longestStall = Math.max(t.longestStall, typeof rt.longestStall === "number" ? rt.longestStall : 0);
      if (r.ok) t.asExpected++;
      else t.failures.push(`run ${i}: ${r.summary}`);
      for (const th of r.thresholds) {
        if (!th.cases || !th.held) continue;
        const key = `${th.check}.${th.figure} ${th.held}`;
        t.held[key] = (t.held[key] ?? 0) + 1;
      }
      process.stderr.write(`steady: run ${i}/${runs} ${s.name}: ${r.ok ? `as expected${casesHeld(r.thresholds)}` : `NOT as expected: ${r.summary}`}\n`);
    }
  }
} finally {
  stopHog();
  for (const lab of await plumbing.labs()) if (lab.startsWith("scn-")) await reap(plumbing, lab);
  await reapShared(plumbing);
}

const rows = [...tally].map(([name, t]) => ({ name, ...t, passRate: t.runs ? Math.round((t.asExpected / t.runs) * 1000) / 10 : null }));
process.stderr.write(`\n${"scenario".padEnd(20)} pass rate   false removals  stalls  longest stall\n`);
for (const r of rows) process.stderr.write(`${r.name.padEnd(20)} ${`${r.asExpected}/${r.runs}`.padEnd(11)} ${String(r.falseRemovals).padEnd(15)} ${String(r.stalls).padEnd(7)} ${r.longestStall} ms\n`);
for (const r of rows) for (const f of r.failures) process.stderr.write(`  ${r.name}: ${f}\n`);
printFigures("steady", {
  runs,
  hog,
  reuse,
  reusedRuns: reused,
  minutes: Math.round((Date.now() - t0) / 6000) / 10,
  unexpected: rows.reduce((a, r) => a + (r.runs - r.asExpected), 0),
  falseRemovals: rows.reduce((a, r) => a + r.falseRemovals, 0),
  scenarios: Object.fromEntries(rows.map((r) => [r.name, { passRate: r.passRate, runs: r.runs, falseRemovals: r.falseRemovals, stalls: r.stalls, longestStall: r.longestStall, ...(Object.keys(r.held).length > 0 ? { held: r.held } : {}) }])),
});
if (rows.some((r) => r.asExpected < r.runs)) process.exitCode = 1;
