// Runs a scenario against a real lab, in three guarded stages after Jepsen's
// `with-resources`, `run-case!` and `analyze!`:
//   1. resources, each acquired with `await using` so that whatever happens (a failed
//      check, an exception, Ctrl-C) they are released in reverse: the lab (removed), its
//      fault session (healed), the runtime event pump, the workloads and their clients;
//   2. the case: the steady state before (a failure aborts), the workload under the fault
//      schedule, the steady state after;
//   3. the analysis: every check and threshold over the recorded history, pure.
// Writing reports is the caller's (lab/report/write.ts), so this module never reaches up.
import type { SwarmOptions } from "../swarm/options.js";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { Plumbing } from "../docker/plumbing.js";
import { HistoryRecorder } from "../history/recorder.js";
import type { ImageSet } from "../images/build.js";
import type { StartedLab } from "../machine/started.js";
import { up } from "../machine/up.js";
import { withDefaults } from "../machine/defaults.js";
import { releaseShared, sharedLab, sharedLabId, type SharedUse } from "../machine/reuse.js";
import { UsageError } from "../errors.js";
import { startWorkload } from "./workloads.js";
import type { AnyScenarioSpec, ScenarioSpec } from "./define.js";
import { isAppScenario } from "./kinds.js";
import type { ScenarioResult } from "./result.js";
import { checkSwarmSchedule, refuseAppOnSwarm, resolveScenario, workloadsOf, type ResolvedScenario } from "./validate.js";
import { RuntimeEventPump } from "./runtime-events.js";

export type { Progress } from "./case.js";
import { RecordingOf, RunState, Workloads, judgeRun, phases, type Progress, type Recorded } from "./case.js";

export interface RunOptions {
  /** The engine; the local one (or DOCKER_HOST) when left out. */
  plumbing?: Plumbing;
  /** The lab's images; built when missing when left out. */
  images?: ImageSet;
  seed?: number;
  /** history.jsonl streams here as the run goes (a crashed run keeps what it saw); reports are the caller's. */
  reportDir?: string;
  onProgress?: (p: Progress) => void;
  /** Ctrl-C and SIGTERM unwind the run (heal, remove the lab) and exit 130 / 143 (CLI runs). */
  handleSignals?: boolean;
  /** Keep the lab up afterwards, for poking at it. */
  keepLab?: boolean;
  /** Stops the run where it is; everything acquired is released as for any other exit. */
  signal?: AbortSignal;
  /** Brings the machine up as a Swarm stack (`nonstop run --swarm`); the scenario is unchanged. */
  swarm?: SwarmOptions;
  /**
   * Runs on the shared lab of the scenario's topology (lab/machine/reuse.ts): reset and
   * verified when one is up, brought up fresh otherwise, and left up for the next use.
   * The result's `system` says which. Not with `swarm`.
   */
  reuse?: boolean;
}

function labIdFor(name: string): string {
  return `scn-${name.slice(0, 20)}-${randomBytes(2).toString("hex")}`.replace(/-+$/, "");
}

export async function runScenario(spec: AnyScenarioSpec, opts: RunOptions = {}): Promise<ScenarioResult> {
  // A user's Compose project has a runner of its own around the same case and analysis.
  if (isAppScenario(spec)) {
    if (opts.swarm) refuseAppOnSwarm(spec.name);
    return (await import("../app/scenario.js")).runAppScenario(spec, opts);
  }
  if (opts.reuse && opts.swarm) throw new UsageError(`${spec.name}: reuse shares a lab on this engine; a Swarm stack is brought up for each run`);
  // Everything is validated before anything starts; a shared lab's id follows from the
  // topology, so the scenario is resolved once to learn it.
  const lab = opts.reuse ? sharedLabId(resolveScenario(spec, "shared", opts.seed).topology) : labIdFor(spec.name);
  const scn = resolveScenario(spec, lab, opts.seed);
  if (opts.swarm) checkSwarmSchedule(spec.name, scn.schedule);
  const system: { use?: SharedUse } = {};
  const r = await judgeRun(spec, scn, lab, opts, (signal) => runCase(spec, scn, opts, signal, system));
  // A run the lab failed under leaves it in doubt: the next use starts from a fresh one.
  if (opts.reuse && r.error !== undefined) await releaseShared((await withDefaults(opts)).plumbing, lab);
  return system.use ? { ...r, system: system.use, summary: `${r.summary} ${describeUse(system.use)}` } : r;
}

/** How the run's shared lab was had, for its summary line (and so the report and JUnit). */
function describeUse(u: SharedUse): string {
  if (u.reused) return `[lab reused: reset and verified in ${u.reset?.ms ?? "?"} ms]`;
  return u.freshBecause ? `[lab brought up fresh: ${u.freshBecause}]` : "[lab brought up fresh: none was up]";
}

/** Stages 1 and 2: acquire the resources, run the case, release everything in reverse. */
async function runCase(spec: ScenarioSpec, scn: ResolvedScenario, opts: RunOptions, signal: AbortSignal, system: { use?: SharedUse }): Promise<Recorded> {
  await using recorder = new RecordingOf(new HistoryRecorder());
  if (opts.reportDir) await recorder.history.streamTo(join(opts.reportDir, "history.jsonl"));
  const state = new RunState(spec.name, recorder.history);

  await using machine = await upFor(scn, opts, signal, system);
  await using faults = machine.faults((e) => state.onFault(e));
  await using events = new RuntimeEventPump(machine, recorder.history).start();
  const status = await machine.status({ live: true });
  const specs = workloadsOf(spec);
  await using workloads = new Workloads(specs.map((w, k) => startWorkload(w, k, { status, recorder: recorder.history, ctx: machine, topology: scn.topology, tag: specs.length > 1, run: scn.topology.lab.slice(-4) })));
  using _progress = opts.onProgress ? state.reportEvery(500, workloads, opts.onProgress) : undefined;

  const r = await phases(scn, state, faults, signal);
  await workloads.stopLoads();
  if (!r.aborted) await workloads.finish();
  await events.stop();
  state.enter("done");
  return { history: recorder.history.entries, ...r };
}

async function upFor(scn: ResolvedScenario, opts: RunOptions, signal: AbortSignal, system: { use?: SharedUse }): Promise<StartedLab> {
  if (opts.reuse) {
    const shared = await sharedLab({ ...(opts.plumbing ? { plumbing: opts.plumbing } : {}), ...(opts.images ? { images: opts.images } : {}), topology: scn.topology, signal });
    system.use = shared.use;
    return shared.lab;
  }
  const lab = await up({ ...(opts.plumbing ? { plumbing: opts.plumbing } : {}), ...(opts.images ? { images: opts.images } : {}), ...(opts.swarm ? { swarm: opts.swarm } : {}), topology: scn.topology, signal });
  if (opts.keepLab) lab.keep();
  return lab;
}

