// `nonstop run <name|all>`: runs scenarios against fresh labs, with a live progress line,
// and writes each one's reports under --report DIR/<name>/.
import { table } from "./output.js";
import { join, resolve } from "node:path";
import type { LabConfig } from "../config.js";
import { connectEngine } from "../docker/engine.js";
import { Plumbing } from "../docker/plumbing.js";
import { UsageError } from "../errors.js";
import type { AnyScenarioSpec, ScenarioSpec } from "../scenario/define.js";
import { writeReports } from "../report/write.js";
import { runScenario, type Progress } from "../scenario/run.js";
import { describeExpectation } from "../scenario/expectation.js";
import { verdictOf } from "../scenario/result.js";
import { isScenarioPath, loadScenarios, validate } from "../scenario/load.js";
import { buildImages } from "./images.js";
import { writableFolder } from "../util/folder.js";

function progressPrinter(): (p: Progress) => void {
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  return (p) => {
    const line = `[${p.scenario}] ${p.phase} ${(p.phaseMs / 1000).toFixed(1)}s · ${p.opsPerSec} ops/s · ${p.errors} errors · faults: ${p.activeFaults.join(", ") || "none"}`;
    if (tty) process.stderr.write(`\r\x1b[2K${line}`);
    else if (performance.now() - lastLine > 2000) {
      lastLine = performance.now();
      process.stderr.write(`${line}\n`);
    }
  };
}

export async function runCommand(
  config: LabConfig,
  scenarios: readonly ScenarioSpec[],
  which: string | string[],
  flags: { seed?: number; report: string; keep?: boolean; swarm?: boolean },
): Promise<void> {
  const names = scenarios.map((s) => s.name);
  const asked = typeof which === "string" ? [which] : which;
  // Paths are a user's own scenario files or folders; the rest name built-in scenarios.
  const paths = asked.filter(isScenarioPath);
  const builtIn = asked.filter((w) => !isScenarioPath(w));
  const unknown = builtIn.find((w) => w !== "all" && !names.includes(w));
  if (unknown !== undefined) throw new UsageError(`run: unknown scenario '${unknown}'; scenarios are ${names.join(", ")} (or all), or a path such as ./my.scenario.ts or ./scenarios/`);
  const chosen: AnyScenarioSpec[] = [
    ...(builtIn.includes("all") ? scenarios : builtIn.map((w) => scenarios.find((s) => s.name === w)).filter((s): s is ScenarioSpec => s !== undefined)),
    ...(await loadScenarios(paths)),
  ];
  // Validate every chosen scenario, and the report folder, before any of them starts.
  for (const s of chosen) await validate(s, flags.seed, { swarm: flags.swarm ?? false });
  await writableFolder("--report", flags.report);

  const plumbing = new Plumbing(await connectEngine({ host: config.dockerHost }));
  const { images } = await buildImages(config, { quiet: true });
  let failures = 0;
  const rows: string[][] = [];
  for (const s of chosen) {
    const dir = resolve(join(flags.report, s.name));
    const r = await runScenario(s, {
      plumbing,
      images,
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      reportDir: dir,
      onProgress: progressPrinter(),
      handleSignals: true,
      ...(flags.keep ? { keepLab: true } : {}),
      ...(flags.swarm ? { swarm: {} } : {}),
    });
    await writeReports(r, dir);
    if (process.stderr.isTTY) process.stderr.write("\r\x1b[2K");
    console.log(`${r.ok ? "✔" : "✘"} ${r.summary}`);
    rows.push([r.name, verdictOf(r), describeExpectation(r.expect), `${(r.wallMs / 1000).toFixed(1)} s`]);
    for (const c of r.checks) {
      const figures = Object.entries(c.figures)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ");
      console.log(`    ${c.observed ? "observed" : c.valid ? "valid   " : "INVALID "} ${c.name}: ${figures}`);
      if (c.table) console.log(`\n${table(c.table).replace(/^/gm, "      ")}\n`);
    }
    console.log(`    seed ${r.seed}; report: ${join(dir, "report.html")} (also summary.json, history.jsonl, junit.xml)`);
    if (!r.ok) failures++;
  }
  if (chosen.length > 1) {
    console.log(`\n${table([["scenario", "verdict", "expectation", "wall"], ...rows])}\n`);
    console.log(`${chosen.length - failures} of ${chosen.length} scenarios came out as expected`);
  }
  if (failures > 0) process.exitCode = 1;
}
