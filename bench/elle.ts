// The list-append checker's speed (lab/checks/elle/): --txns transactions (default
// 100,000) of up to 4 appends and reads over 32 live keys, checked --runs times. Two
// histories: a serial one, where the search for cycles finds no component to search
// (the common case: a correct system), and the same with every 1,000th transaction's
// first read turned stale, so the checker builds and searches components too. The goal
// is 100,000 transactions in under 2 s; Elle's paper reports about 100-160k a second.
import { checkListAppend } from "../lab/checks/elle/index.js";
import { serialHistory } from "../lab/checks/elle/generate.js";
import type { Txn } from "../lab/checks/elle/history.js";
import { numberFromArgv, printFigures, runsFromArgv, summarize } from "./figures.js";

const txns = numberFromArgv("--txns", 100_000);
const runs = runsFromArgv(3);

const serial = serialHistory({ txns, keys: 32, seed: 7 });
// A stale read: the first non-empty read of every 1,000th transaction misses its last element.
const stale: Txn[] = serial.map((t, i) => {
  if (i % 1000 !== 500) return t;
  let done = false;
  return { ...t, mops: t.mops.map((m) => (!done && m.f === "r" && m.value && m.value.length > 0 ? ((done = true), { ...m, value: m.value.slice(0, -1) }) : m)) };
});

function time(h: Txn[]): { ms: number[]; anomalies: number } {
  const ms: number[] = [];
  let anomalies = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = checkListAppend(h);
    ms.push(performance.now() - t0);
    anomalies = r.cycles.length + r.findings.length;
  }
  return { ms, anomalies };
}

const a = time(serial);
const b = time(stale);
const median = (xs: number[]) => summarize(xs, "ms").median;
printFigures("elle", {
  txns,
  mops: serial.reduce((n, t) => n + t.mops.length, 0),
  serial: { ms: summarize(a.ms, "ms"), txnsPerSec: Math.round(txns / (median(a.ms) / 1000)), anomalies: a.anomalies },
  withStaleReads: { ms: summarize(b.ms, "ms"), txnsPerSec: Math.round(txns / (median(b.ms) / 1000)), anomalies: b.anomalies },
  goalMs: 2000,
});
