// Runs a scenario against a real lab: the steady state before (a failure aborts), the
// workload under the fault schedule, the steady state after, then the checks over the
// recorded history and the reports. The lab is torn down and every fault healed, whatever
// happens, including Ctrl-C and SIGTERM.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { judge, type Threshold, type ThresholdResult } from "../checks/thresholds.js";
import { availability, latency } from "../checks/index.js";
import type { Plumbing } from "../docker/plumbing.js";
import { reap } from "../docker/reap.js";
import { faultContext } from "../faults/context.js";
import { FaultSession, type FaultEvent } from "../faults/inject.js";
import { describeFault } from "../faults/types.js";
import { HistoryRecorder } from "../history/recorder.js";
import type { HistoryEntry, Phase } from "../history/types.js";
import { openIn, sliceByInvoke } from "../history/history.js";
import type { ImageSet } from "../images/build.js";
import { up } from "../machine/up.js";
import { startWorkload, type RunningWorkload } from "./workloads.js";
import type { ScenarioSpec } from "./define.js";
import { summarize, type CheckOutcome, type ScenarioResult } from "./result.js";
import { resolveScenario, workloadsOf, type ResolvedScenario } from "./validate.js";
import { writeReports } from "../report/write.js";
import { RuntimeEventPump } from "./runtime-events.js";

export interface Progress {
  scenario: string;
  phase: Phase | "starting";
  elapsedMs: number;
  phaseMs: number;
  opsPerSec: number;
  errors: number;
  activeFaults: string[];
}

export interface RunOptions {
  plumbing: Plumbing;
  images: ImageSet;
  seed?: number;
  /** Where summary.json, history.jsonl, junit.xml and report.html go; none when absent. */
  reportDir?: string;
  onProgress?: (p: Progress) => void;
  /** Install SIGINT/SIGTERM handlers that heal and tear down before exiting (CLI runs). */
  handleSignals?: boolean;
  /** Keep the lab up afterwards, for poking at it. */
  keepLab?: boolean;
}

