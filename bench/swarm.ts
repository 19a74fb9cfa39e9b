// The same takeover, side by side, in one run: on one host, and on the swarm this engine
// manages with each way a service can follow its primary there (the edge router
// re-pointed by the new primary; a service address moved with gratuitous ARP). Each side
// is bench/takeover.ts at the same settings (4 CPUs, heartbeat 50 ms × 3, 200 writes/s,
// the primary's CPU killed --runs times). Ratios are swarm ÷ host, within this run.
// With no swarm here it makes a single-node one for the run and leaves it after. Nodes
// beyond this one: `--node NAME=URL --mirror-dir DIR` (docs/scale.md).
import { connectEngine } from "../lab/docker/engine.js";
import { Plumbing } from "../lab/docker/plumbing.js";
import { listFromArgv, printFigures, runsFromArgv, type Summary } from "./figures.js";
import { runBench } from "./run-all.js";
import { singleNodeSwarm } from "../lab/swarm/single-node.js";

const runs = runsFromArgv(10);
const SIDES = ["host", "swarm", "swarmAddress"] as const;
type Side = (typeof SIDES)[number];
const sides = listFromArgv("--sides", [...SIDES]).filter((s): s is Side => (SIDES as readonly string[]).includes(s));
// --node and --mirror-dir go to the swarm sides as they are.
const nodeArgs = process.argv.flatMap((a, i) => (a === "--node" || a === "--mirror-dir" ? [a, process.argv[i + 1] ?? ""] : []));

const argsOf: Record<Side, string[]> = {
  host: [],
  swarm: ["--swarm", "--swarm-takeover", "repoint", ...nodeArgs],
  swarmAddress: ["--swarm", "--swarm-takeover", "address", ...nodeArgs],
};

const plumbing = new Plumbing(await connectEngine());
const leave = await singleNodeSwarm(plumbing);
const nodes = (await plumbing.swarm.nodes()).length;
const out: Record<string, unknown> = {};
try {
  for (const side of sides) {
    process.stderr.write(`swarm bench: ${side}\n`);
    out[side] = await runBench({ file: "bench/takeover.ts", smoke: [] }, ["--runs", String(runs), "--missed", "3", "--latency-ms", "1000", ...argsOf[side]]);
  }
} finally {
  await leave();
}

const gap = (side: Side) => (out[side] as { clientGap?: Summary } | undefined)?.clientGap;
const ratio = (side: Side, k: "median" | "p99") => {
  // A side that lost the service has no gap to compare: its few gaps are the kills before.
  if ((out[side] as { servedAfterEveryKill?: boolean } | undefined)?.servedAfterEveryKill === false) return null;
  const a = gap(side)?.[k];
  const b = gap("host")?.[k];
  return typeof a === "number" && typeof b === "number" && b > 0 ? Math.round((a / b) * 100) / 100 : null;
};
printFigures("swarm", {
  runs,
  swarmNodes: nodes,
  ...Object.fromEntries(
    sides.map((s) => {
      const r = out[s] as { servedAfterEveryKill?: boolean; killsBeforeServiceLost?: number | null; unrecovered?: number; killToTakeover?: Summary; phases?: Record<string, Summary> } | undefined;
      return [s, { clientGap: gap(s), killToTakeover: r?.killToTakeover, address: r?.phases?.address, servedAfterEveryKill: r?.servedAfterEveryKill, killsBeforeServiceLost: r?.killsBeforeServiceLost, unrecovered: r?.unrecovered }];
    }),
  ),
  ratios: { swarmOverHostMedian: ratio("swarm", "median"), swarmOverHostP99: ratio("swarm", "p99"), addressOverHostMedian: ratio("swarmAddress", "median") },
  note: "clientGap: kill issued to the first write acknowledged after it, through the edge router, per kill. swarm: the new primary re-points the edge router at itself; swarmAddress: it takes a service address and sends gratuitous ARP, as on one host, which reaches the edge router only on the same node (killsBeforeServiceLost says when it stopped answering). Ratios are swarm ÷ host within this run.",
});
