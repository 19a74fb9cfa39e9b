// The lab at rest: `npm start`'s lab (4 CPUs, every service) with no traffic, and what each
// container costs in CPU time, read from its cgroup through the engine's stats, over a
// window (`--seconds`, 60 by default). Also what the engine's own processes spend in that
// window (healthchecks run through containerd, outside every container's cgroup), and the
// whole machine, for scale. Prints JSON; never fails on speed.
//
// Goal (docs/performance.md): the lab at rest ≤ 0.15 core in total, ≤ 0.02 core per CPU.
import { readdir, readFile } from "node:fs/promises";
import { cpus as hostCpus } from "node:os";
import { servicesFlag } from "../lab/cli/machine.js";
import { reap } from "../lab/docker/reap.js";
import { up } from "../lab/machine/up.js";
import { resolveTopology } from "../lab/topology/resolve.js";
import { listFromArgv, numberFromArgv, printFigures } from "./figures.js";
import { benchLab } from "./lab.js";

const seconds = numberFromArgv("--seconds", 60);
const settleMs = numberFromArgv("--settle-ms", 5000);
// `--services web,mail`, as `nonstop up` takes them; all of them by default, as `npm start` runs.
const services = servicesFlag(listFromArgv("--services", ["all"]).join(","), 4);
const { plumbing, images } = await benchLab();
const lab = "bench-idle";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Clock ticks of every process whose name matches, its reaped children included (a healthcheck's runc, for one). */
async function processTicks(match: RegExp): Promise<number> {
  let ticks = 0;
  for (const pid of await readdir("/proc").catch(() => [])) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
    const close = stat.lastIndexOf(")");
    const name = stat.slice(stat.indexOf("(") + 1, close);
    if (!match.test(name)) continue;
    const f = stat.slice(close + 2).split(" ");
    // Fields 14-17 of stat(5): utime, stime, cutime, cstime; here 0-based after the name.
    ticks += [11, 12, 13, 14].reduce((a, i) => a + Number(f[i] ?? 0), 0);
  }
  return ticks;
}

/** Busy and total clock ticks of the whole machine (/proc/stat's first line). */
async function machineTicks(): Promise<{ busy: number; total: number }> {
  const line = (await readFile("/proc/stat", "utf8").catch(() => "")).split("\n")[0] ?? "";
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, x) => a + x, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total };
}

const TICK_S = 0.01; // USER_HZ is 100 on Linux
const ENGINE = /^(dockerd|containerd|containerd-shim.*|runc|docker-proxy)$/;

try {
  const status = await (await up({ plumbing, images, topology: resolveTopology({ cpus: 4, services }, lab), progress: () => undefined })).status({ live: true });
  await sleep(settleMs);
  const parts = [...status.cpus.map((c) => c.name), ...status.routers.map((r) => r.name)];
  const ids = await Promise.all(parts.map(async (p) => (await plumbing.container.inspect(`nonstop-${lab}-${p}`)).id));
  const before = await Promise.all(ids.map((id) => plumbing.container.cpuTimeNs(id)));
  const [engine0, machine0] = [await processTicks(ENGINE), await machineTicks()];
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const wallS = (performance.now() - t0) / 1000;
  const after = await Promise.all(ids.map((id) => plumbing.container.cpuTimeNs(id)));
  const [engine1, machine1] = [await processTicks(ENGINE), await machineTicks()];

  const cores = (ns: number) => Math.round((ns / 1e9 / wallS) * 10_000) / 10_000;
  const perContainer = Object.fromEntries(parts.map((p, i) => [p, cores((after[i] ?? 0) - (before[i] ?? 0))]));
  const cpuCores = parts.filter((p) => p.startsWith("cpu-")).map((p) => perContainer[p] ?? 0);
  const routerCores = parts.filter((p) => p.startsWith("router-")).map((p) => perContainer[p] ?? 0);
  const sum = (xs: number[]) => Math.round(xs.reduce((a, x) => a + x, 0) * 10_000) / 10_000;
  const machineBusy = machine1.busy - machine0.busy;
  const machineTotal = machine1.total - machine0.total;
  printFigures("idle", {
    seconds: Math.round(wallS),
    services: status.services.map((s) => s.name),
    unit: "cores (CPU seconds per second)",
    perContainer,
    cpus: { total: sum(cpuCores), max: Math.max(...cpuCores) },
    routers: { total: sum(routerCores), max: Math.max(...routerCores) },
    lab: sum([...cpuCores, ...routerCores]),
    engineProcesses: Math.round(((engine1 - engine0) * TICK_S * 10_000) / wallS) / 10_000,
    // Everything the machine ran, this benchmark and anything else on it included.
    machine: machineTotal > 0 ? Math.round((machineBusy / machineTotal) * hostCpus().length * 10_000) / 10_000 : null,
    goal: { labTotal: 0.15, perCpu: 0.02 },
  });
} finally {
  await reap(plumbing, lab);
}
