// Plane loss under load: fail plane x (kill its router) while clients write, and measure
// the failed operations (the goal is none: every message also goes over y) and how much
// the write latency's p99 moves, against the same load with both planes, in the same run.
import { availability, latency } from "../lab/checks/index.js";
import { attach } from "../lab/machine/started.js";
import { inject } from "../lab/faults/inject.js";
import { sliceByInvoke } from "../lab/history/history.js";
import { HistoryRecorder } from "../lab/history/recorder.js";
import { HttpClient } from "../lab/workload/http-client.js";
import { OpenLoop } from "../lab/workload/open-loop.js";
import { numberFromArgv, printFigures, runsFromArgv, summarize } from "./figures.js";
import { benchLab, benchMachine } from "./lab.js";

const runs = runsFromArgv(5);
const rate = 200;
// Each window, before and during the plane failure (`--window-ms`; the smoke run uses 1 s).
const windowMs = numberFromArgv("--window-ms", 3000);
const { plumbing, images } = await benchLab();
const machine = await benchMachine({ plumbing, images }, { cpus: 4 }, "bench-plane");
const lab = machine.id;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const p99Both: number[] = [];
const p99One: number[] = [];
let failed = 0;
let unknown = 0;
let ops = 0;
try {
  const s = await machine.lab.status({ live: true });
  const url = s.services[0]?.url ?? "";
  const ctx = await attach(plumbing, lab);
  const rec = new HistoryRecorder();
  const client = new HttpClient({ baseUrl: () => url, request: (op) => ({ method: "POST", path: `/add?v=${String(op.value)}` }), timeoutMs: 1000 });
  const load = new OpenLoop(client, rec, { rate, op: (i) => ({ f: "add", value: `p${i}` }) }).start();
  await sleep(1000);
  const p99 = (from: number, to: number) => latency.run(sliceByInvoke(rec.entries, from, to)).figures.p99;
  for (let i = 0; i < runs; i++) {
    const a0 = rec.now();
    await sleep(windowMs);
    const a1 = rec.now();
    const h = await inject({ kind: "plane.fail", plane: "x" }, ctx);
    const b0 = rec.now();
    await sleep(windowMs);
    const b1 = rec.now();
    await h.heal();
    await sleep(1200);
    const both = p99(a0, a1);
    const one = p99(b0, b1);
    if (typeof both === "number") p99Both.push(both);
    if (typeof one === "number") p99One.push(one);
    const av = availability.run(sliceByInvoke(rec.entries, b0, b1)).figures;
    failed += Number(av.failed ?? 0);
    unknown += Number(av.unknown ?? 0);
    ops += Number(av.ops ?? 0);
  }
  await load.stop();
  await client.close();
  printFigures("plane", {
    runs,
    loadOpsPerSec: rate,
    opsDuringPlaneLoss: ops,
    failed,
    unknown,
    writeP99BothPlanes: summarize(p99Both, "ms"),
    writeP99PlaneXFailed: summarize(p99One, "ms"),
    p99ChangeMs: p99Both.length && p99One.length ? Math.round((summarize(p99One, "ms").median - summarize(p99Both, "ms").median) * 100) / 100 : null,
    note: `writes (POST /add) at ${rate}/s; ${windowMs / 1000} s with both planes, then ${windowMs / 1000} s with router-x killed, per run`,
  });
} finally {
  await machine.release();
}
