// A fresh lab against a reused one: per run, the time to a working 4-CPU lab by `up` and
// by the verified reset of a shared lab (lab/machine/reset.ts) after the use a scenario
// makes of it (writes, a CPU killed and repaired, a toxic on a plane), and the removal a
// fresh lab costs as well. Prints JSON; never fails on speed. `--runs N` (default 5).
import { reap } from "../lab/docker/reap.js";
import { inject } from "../lab/faults/inject.js";
import { resetMachine } from "../lab/machine/reset.js";
import { sharedLab, sharedLabId } from "../lab/machine/reuse.js";
import { up } from "../lab/machine/up.js";
import { resolveTopology } from "../lab/topology/resolve.js";
import { printFigures, runsFromArgv, since, summarize } from "./figures.js";
import { benchLab } from "./lab.js";

const runs = runsFromArgv(5);
const { plumbing, images } = await benchLab();

const upMs: number[] = [];
const downMs: number[] = [];
const resetMs: number[] = [];
const input = { cpus: 4 };
const sharedId = sharedLabId(resolveTopology(input, "shared"));
try {
  for (let i = 0; i < runs; i++) {
    const lab = "bench-reuse-fresh";
    let t0 = performance.now();
    await up({ plumbing, images, topology: resolveTopology(input, lab), progress: () => undefined });
    upMs.push(since(t0));
    t0 = performance.now();
    await reap(plumbing, lab);
    downMs.push(since(t0));

    const { lab: shared } = await sharedLab({ plumbing, images, topology: resolveTopology(input, sharedId) });
    const web = (await shared.status({ live: true })).services.find((s) => s.name === "web");
    for (let k = 0; k < 20; k++) await fetch(`${web?.url ?? ""}/add?v=r${i}-${k}`, { method: "POST", signal: AbortSignal.timeout(1000) }).catch(() => undefined);
    await inject({ kind: "cpu.kill", cpu: "cpu-1" }, shared);
    await inject({ kind: "plane.toxic", plane: "x", toxic: { type: "latency", latencyMs: 20 } }, shared);
    t0 = performance.now();
    const r = await resetMachine(shared);
    resetMs.push(since(t0));
    process.stderr.write(`reset ${JSON.stringify(r.steps)}\n`);
    if (r.leftovers.length > 0) throw new Error(`the reset left: ${r.leftovers.join("; ")}`);
  }
} finally {
  await reap(plumbing, "bench-reuse-fresh");
  await reap(plumbing, sharedId);
}
printFigures("reuse", {
  cpus: 4,
  upToHealthy: summarize(upMs, "ms"),
  down: summarize(downMs, "ms"),
  resetToVerified: summarize(resetMs, "ms"),
});
