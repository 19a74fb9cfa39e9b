// `nonstop sweep`: every single fault of the machine, derived from its topology, run one
// after another on a shared lab (reset and verified between them), and a verdict for each.
// Exit 1 when a fault not allowed (--allow) is an outage or worse.
import { join } from "node:path";
import { mkdir, writeFile } from "node:fs/promises";
import type { LabConfig } from "../config.js";
import { connectEngine } from "../docker/engine.js";
import { Plumbing } from "../docker/plumbing.js";
import { UsageError } from "../errors.js";
import { FAULT_KINDS } from "../faults/kinds/index.js";
import { reapShared } from "../machine/reuse.js";
import { regressionFile, regressionScenario, regressionSource } from "../sweep/regression.js";
import { derived, faultScenario, runSweep } from "../sweep/run.js";
import { sweepJunit, sweepTable } from "../sweep/report.js";
import type { TopologyInput } from "../topology/schema.js";
import { onInterrupt } from "../util/interrupt.js";
import { parseDuration } from "../util/duration.js";
import { writableFolder } from "../util/folder.js";
import { buildImages } from "./images.js";
import { topologyFlags } from "./machine.js";
import { table } from "./output.js";

export interface SweepFlags {
  cpus?: number;
  topology?: string;
  services?: string;
  kinds?: string;
  hold: string;
  allow?: string;
  report: string;
  write?: string;
  json?: boolean;
}

const list = (v: string | undefined) => (v ?? "").split(",").map((x) => x.trim()).filter(Boolean);

export async function sweepCommand(config: LabConfig, flags: SweepFlags): Promise<void> {
  // Everything checked before a lab is made.
  const input = (await topologyFlags(flags)) as TopologyInput;
  const kinds = list(flags.kinds);
  const bad = kinds.find((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (bad !== undefined) throw new UsageError(`--kinds: unknown fault kind '${bad}'; allowed: ${FAULT_KINDS.join(", ")}`);
  const holdMs = parseDuration("--hold", flags.hold, { bareSeconds: true });
  if (holdMs < 500 || holdMs > 60_000) throw new UsageError(`--hold: from 0.5s to 60s, so a fault is long enough to be detected and short enough to sweep (got '${flags.hold}')`);
  const { topology, faults } = derived(input, kinds);
  if (faults.length === 0) throw new UsageError(`--kinds: this machine has no fault of the kinds ${kinds.join(", ")}`);
  const parts = new Set(faults.map((f) => f.part));
  const allow = list(flags.allow);
  const unknownPart = allow.find((p) => !parts.has(p));
  if (unknownPart !== undefined) throw new UsageError(`--allow: '${unknownPart}' is no part of this machine; parts are ${[...parts].join(", ")}`);
  const reportDir = await writableFolder("--report", flags.report);
  const writeDir = flags.write === undefined ? undefined : await writableFolder("--write", flags.write);

  const plumbing = new Plumbing(await connectEngine({ host: config.dockerHost }));
  const { images } = await buildImages(config, { quiet: true });
  if (!flags.json) console.log(`sweep: ${faults.length} single faults of a machine of ${topology.cpus.length} CPUs, ${topology.planes.length} planes, ${topology.disks.length} mirrors and ${topology.services.length} services; each held ${holdMs / 1000}s on one lab, reset and verified between them`);
  const interrupted = new AbortController();
  // Ctrl-C and SIGTERM: the fault in flight heals as its run unwinds, then the shared lab goes.
  using _signals = onInterrupt(
    async () => {
      interrupted.abort(new Error("interrupted"));
      await reapShared(plumbing);
    },
    { what: "healing the fault in flight and removing the sweep's lab" },
  );
  try {
    const result = await runSweep({
      plumbing,
      images,
      topology: input,
      kinds,
      holdMs,
      allow,
      reportDir,
      signal: interrupted.signal,
      onFault: (done, of, r) => {
        if (!flags.json) console.log(`${r.fails ? "✘" : "✔"} ${done}/${of} ${r.fault}: ${r.verdict}${r.allowed ? " (allowed)" : ""}: ${r.why}`);
      },
    });
    await mkdir(reportDir, { recursive: true });
    await writeFile(join(reportDir, "sweep.json"), `${JSON.stringify(result, null, 2)}\n`);
    await writeFile(join(reportDir, "junit.xml"), sweepJunit(result));
    const written: string[] = [];
    if (writeDir) {
      // The rows are the faults, in order: each finding is rewritten from its own fault.
      for (const [i, row] of result.rows.entries()) {
        const sf = faults[i];
        if (!sf) continue;
        const spec = regressionScenario(faultScenario(input, topology, sf, i, holdMs), row);
        if (!spec) continue;
        const file = join(writeDir, regressionFile(spec, row));
        await writeFile(file, regressionSource(spec, row));
        written.push(file);
      }
    }
    if (flags.json) console.log(JSON.stringify(result));
    else {
      console.log(`\n${table(sweepTable(result.rows))}\n`);
      const spofs = [...new Set(result.rows.filter((r) => r.fails).map((r) => r.part))];
      console.log(spofs.length === 0 ? `no single point of failure found in ${result.rows.length} faults (${(result.wallMs / 1000).toFixed(0)} s)` : `single points of failure: ${spofs.join(", ")} (pass --allow ${spofs.join(",")} for those you know of)`);
      console.log(`reports: ${join(reportDir, "sweep.json")}, ${join(reportDir, "junit.xml")}, and one folder per fault`);
      if (writeDir) console.log(written.length === 0 ? `--write: no finding to write (every fault was masked)` : `--write: ${written.length} finding(s) as scenarios in ${writeDir}: run them with npx nonstop run ${writeDir}`);
    }
    if (result.failures > 0) process.exitCode = 1;
  } finally {
    await reapShared(plumbing);
  }
}
