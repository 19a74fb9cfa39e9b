// Faults on a user's own Compose project, measured on the worked example (examples/kv):
//  - actuation: for each kind, from the call to its effect being in place (inject returns
//    then), and its heal, over --runs rounds;
//  - net.delay: the delay set against the delay a client measures through the front door
//    (median of --requests requests each, less the median without a fault);
//  - net.partition: what each side can reach, during and after;
//  - the probes: one round of "who is primary" over the three containers every 100 ms, by
//    docker exec and by HTTP, its duration and what it costs the engine in CPU.
// One JSON line of figures; quote the ratios, which survive a noisy machine better than times.
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { upApp } from "../lab/app/started.js";
import { ProbeSampler, type ProbeSpec } from "../lab/app/probes.js";
import type { AppFault } from "../lab/app/faults/index.js";
import type { AppContainer } from "../lab/app/system.js";
import { PROJECT_ROOT } from "../lab/config.js";
import { inject } from "../lab/faults/inject.js";
import { HistoryRecorder } from "../lab/history/recorder.js";
import { numberFromArgv, printFigures, runsFromArgv, summarize } from "./figures.js";
import { benchLab } from "./lab.js";

const runs = runsFromArgv(5);
const requests = numberFromArgv("--requests", 15);
const probeSeconds = numberFromArgv("--probe-seconds", 10);
const { plumbing, images } = await benchLab();
const lab = `bench-kv-${process.pid % 10000}`;

await using app = await upApp({ plumbing, images, file: join(PROJECT_ROOT, "examples", "kv", "docker-compose.yml"), lab, project: lab });
const byTarget = async () => new Map((await app.containers()).map((c) => [c.target, c]));
const one = async (t: string): Promise<AppContainer> => {
  const c = (await byTarget()).get(t);
  if (!c) throw new Error(`no ${t}`);
  return c;
};
const port = async (t: string) => (await one(t)).container.ports.find((p) => p.container === 8080)?.hostPort;
await fetch(`http://127.0.0.1:${await port("api")}/kv/k`, { method: "PUT", body: "v" });

async function requestMs(): Promise<number> {
  const t0 = performance.now();
  const r = await fetch(`http://127.0.0.1:${await port("api")}/kv/k`, { signal: AbortSignal.timeout(5000) });
  await r.text();
  return performance.now() - t0;
}
async function median(n: number): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) xs.push(await requestMs());
  return summarize(xs, "ms").median;
}
async function reaches(from: string, to: string, p: number): Promise<boolean> {
  const ip = Object.values((await one(to)).container.addresses)[0];
  return (await plumbing.container.exec((await one(from)).container.id, ["bash", "-c", `timeout 1 bash -c 'exec 3<>/dev/tcp/${ip}/${p}'`])).exitCode === 0;
}

// ── actuation ────────────────────────────────────────────────────────────────
const kinds: AppFault[] = [
  { kind: "container.pause", target: "api.2" },
  { kind: "container.restart", target: "api.2" },
  { kind: "container.kill", target: "api.2" },
  { kind: "net.delay", target: "store", ms: 100, jitterMs: 0 },
  { kind: "net.loss", target: "store", percent: 10 },
  { kind: "net.corrupt", target: "store", percent: 5 },
  { kind: "net.duplicate", target: "store", percent: 10 },
  { kind: "net.rate", target: "store", kbit: 8000 },
  { kind: "net.partition", groups: [["api"], ["store"]] },
  { kind: "link.toxic", from: "api", to: "store:7000", toxic: { type: "latency", latencyMs: 100, jitterMs: 0 } },
  { kind: "link.down", from: "api", to: "store:7000" },
  { kind: "process.kill", target: "api.2", name: "node", signal: "STOP" },
  { kind: "disk.fill", target: "store", path: "/data", mb: 16 },
  { kind: "disk.corrupt", target: "store", path: "/data/kv.log", bytes: 4, seed: 1 },
];
const actuation: Record<string, { apply: ReturnType<typeof summarize>; heal: ReturnType<typeof summarize> }> = {};
for (const f of kinds) {
  const apply: number[] = [];
  const heal: number[] = [];
  for (let i = 0; i < runs; i++) {
    let took = 0;
    const h = await inject(f, app.target, { onEvent: (e) => (took = e.tookMs) });
    apply.push(took);
    const t0 = performance.now();
    await h.heal();
    heal.push(performance.now() - t0);
  }
  actuation[f.kind] = { apply: summarize(apply, "ms"), heal: summarize(heal, "ms") };
}

