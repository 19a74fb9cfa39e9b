// `nonstop sweep`: every single fault of a machine (./derive.ts), each under a workload on
// every service, on one shared lab reset and verified between faults (lab/machine/reset.ts),
// each judged by what the clients lived through (./verdict.ts). A fault is a scenario of
// its own: steady state, the fault held, heal, steady state again.
import type { Plumbing } from "../docker/plumbing.js";
import type { ImageSet } from "../images/build.js";
import { describeFault } from "../faults/kinds/index.js";
import type { ScenarioSpec, WorkloadSpec } from "../scenario/define.js";
import { runScenario } from "../scenario/run.js";
import type { ScenarioResult } from "../scenario/result.js";
import { writeReports } from "../report/write.js";
import { resolveTopology } from "../topology/resolve.js";
import type { TopologyInput } from "../topology/schema.js";
import type { Service, Topology } from "../topology/types.js";
import { machineFaults, ofKinds, type SweepFault } from "./derive.js";
import { failsSweep, judgeFault, type FaultVerdict } from "./verdict.js";

export interface SweepOptions {
  plumbing: Plumbing;
  images: ImageSet;
  topology: TopologyInput;
  /** Only faults of these kinds (all when empty). */
  kinds?: string[];
  /** How long each fault is held before its heal. */
  holdMs?: number;
  /** Parts known to be single points of failure: their findings do not fail the sweep. */
  allow?: string[];
  reportDir?: string;
  onFault?: (done: number, of: number, row: SweepRow) => void;
  signal?: AbortSignal;
}

export interface SweepRow extends FaultVerdict {
  part: string;
  fault: string;
  allowed: boolean;
  /** The verdict fails the sweep: an outage or worse, on a part not allowed. */
  fails: boolean;
  paperExpects?: string;
  /** The shared lab was reused after a verified reset (false: brought up fresh, with why). */
  reused: boolean;
  freshBecause?: string;
  wallMs: number;
}

export interface SweepResult {
  rows: SweepRow[];
  wallMs: number;
  /** Faults whose verdict fails the sweep. */
  failures: number;
}

/** A client for each service, at rates a 2-core machine carries beside seven pairs (the scorecard's). */
function workloadFor(s: Service): WorkloadSpec {
  switch (s.kind) {
    case "web":
      return { client: "http", service: s.name, ops: "add", rate: 20, timeoutMs: 500, retry: { retries: 10, backoffMs: 100 } };
    case "transactions":
      return { client: "transactions", service: s.name, rate: 10, timeoutMs: 500 };
    case "mail":
      return { client: "smtp", service: s.name, rate: 5, timeoutMs: 1000 };
    case "downloads":
      return { client: "downloads", service: s.name, rate: 1, timeoutMs: 1000, abandonEvery: 0 };
    case "files":
      return { client: "files", service: s.name, rate: 10, timeoutMs: 500 };
    case "session":
      return { client: "session", service: s.name, rate: 5, timeoutMs: 500, users: 2 };
  }
}

/** One fault as a scenario: 1 s of load, the fault held, 1.5 s after its heal (the repaired part rejoins inside the run). */
export function faultScenario(input: TopologyInput, t: Topology, sf: SweepFault, i: number, holdMs: number): ScenarioSpec {
  const hold = holdMs / 1000;
  return {
    name: `sweep-${i + 1}`,
    claim: `a single fault is masked: ${describeFault(sf.fault)}`,
    topology: input,
    workload: t.services.map(workloadFor),
    schedule: {
      timeline: [
        { at: "1s", inject: sf.fault, id: "fault" },
        { at: `${1 + hold}s`, heal: "fault" },
      ],
    },
    duration: `${1 + hold + 1.5}s`,
    steadyState: { duration: "1s" },
    checks: ["availability", "splitBrain", "runtime", ...(t.services.some((s) => s.kind === "web") ? ["lostWrites"] : [])],
    thresholds: [],
  };
}

export function derived(input: TopologyInput, kinds: readonly string[] = []): { topology: Topology; faults: SweepFault[] } {
  const topology = resolveTopology(input, "sweep");
  return { topology, faults: ofKinds(machineFaults(topology), kinds) };
}

export async function runSweep(o: SweepOptions): Promise<SweepResult> {
  const t0 = performance.now();
  const { topology, faults } = derived(o.topology, o.kinds);
  const holdMs = o.holdMs ?? 2000;
  const rows: SweepRow[] = [];
  for (const [i, sf] of faults.entries()) {
    o.signal?.throwIfAborted();
    const dir = o.reportDir ? `${o.reportDir}/${String(i + 1).padStart(2, "0")}-${sf.fault.kind}-${sf.part}` : undefined;
    const r: ScenarioResult = await runScenario(faultScenario(o.topology, topology, sf, i, holdMs), {
      plumbing: o.plumbing,
      images: o.images,
      reuse: true,
      ...(dir ? { reportDir: dir } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    if (dir) await writeReports(r, dir);
    const v = judgeFault(r);
    const allowed = (o.allow ?? []).includes(sf.part);
    const row: SweepRow = {
      ...v,
      part: sf.part,
      fault: describeFault(sf.fault),
      allowed,
      fails: failsSweep(v.verdict) && !allowed,
      ...(sf.paperExpects ? { paperExpects: sf.paperExpects } : {}),
      reused: r.system?.reused ?? false,
      ...(r.system?.freshBecause ? { freshBecause: r.system.freshBecause } : {}),
      wallMs: r.wallMs,
    };
    rows.push(row);
    o.onFault?.(i + 1, faults.length, row);
  }
  return { rows, wallMs: Math.round(performance.now() - t0), failures: rows.filter((r) => r.fails).length };
}
