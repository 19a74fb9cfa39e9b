// The list-append checker, as a check scenarios name: `listAppend`. It finds what
// serializability forbids in a history of transactions (see ./history.ts): every cycle
// class of Adya's, each with the shortest cycle that proves it, and the anomalies that
// need no cycle (aborted, intermediate and garbage reads, disagreeing orders, a
// committed write lost, read first or not).
import type { HistoryEntry } from "../../history/types.js";
import type { Check, Ring, Verdict } from "../types.js";
import { classify, components, describeStep, edgeName, type Cycle, type CycleClass } from "./cycles.js";
import { inferGraph, RW, type Finding } from "./graph.js";
import { txnsOf, type Txn } from "./history.js";

export interface ListAppendResult {
  txns: number;
  committed: number;
  /** One per component and class, each the shortest cycle found. */
  cycles: Cycle[];
  findings: Finding[];
}

export function checkListAppend(txns: readonly Txn[]): ListAppendResult {
  const g = inferGraph(txns);
  const cycles = components(g.out).flatMap((scc) => classify(g.out, scc));
  return { txns: txns.length, committed: txns.filter((t) => t.type === "ok").length, cycles, findings: g.findings };
}

/** The figure each class is counted under (a threshold names it: `listAppend.Gsingle == 0`). */
const FIGURE: Record<CycleClass | Finding["type"], string> = {
  G0: "G0",
  G1c: "G1c",
  "G-single": "Gsingle",
  "G2-item": "G2item",
  G1a: "G1a",
  G1b: "G1b",
  garbage: "garbage",
  "incompatible-order": "incompatibleOrder",
  "duplicate-elements": "duplicateElements",
  internal: "internal",
  "duplicate-append": "duplicateAppend",
  "lost-after-read": "lostAfterRead",
  "lost-append": "lostAppend",
};

const MEANING: Record<CycleClass, string> = {
  G0: "dirty write: writes ordered both ways",
  G1c: "circular information flow: each saw the other's write",
  "G-single": "read skew or lost update: one transaction missed a write the others saw",
  "G2-item": "write skew: each missed the other's write",
};

/** Shown in the report: at most this many of each class. */
const SHOWN = 5;

export function listAppendVerdict(r: ListAppendResult): Verdict {
  const figures: Record<string, number> = { txns: r.txns, committed: r.committed };
  for (const f of Object.values(FIGURE)) figures[f] = 0;
  for (const c of r.cycles) figures[FIGURE[c.class]] = (figures[FIGURE[c.class]] ?? 0) + 1;
  for (const f of r.findings) figures[FIGURE[f.type]] = (figures[FIGURE[f.type]] ?? 0) + 1;
  const anomalies = r.cycles.length + r.findings.length;
  figures.anomalies = anomalies;
  const shown = new Map<string, number>();
  const keep = (cls: string) => {
    const n = shown.get(cls) ?? 0;
    shown.set(cls, n + 1);
    return n < SHOWN;
  };
  const drawn = r.cycles.filter((c) => keep(c.class));
  const rows = [
    ...drawn.map((c) => [c.class, MEANING[c.class], c.steps.map(describeStep).join("  ")]),
    ...r.findings.filter((f) => keep(f.type)).map((f) => [f.type, "", f.message]),
  ];
  return {
    valid: anomalies === 0,
    figures,
    anomalies: [
      ...r.cycles.map((c) => ({ message: `${c.class} (${MEANING[c.class]}): ${c.steps.map(describeStep).join(", ")}` })),
      ...r.findings.map((f) => ({ message: `${f.type}: ${f.message}` })),
    ],
    ...(rows.length > 0 ? { table: [["anomaly", "what it means", "the smallest proof found"], ...rows] } : {}),
    ...(drawn.length > 0 ? { cycles: drawn.map(ringOf) } : {}),
  };
}

/**
 * A cycle's steps close on themselves (each step's `to` is the next one's `from`), so its
 * nodes are the steps' starts. The anti-dependencies are emphasised: without them the
 * order would be a serial one.
 */
function ringOf(c: Cycle): Ring {
  return {
    title: `${c.class}: ${MEANING[c.class]}`,
    nodes: c.steps.map((s) => `T${s.from}`),
    edges: c.steps.map((s) => ({ label: `${edgeName(s.kind)} ${s.key} ${s.value}`, emphasis: s.kind === RW })),
  };
}

export const listAppend: Check = {
  name: "listAppend",
  units: Object.fromEntries(["txns", "committed", "anomalies", ...Object.values(FIGURE)].map((f) => [f, "count" as const])),
  run(history: readonly HistoryEntry[]): Verdict {
    return listAppendVerdict(checkListAppend(txnsOf(history)));
  },
};
