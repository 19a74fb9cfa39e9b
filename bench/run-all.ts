// `npm run bench`: every benchmark under bench/, one after another (they share two cores),
// then one JSON file of figures and a markdown table of them:
//   reports/bench/figures.json   every benchmark's JSON, plus the machine
//   reports/bench/figures.md     one row per summarised figure: N, median, p99, min, max
// `--smoke` runs each one as briefly as it allows (what `npm test` does, so none rots):
// one iteration, and, where the figure allows, on the shared lab of its topology
// (`--reuse`: reset and verified, not brought up again; lab/machine/reuse.ts).
// Benchmarks never fail on speed; a benchmark that crashes or prints no figures does.
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { markdownTable } from "./table.js";

interface Bench {
  file: string;
  /** Arguments for a quick run that still exercises everything. */
  smoke: string[];
}

export const BENCHES: Bench[] = [
  { file: "bench/images.ts", smoke: ["--runs", "1"] },
  { file: "bench/cli.ts", smoke: ["--runs", "1"] },
  { file: "bench/lifecycle.ts", smoke: ["--runs", "1"] },
  { file: "bench/reuse.ts", smoke: ["--runs", "1"] },
  { file: "bench/idle.ts", smoke: ["--seconds", "2", "--settle-ms", "500", "--services", "web"] },
  { file: "bench/router.ts", smoke: ["--runs", "20", "--reuse"] },
  { file: "bench/faults.ts", smoke: ["--runs", "1", "--reuse"] },
  { file: "bench/loadgen.ts", smoke: ["--seconds", "1", "--rates", "500"] },
  { file: "bench/checks.ts", smoke: ["--ops", "20000"] },
  { file: "bench/elle.ts", smoke: ["--txns", "10000", "--runs", "1"] },
  { file: "bench/raid.ts", smoke: ["--mb", "8"] },
  { file: "bench/plane.ts", smoke: ["--runs", "1", "--window-ms", "1000", "--reuse"] },
  { file: "bench/takeover.ts", smoke: ["--runs", "1", "--latency-ms", "1000"] },
  { file: "bench/address.ts", smoke: ["--runs", "1", "--reuse"] },
  { file: "bench/keepalived.ts", smoke: ["--runs", "1", "--sides", "keepalivedTuned"] },
  { file: "bench/outside-kill.ts", smoke: ["--runs", "1", "--seconds", "2", "--rate", "50", "--together"] },
  { file: "bench/app.ts", smoke: ["--runs", "1", "--requests", "3", "--probe-seconds", "1"] },
  { file: "bench/real-systems.ts", smoke: ["--runs", "1", "--sides", "keepalived"] },
];

/** Runs one benchmark; resolves with its figures (the JSON line it printed). */
export function runBench(b: Bench, args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/run-ts.js", b.file, ...args], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => {
      const line = out
        .split("\n")
        .reverse()
        .find((l) => l.startsWith('{"bench"'));
      if (code !== 0 || !line) return reject(new Error(`${b.file} ${code !== 0 ? `exited ${code}` : "printed no figures"}: ${out.slice(-300)}`));
      resolve(JSON.parse(line) as Record<string, unknown>);
    });
  });
}

if (process.argv[1]?.endsWith("run-all.ts")) {
  const smoke = process.argv.includes("--smoke");
  const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7).split(",");
  const outDir = process.argv.find((a) => a.startsWith("--out="))?.slice(6) ?? join("reports", "bench");
  const results: Record<string, unknown>[] = [];
  for (const b of BENCHES.filter((x) => !only || only.some((o) => x.file.includes(o)))) {
    process.stderr.write(`bench: ${b.file}${smoke ? " (smoke)" : ""}\n`);
    const r = await runBench(b, smoke ? b.smoke : []);
    console.log(JSON.stringify(r));
    results.push(r);
  }
  const machine = { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, at: new Date().toISOString(), smoke };
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, "figures.json"), JSON.stringify({ machine, benches: results }, null, 2));
  await writeFile(join(outDir, "figures.md"), markdownTable(machine, results));
  process.stderr.write(`bench: figures in ${join(outDir, "figures.json")} and ${join(outDir, "figures.md")}\n`);
}
