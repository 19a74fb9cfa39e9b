// Lab lifecycle: warm `nonstop up` to all-healthy for 4 CPUs, `down`, and `docker compose
// up --wait` of the committed file to healthy. Prints JSON; never fails on speed.
import { execFileSync } from "node:child_process";
import { reap } from "../lab/docker/reap.js";
import { up } from "../lab/machine/up.js";
import { resolveTopology } from "../lab/topology/resolve.js";
import { printFigures, runsFromArgv, since, summarize } from "./figures.js";
import { benchLab } from "./lab.js";

const runs = runsFromArgv(5);
const { config, plumbing, images } = await benchLab();

const lab = "bench-lifecycle";
const upMs: number[] = [];
const downMs: number[] = [];
const composeMs: number[] = [];
const composeDownMs: number[] = [];
try {
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    await up({ plumbing, images, topology: resolveTopology({ cpus: 4 }, lab), progress: () => undefined });
    upMs.push(since(t0));
    t0 = performance.now();
    await reap(plumbing, lab);
    downMs.push(since(t0));

    const compose = (...args: string[]) => execFileSync("docker", ["compose", "--project-name", "nonstop-bench", ...args], { cwd: config.rootDir, stdio: "ignore" });
    t0 = performance.now();
    compose("up", "-d", "--wait");
    composeMs.push(since(t0));
    t0 = performance.now();
    compose("down", "-v", "--timeout", "1");
    composeDownMs.push(since(t0));
  }
} finally {
  await reap(plumbing, lab);
}
printFigures("lifecycle", {
  cpus: 4,
  upToHealthy: summarize(upMs, "ms"),
  down: summarize(downMs, "ms"),
  composeUpToHealthy: summarize(composeMs, "ms"),
  composeDown: summarize(composeDownMs, "ms"),
});
