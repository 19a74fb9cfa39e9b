// The parts of a scenario run that do not depend on which system is under test: the case
// (steady state before, faults on schedule, steady state after), the analysis, and the
// resources that hold the history and the workloads. The Tandem machine's runner
// (./run.ts) and a Compose project's (../app/scenario.ts) both use them.
import { judge, type Threshold, type ThresholdResult } from "../checks/thresholds.js";
import { availability, latency } from "../checks/index.js";
import type { Check } from "../checks/types.js";
import type { FaultEvent, FaultSession } from "../faults/inject.js";
import type { AnyFault } from "../faults/target.js";
import type { HistoryRecorder } from "../history/recorder.js";
import type { HistoryEntry, Phase } from "../history/types.js";
import { openIn, sliceByInvoke } from "../history/history.js";
import type { Schedule } from "../schedule/schedule.js";
import { errorMessage } from "../errors.js";
import { onInterrupt } from "../util/interrupt.js";
import type { OpenLoop } from "../workload/open-loop.js";
import type { Client } from "../workload/types.js";
import { judgeExpectation, type Expectation } from "./expectation.js";
import { summarize, type CheckOutcome, type ScenarioResult } from "./result.js";

/** A workload as the case sees it, whichever system it drives: its load, its client, its final read. */
export interface RunningLoad {
  load: OpenLoop;
  client: Client;
  finish(): Promise<void>;
}

/** A scenario resolved far enough to run its case and judge it. */
export interface CaseSpec {
  seed: number;
  schedule: Schedule<AnyFault>;
  durationMs: number;
  steady: { durationMs: number; thresholds: Threshold[] };
  checks: Check[];
  /** Fills in what a fault can only know when it is injected (an app scenario's `primary:<group>`). */
  bind?: (fault: unknown) => unknown;
  /** Measured and reported; judged only through thresholds. */
  observed?: Check[];
  thresholds: Threshold[];
  expect: Expectation;
  describe(f: AnyFault): string;
}

export interface Progress {
  scenario: string;
  phase: Phase | "starting";
  elapsedMs: number;
  phaseMs: number;
  opsPerSec: number;
  errors: number;
  activeFaults: string[];
}

export interface Recorded {
  history: HistoryEntry[];
  before: ThresholdResult[];
  after: ThresholdResult[];
  aborted: boolean;
  /** Why the run stopped short, when the lab itself failed (a fault that did not heal, an up that failed). */
  error?: string;
}


/** A sleep that an interrupted run wakes from at once, with the abort's reason. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const done = () => {
      signal?.removeEventListener("abort", abort);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener("abort", abort, { once: true });
  });
}

export function judgeSteady(history: HistoryEntry[], thresholds: Threshold[]): ThresholdResult[] {
  const verdicts = { availability: availability.run(history), latency: latency.run(history) };
  return thresholds.map((t) => judge(t, verdicts[t.check as keyof typeof verdicts]));
}

/** The case itself: steady state before, faults on schedule, steady state after. */
export async function phases(scn: CaseSpec, state: RunState, faults: FaultSession, signal: AbortSignal): Promise<Omit<Recorded, "history">> {
  const recorder = state.recorder;
  // Judging a window waits until every operation issued in it has finished: usually a
  // few milliseconds, one attempt's deadline for a request that hangs, seconds for a
  // download or a retried order. Bounded, in case a client never returns.
  const settle = async (from: number, to: number) => {
    const deadline = performance.now() + 15_000;
    await sleep(50, signal);
    while (openIn(recorder.entries, from, to) > 0 && performance.now() < deadline) await sleep(50, signal);
  };
  const steadyWindow = async (): Promise<ThresholdResult[]> => {
    const from = recorder.now();
    await sleep(scn.steady.durationMs, signal);
    const to = recorder.now();
    await settle(from, to);
    return judgeSteady(sliceByInvoke(recorder.entries, from, to), scn.steady.thresholds);
  };

  // Steady state before: the hypothesis must hold before we break anything.
  state.enter("steady-before");
  const before = await steadyWindow();
  if (before.some((t) => !t.passed)) return { before, after: [], aborted: true };

  state.enter("faults");
  const faultsStart = performance.now();
  for (const op of scn.schedule) {
    await sleep(op.at - (performance.now() - faultsStart), signal);
    if (op.op === "inject") await faults.inject((scn.bind ? scn.bind(op.fault) : op.fault) as typeof op.fault, op.id);
    else if (op.op === "heal") await faults.heal(op.id);
    else await faults.healAll();
  }
  await sleep(scn.durationMs - (performance.now() - faultsStart), signal);
  await faults.healAll();

  state.enter("steady-after");
  return { before, after: await steadyWindow(), aborted: false };
}