// ── the delay set against the delay measured ─────────────────────────────────
const baseline = await median(requests);
const delays: { setMs: number; measuredMs: number; ratio: number }[] = [];
for (const ms of [50, 100, 250, 500]) {
  const h = await inject({ kind: "net.delay", target: "store", ms, jitterMs: 0 }, app.target);
  const during = await median(requests);
  await h.heal();
  const measured = Math.round((during - baseline) * 10) / 10;
  delays.push({ setMs: ms, measuredMs: measured, ratio: Math.round((measured / ms) * 1000) / 1000 });
}

// ── the partition from both sides ────────────────────────────────────────────
const sides = async () => ({ apiToStore: await reaches("api", "store", 7000), storeToApi: await reaches("store", "api", 8080), api2ToStore: await reaches("api.2", "store", 7000) });
const cut = await inject({ kind: "net.partition", groups: [["api"], ["store"]] }, app.target);
const partition = { during: await sides(), after: {} as Awaited<ReturnType<typeof sides>> };
await cut.heal();
partition.after = await sides();

// ── the probes' cost ─────────────────────────────────────────────────────────
/** CPU time of the engine's processes (dockerd, containerd and the shims), ms. */
async function engineCpuMs(): Promise<number> {
  let ticks = 0;
  for (const pid of (await readdir("/proc")).filter((p) => /^\d+$/.test(p))) {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
    const comm = /\(([^)]*)\)/.exec(stat)?.[1] ?? "";
    if (!/^(dockerd|containerd|containerd-shim.*|runc)$/.test(comm)) continue;
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks += Number(f[11] ?? 0) + Number(f[12] ?? 0);
  }
  return ticks * 10;
}
async function probeCost(probes: Record<string, ProbeSpec>): Promise<{ containers: number; rounds: number; roundMs: ReturnType<typeof summarize>; engineCores: number }> {
  const recorder = new HistoryRecorder();
  const snapshot = async () => ({ lab, project: lab, services: ["api", "store"], containers: await app.containers() });
  const idle0 = await engineCpuMs();
  await new Promise((r) => setTimeout(r, probeSeconds * 1000));
  const idleMs = (await engineCpuMs()) - idle0;
  const cpu0 = await engineCpuMs();
  const t0 = performance.now();
  const sampler = new ProbeSampler({ plumbing, recorder, snapshot, probes }).start();
  await new Promise((r) => setTimeout(r, probeSeconds * 1000));
  await sampler[Symbol.asyncDispose]();
  const busyMs = (await engineCpuMs()) - cpu0;
  const wall = performance.now() - t0;
  const probed = recorder.entries.filter((e) => e.type === "probe");
  const rounds = new Set(probed.map((e) => e.round)).size;
  return { containers: new Set(probed.map((e) => e.target)).size, rounds, roundMs: summarize(sampler.roundMs, "ms"), engineCores: Math.round(((busyMs - idleMs) / wall) * 1000) / 1000 };
}
// Three containers: both front-door replicas and the store. HTTP needs a published port, which only the front door has.
const execProbe = await probeCost({ api: { targets: "api.*", exec: ["sh", "-c", "echo primary"], match: "primary" }, store: { targets: "store", exec: ["sh", "-c", "echo primary"], match: "primary" } });
const httpProbe = await probeCost({ api: { targets: "api.*", http: { port: 8080, path: "/health" }, match: "ok" } });

printFigures("app", {
  runs,
  actuation,
  delay: { baselineMs: baseline, requests, points: delays },
  partition,
  probes: { everyMs: 100, seconds: probeSeconds, exec: execProbe, http: httpProbe },
});
