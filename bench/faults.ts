// Fault actuation latency: from the call to the effect observed from outside, and the same
// for the heal. The effect is probed concurrently with the call every few milliseconds, so
// the figure is not the API round trip but the moment a client would notice.
import type { FaultContext } from "../lab/faults/context.js";
import { attach } from "../lab/machine/started.js";
import { inject } from "../lab/faults/inject.js";
import type { Fault } from "../lab/faults/kinds/index.js";
import { httpGet } from "../lab/util/http.js";
import { printFigures, runsFromArgv, summarize, type Summary } from "./figures.js";
import { benchLab, benchMachine } from "./lab.js";

const runs = runsFromArgv(20);
const { plumbing, images } = await benchLab();
const machine = await benchMachine({ plumbing, images }, { cpus: 2 }, "bench-faults");
const lab = machine.id;

/** True when a GET answers 200 within `timeoutMs`. */
async function answers(url: string, timeoutMs = 50): Promise<boolean> {
  return httpGet(url, timeoutMs).then(
    (r) => r.status === 200,
    () => false,
  );
}

async function until(probe: () => Promise<boolean>, limitMs = 10_000): Promise<number> {
  const t0 = performance.now();
  while (!(await probe())) {
    if (performance.now() - t0 > limitMs) throw new Error("effect not observed in time");
    await new Promise((r) => setTimeout(r, 2));
  }
  return performance.now() - t0;
}

interface Actuation {
  inject: number[];
  heal: number[];
}

/** Injects `fault` and times how long until `broken()` holds; then heals and times until `whole()` holds. */
async function measure(ctx: FaultContext, fault: Fault, probeUrl: () => Promise<string>, out: Actuation): Promise<void> {
  const url = await probeUrl();
  const t0 = performance.now();
  const pending = inject(fault, ctx);
  await until(async () => !(await answers(url)));
  out.inject.push(performance.now() - t0);
  const handle = await pending;
  const t1 = performance.now();
  const healing = handle.heal();
  // A restarted container gets a new published port: re-resolve while polling.
  await until(async () => answers(await probeUrl().catch(() => url), 200));
  out.heal.push(performance.now() - t1);
  await healing;
}

const figures: Record<string, { inject: Summary; heal: Summary }> = {};
try {
  const ctx = await attach(plumbing, lab);
  const web = async () => {
    const c = await plumbing.container.inspect(`nonstop-${lab}-router-edge`);
    return `http://127.0.0.1:${c.ports.find((p) => p.container === 30000)?.hostPort}/health`;
  };
  const routerApi = async () => `${(await ctx.router("router-x")).apiUrl}/version`;
  const agent = async () => `${await ctx.agentUrl("cpu-1")}/health`;

  const cases: [string, Fault, () => Promise<string>][] = [
    ["cpu.kill", { kind: "cpu.kill", cpu: "cpu-1" }, agent],
    ["cpu.pause", { kind: "cpu.pause", cpu: "cpu-1" }, agent],
    ["toxic.add (edge reset_peer)", { kind: "edge.toxic", service: "web", toxic: { type: "reset_peer", timeoutMs: 0 }, stream: "upstream" }, web],
    ["plane.fail", { kind: "plane.fail", plane: "x" }, routerApi],
  ];
  for (const [name, fault, probe] of cases) {
    const out: Actuation = { inject: [], heal: [] };
    for (let i = 0; i < runs; i++) await measure(ctx, fault, probe, out);
    figures[name] = { inject: summarize(out.inject, "ms"), heal: summarize(out.heal, "ms") };
  }
} finally {
  await machine.release();
}
printFigures("faults", { actuation: figures, note: "inject: call to a probe failing; heal: heal call to a probe answering again (includes the CPU's or router's restart)" });