function labIdFor(name: string): string {
  return `scn-${name.slice(0, 20)}-${randomBytes(2).toString("hex")}`.replace(/-+$/, "");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

function judgeSteady(history: HistoryEntry[], thresholds: Threshold[]): ThresholdResult[] {
  const verdicts = { availability: availability.run(history), latency: latency.run(history) };
  return thresholds.map((t) => judge(t, verdicts[t.check as keyof typeof verdicts]));
}

export async function runScenario(spec: ScenarioSpec, opts: RunOptions): Promise<ScenarioResult> {
  const lab = labIdFor(spec.name);
  // Everything is validated before anything starts.
  const scn: ResolvedScenario = resolveScenario(spec, lab, opts.seed);
  const startedAt = new Date();
  const t0 = performance.now();
  const recorder = new HistoryRecorder();
  if (opts.reportDir) await recorder.streamTo(join(opts.reportDir, "history.jsonl"));

  let phase: Progress["phase"] = "starting";
  let phaseStart = 0;
  const active = new Map<string, string>();
  const onFault = (e: FaultEvent) => {
    recorder.add({ type: "fault", event: e.type === "fault.inject" ? "inject" : "heal", id: e.id, kind: e.fault.kind, description: e.description }, recorder.fromWall(e.time));
    if (e.type === "fault.inject") active.set(e.id, e.description);
    else active.delete(e.id);
  };
  const enter = (p: Phase) => {
    phase = p;
    phaseStart = recorder.now();
    recorder.add({ type: "phase", phase: p });
  };

  let session: FaultSession | undefined;
  let events: RuntimeEventPump | undefined;
  let workloads: RunningWorkload[] = [];
  let progressTimer: NodeJS.Timeout | undefined;
  let tornDown = false;
  // A signal during the bring-up stops it, and the teardown waits for it to stop: reaping
  // while `up` was still creating left containers, networks or volumes made after the reap.
  const bringUp = new AbortController();
  let starting: Promise<unknown> = Promise.resolve();
  const teardown = async () => {
    if (tornDown) return;
    tornDown = true;
    bringUp.abort();
    await Promise.race([starting.catch(() => undefined), sleep(20_000)]);
    if (progressTimer) clearInterval(progressTimer);
    await Promise.all(workloads.map((w) => w.load.stop().catch(() => undefined)));
    await events?.stop().catch(() => undefined);
    await Promise.all(workloads.map((w) => w.client.close()));
    await session?.healAll().catch(() => undefined);
    if (!opts.keepLab) await reap(opts.plumbing, lab).catch(() => undefined);
    await recorder.close();
  };
  const onSignal = (sig: NodeJS.Signals) => {
    process.stderr.write(`\nnonstop: ${sig}: healing faults and removing lab ${lab}\n`);
    void teardown().finally(() => process.exit(sig === "SIGINT" ? 130 : 143));
  };
  if (opts.handleSignals) {
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  }

  try {
    const upping = up({ plumbing: opts.plumbing, images: opts.images, topology: scn.topology, progress: () => undefined, signal: bringUp.signal });
    starting = upping;
    const status = await upping;
    const ctx = await faultContext(opts.plumbing, lab);
    session = new FaultSession(ctx, onFault);

    events = new RuntimeEventPump(ctx, recorder).start();
    const specs = workloadsOf(spec);
    const run = lab.slice(-4);
    workloads = specs.map((w, k) => startWorkload(w, k, { status, recorder, ctx, topology: scn.topology, tag: specs.length > 1, run }));
    const stats = () =>
      workloads.reduce(
        (acc, w) => ({ completed: acc.completed + w.load.stats.completed, failed: acc.failed + w.load.stats.failed, unknown: acc.unknown + w.load.stats.unknown }),
        { completed: 0, failed: 0, unknown: 0 },
      );
    // Judging a window waits until every operation issued in it has finished: usually a
    // few milliseconds, one attempt's deadline for a request that hangs, seconds for a
    // download or a retried order. Bounded, in case a client never returns.
    const settle = async (from: number, to: number) => {
      const deadline = performance.now() + 15_000;
      await sleep(50);
      while (openIn(recorder.entries, from, to) > 0 && performance.now() < deadline) await sleep(50);
    };

    if (opts.onProgress) {
      let last = { at: performance.now(), completed: 0 };
      progressTimer = setInterval(() => {
        const s = stats();
        const now = performance.now();
        const rate = ((s.completed - last.completed) * 1000) / Math.max(1, now - last.at);
        last = { at: now, completed: s.completed };
        opts.onProgress?.({
          scenario: spec.name,
          phase,
          elapsedMs: now - t0,
          phaseMs: (recorder.now() - phaseStart) / 1000,
          opsPerSec: Math.round(rate),
          errors: s.failed + s.unknown,
          activeFaults: [...active.values()],
        });
      }, 500);
    }

    // Steady state before: the hypothesis must hold before we break anything.
    enter("steady-before");
    const before0 = recorder.now();
    await sleep(scn.steady.durationMs);
    const before1 = recorder.now();
    // Let the window's last operations finish (or time out) before judging it.
    await settle(before0, before1);
    const before = judgeSteady(sliceByInvoke(recorder.entries, before0, before1), scn.steady.thresholds);
    let aborted = before.some((t) => !t.passed);

    let after: ThresholdResult[] = [];
    if (!aborted) {
      enter("faults");
      const faultsStart = performance.now();
      for (const op of scn.schedule) {
        await sleep(op.at - (performance.now() - faultsStart));
        if (op.op === "inject") await session.inject(op.fault, op.id);
        else if (op.op === "heal") await session.heal(op.id);
        else await session.healAll();
      }
      await sleep(scn.durationMs - (performance.now() - faultsStart));
      await session.healAll();

      enter("steady-after");
      const after0 = recorder.now();
      await sleep(scn.steady.durationMs);
      const after1 = recorder.now();
      await settle(after0, after1);
      after = judgeSteady(sliceByInvoke(recorder.entries, after0, after1), scn.steady.thresholds);
    }
    await Promise.all(workloads.map((w) => w.load.stop()));
    if (!aborted) for (const w of workloads) await w.finish();
    await events.stop();
    enter("done");

    const history = recorder.entries;
    const checks: CheckOutcome[] = aborted ? [] : scn.checks.map((c) => ({ name: c.name, ...c.run(history) }));
    const byName = new Map(checks.map((c) => [c.name, c]));
    const thresholds = aborted ? [] : scn.thresholds.map((t) => judge(t, byName.get(t.check) ?? { valid: false, figures: {}, anomalies: [] }));
    const passed = !aborted && checks.every((c) => c.valid) && thresholds.every((t) => t.passed) && after.every((t) => t.passed);
    const runStatus = aborted ? "aborted" : passed ? "passed" : "failed";
    aborted = runStatus === "aborted";
    const core = { name: spec.name, status: runStatus, expect: scn.expect, checks, thresholds, steady: { before, after } } as const;
    const result: ScenarioResult = {
      ...core,
      claim: spec.claim,
      seed: scn.seed,
      lab,
      ok: aborted ? false : scn.expect === "fail" ? runStatus === "failed" : runStatus === "passed",
      summary: summarize(core),
      startedAt: startedAt.toISOString(),
      wallMs: Math.round(performance.now() - t0),
      ...(opts.reportDir ? { reportDir: opts.reportDir } : {}),
      history,
    };
    await teardown();
    if (opts.reportDir) await writeReports(result, opts.reportDir, scn.schedule.filter((o) => o.op === "inject").map((o) => (o.op === "inject" ? describeFault(o.fault) : "")));
    return result;
  } finally {
    await teardown();
    if (opts.handleSignals) {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  }
}
