// Check throughput on a large history: a synthetic run of N operations (default 1 million)
// with faults and outages, through every check that scales (linearizability is for small
// register histories and is left out). Prints JSON.
import { CHECKS } from "../lab/checks/index.js";
import type { HistoryEntry } from "../lab/history/types.js";
import { printFigures } from "./figures.js";

const n = Number(process.argv[process.argv.indexOf("--ops") + 1]) || 1_000_000;

function synthetic(count: number): HistoryEntry[] {
  const h: HistoryEntry[] = [];
  let index = 0;
  const faultEvery = 100_000;
  let value = 0;
  for (let i = 0; i < count; i++) {
    const t = i * 200; // 5,000 ops/s
    if (i % faultEvery === 5_000) h.push({ index: index++, type: "fault", time: t, event: "inject", id: `f${i}`, kind: "cpu.kill", description: "cpu.kill cpu-0" });
    if (i % faultEvery === 7_000) h.push({ index: index++, type: "fault", time: t, event: "heal", id: `f${i - 2000}`, kind: "cpu.kill", description: "cpu.kill cpu-0" });
    const down = i % faultEvery >= 5_000 && i % faultEvery < 5_400;
    const isWrite = i % 4 === 0;
    h.push({ index: index++, type: "invoke", process: i % 512, f: isWrite ? "add" : "get", time: t, ...(isWrite ? { value: value } : {}) });
    h.push({ index: index++, type: down ? "fail" : "ok", process: i % 512, f: isWrite ? "add" : "get", time: t + 150, latency: 150 + (i % 97) * 10, node: "cpu-0" });
    if (isWrite) value++;
  }
  const all = Array.from({ length: value }, (_, k) => k);
  h.push({ index: index++, type: "invoke", process: 9999, f: "read-all", time: count * 200 + 1000 });
  h.push({ index: index++, type: "ok", process: 9999, f: "read-all", time: count * 200 + 2000, value: all });
  return h;
}

const t0 = performance.now();
const history = synthetic(n);
const buildMs = performance.now() - t0;
const perCheck: Record<string, number> = {};
const t1 = performance.now();
for (const [name, check] of Object.entries(CHECKS)) {
  if (name === "linearizable") continue;
  const s = performance.now();
  check.run(history);
  perCheck[name] = Math.round(performance.now() - s);
}
const totalMs = Math.round(performance.now() - t1);
printFigures("checks", { ops: n, entries: history.length, buildMs: Math.round(buildMs), perCheckMs: perCheck, totalMs, opsPerSec: Math.round(n / (totalMs / 1000)) });
