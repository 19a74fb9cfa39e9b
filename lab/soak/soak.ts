// The seeded chaos soak: a random mix of every fault kind against every service, judged
// round by round. A soak is a series of rounds (2 minutes each by default), each one a
// scenario on a fresh lab with its own seed drawn from the soak's: one fault at a time,
// random gaps and holds, a final heal, and every check of the paper's promises judged as
// the round ends, so a long soak reports as it goes and one bad round cannot hide in an
// hour of history. What must hold in every round: nothing acknowledged is lost or done
// twice, and no pair acknowledges under an older epoch (no split brain).
import type { Plumbing } from "../docker/plumbing.js";
import type { ImageSet } from "../images/build.js";
import type { gens } from "../schedule/gens.js";
import { defineScenario, type ScenarioSpec } from "../scenario/define.js";
import type { ScenarioResult } from "../scenario/result.js";
import { runScenario } from "../scenario/run.js";
import { writeReports } from "../report/write.js";

/** Every generator of a single fault: all the kinds the lab has, against every part. */
export const SOAK_MIX: (keyof typeof gens)[] = [
  "killCpu",
  "stopCpu",
  "pauseCpu",
  "restartCpu",
  "throttleCpu",
  "pressMemory",
  "divergeReplica",
  "crashPair",
  "isolateCpu",
  "isolateOnePlane",
  "failPlane",
  "slowPlane",
  "linkDown",
  "linkLatency",
  "linkReset",
  "splitOne",
  "halves",
  "majoritiesRing",
  "corruptDisk",
  "wipeDisk",
  "failDisk",
  "slowEdge",
  "edgeDown",
];

/** The services whose promises the soak judges, spread so that each fault meets different pairs. */
const SERVICES = [
  { name: "web", primary: "cpu-0", backup: "cpu-1" },
  { name: "transactions", primary: "cpu-1", backup: "cpu-2" },
  { name: "mail", primary: "cpu-2", backup: "cpu-3" },
  { name: "downloads", primary: "cpu-3", backup: "cpu-0" },
  { name: "files", primary: "cpu-0", backup: "cpu-2" },
];

/** Round `round` (from 1) of a soak with seed `seed`: a scenario of its own, with its own seed. */
export function soakRound(seed: number, round: number, roundMs: number): ScenarioSpec {
  return defineScenario({
    name: `soak-${round}`,
    claim: "Under a random mix of every fault kind, nothing acknowledged is lost or done twice, and no pair acts under an old epoch.",
    topology: { cpus: 4, services: SERVICES },
    workload: [
      { client: "http", service: "web", ops: "add", rate: 20, timeoutMs: 1000 },
      { client: "transactions", service: "transactions", rate: 5, timeoutMs: 1000 },
      { client: "smtp", service: "mail", rate: 3, timeoutMs: 1000 },
      { client: "downloads", service: "downloads", rate: 0.5, timeoutMs: 1000, abandonEvery: 4 },
      { client: "files", service: "files", rate: 5, timeoutMs: 1000 },
    ],
    schedule: { random: { mix: SOAK_MIX, gap: ["1s", "4s"], hold: ["1s", "5s"] } },
    duration: `${Math.round(roundMs / 1000)}s`,
    // After the final heal, every service must answer again.
    steadyState: { duration: "3s", thresholds: ["availability.overall >= 95%"] },
    checks: ["lostWrites", "duplicates", "transactions", "mail", "downloads", "files", "splitBrain", "availability", "runtime"],
    thresholds: [
      "lostWrites.lost == 0",
      "duplicates.duplicated == 0",
      "transactions.lost == 0",
      "transactions.orphans == 0",
      "transactions.overcharged == 0",
      "mail.lost == 0",
      "mail.duplicated == 0",
      "downloads.corrupt == 0",
      "downloads.doubleBilled == 0",
      "files.lost == 0",
      "splitBrain.stale == 0",
    ],
    // Each round its own seed, the same for the same soak seed and round.
    seed: (Math.imul(seed, 2654435761) + round * 40503) >>> 1,
  });
}

export interface SoakOptions {
  plumbing: Plumbing;
  images: ImageSet;
  seed: number;
  /** How long the fault phases add up to. */
  forMs: number;
  roundMs: number;
  /** Reports go to <reportDir>/round-N/. */
  reportDir?: string;
  onRound?: (r: ScenarioResult, round: number, rounds: number) => void;
}

export interface SoakResult {
  seed: number;
  rounds: ScenarioResult[];
  ok: boolean;
}

/** How many rounds a soak of `forMs` in rounds of `roundMs` runs: at least one. */
export function soakRounds(forMs: number, roundMs: number): number {
  return Math.max(1, Math.round(forMs / roundMs));
}

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const rounds = soakRounds(o.forMs, o.roundMs);
  const results: ScenarioResult[] = [];
  for (let i = 1; i <= rounds; i++) {
    const spec = soakRound(o.seed, i, o.roundMs);
    const dir = o.reportDir ? `${o.reportDir}/round-${i}` : undefined;
    const r = await runScenario(spec, { plumbing: o.plumbing, images: o.images, handleSignals: true, ...(dir ? { reportDir: dir } : {}) });
    if (dir) await writeReports(r, dir);
    results.push(r);
    o.onRound?.(r, i, rounds);
  }
  return { seed: o.seed, rounds: results, ok: results.every((r) => r.ok) };
}