/** Stage 3: the checks and thresholds over the history. Pure. */
export function analyze(spec: { name: string; claim: string }, scn: CaseSpec, r: Recorded, run: { lab: string; startedAt: Date; wallMs: number; reportDir: string | undefined }): ScenarioResult {
  const { history, before, after } = r;
  const judged: CheckOutcome[] = r.aborted ? [] : scn.checks.map((c) => ({ name: c.name, ...c.run(history) }));
  const observed: CheckOutcome[] = r.aborted ? [] : (scn.observed ?? []).map((c) => ({ name: c.name, ...c.run(history), observed: true }));
  const checks = [...judged, ...observed];
  const byName = new Map(checks.map((c) => [c.name, c]));
  const thresholds = r.aborted ? [] : scn.thresholds.map((t) => judge(t, byName.get(t.check) ?? { valid: false, figures: {}, anomalies: [] }));
  const verdict = r.aborted ? { status: "aborted" as const, ok: false, unexpected: [], held: [] } : judgeExpectation(scn.expect, { checks, thresholds, after });
  const { status, unexpected, held } = verdict;
  const core = { name: spec.name, status, expect: scn.expect, checks, thresholds, steady: { before, after }, unexpected, held, ...(r.error !== undefined ? { error: r.error } : {}) } as const;
  return {
    ...core,
    claim: spec.claim,
    seed: scn.seed,
    lab: run.lab,
    ok: verdict.ok,
    summary: summarize(core),
    startedAt: run.startedAt.toISOString(),
    wallMs: run.wallMs,
    ...(run.reportDir ? { reportDir: run.reportDir } : {}),
    faults: scn.schedule.flatMap((o) => (o.op === "inject" ? [scn.describe(o.fault)] : [])),
    history,
  };
}

/** The recorder as a resource: its history file is flushed and closed last. */
export class RecordingOf implements AsyncDisposable {
  constructor(readonly history: HistoryRecorder) {}
  async [Symbol.asyncDispose](): Promise<void> {
    await this.history.close();
  }
}

/** The running workloads as one resource: their loads stopped and clients closed on release. */
export class Workloads implements AsyncDisposable {
  constructor(readonly all: RunningLoad[]) {}

  async stopLoads(): Promise<void> {
    await Promise.all(this.all.map((w) => w.load.stop()));
  }

  /** Each workload's final read, after the loads stopped. */
  async finish(): Promise<void> {
    for (const w of this.all) await w.finish();
  }

  stats(): { completed: number; failed: number; unknown: number } {
    return this.all.reduce(
      (acc, w) => ({ completed: acc.completed + w.load.stats.completed, failed: acc.failed + w.load.stats.failed, unknown: acc.unknown + w.load.stats.unknown }),
      { completed: 0, failed: 0, unknown: 0 },
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.all(this.all.map((w) => w.load.stop().catch(() => undefined)));
    await Promise.all(this.all.map((w) => w.client.close().catch(() => undefined)));
  }
}

/** Where the run is (its phase, the faults in force), recorded in the history and shown as progress. */
export class RunState {
  private phase: Progress["phase"] = "starting";
  private phaseStart = 0;
  private readonly t0 = performance.now();
  private readonly active = new Map<string, string>();

  constructor(
    private readonly scenario: string,
    readonly recorder: HistoryRecorder,
  ) {}

  enter(p: Phase): void {
    this.phase = p;
    this.phaseStart = this.recorder.now();
    this.recorder.add({ type: "phase", phase: p });
  }

  onFault(e: FaultEvent): void {
    this.recorder.add({ type: "fault", event: e.type === "fault.inject" ? "inject" : "heal", id: e.id, kind: e.fault.kind, description: e.description }, this.recorder.fromWall(e.time));
    if (e.type === "fault.inject") this.active.set(e.id, e.description);
    else this.active.delete(e.id);
  }

  reportEvery(ms: number, workloads: Workloads, onProgress: (p: Progress) => void): Disposable {
    let last = { at: performance.now(), completed: 0 };
    const timer = setInterval(() => {
      const s = workloads.stats();
      const now = performance.now();
      const rate = ((s.completed - last.completed) * 1000) / Math.max(1, now - last.at);
      last = { at: now, completed: s.completed };
      onProgress({
        scenario: this.scenario,
        phase: this.phase,
        elapsedMs: now - this.t0,
        phaseMs: (this.recorder.now() - this.phaseStart) / 1000,
        opsPerSec: Math.round(rate),
        errors: s.failed + s.unknown,
        activeFaults: [...this.active.values()],
      });
    }, ms);
    return { [Symbol.dispose]: () => clearInterval(timer) };
  }
}

/**
 * Runs a scenario's case under the run's signals and judges it: a signal aborts the run,
 * and the handler waits for it to unwind (each resource released, the bring-up stopped
 * between steps) before the process exits 130 or 143. Both systems' runners go through here.
 */
export async function judgeRun(
  spec: { name: string; claim: string },
  scn: CaseSpec,
  lab: string,
  opts: { signal?: AbortSignal; handleSignals?: boolean; reportDir?: string },
  runCase: (signal: AbortSignal) => Promise<Recorded>,
): Promise<ScenarioResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const interrupted = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, interrupted.signal]) : interrupted.signal;
  let unwound: Promise<unknown> = Promise.resolve();
  using _signals = opts.handleSignals
    ? onInterrupt(
        async () => {
          interrupted.abort(new Error("interrupted"));
          await unwound;
        },
        { what: `healing faults and removing lab ${lab}` },
      )
    : undefined;

  const running = runCase(signal);
  unwound = running.catch(() => undefined);
  const recorded = await running.catch(async (err: unknown): Promise<Recorded> => {
    // Interrupted by Ctrl-C or SIGTERM: the handler exits the process (130 / 143) once the
    // unwinding is done. Throwing here would race it and end the CLI with a stack trace.
    if (interrupted.signal.aborted) await new Promise<never>(() => undefined);
    // The lab failed mid-run (everything it made is already removed by the case's `using`):
    // this scenario is aborted with the reason, and a suite goes on to the next one.
    return { history: [], before: [], after: [], aborted: true, error: errorMessage(err) };
  });
  return analyze(spec, scn, recorded, { lab, startedAt, wallMs: Math.round(performance.now() - t0), reportDir: opts.reportDir });
}
