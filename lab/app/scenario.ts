// A scenario against a user's Compose project: the same record as the machine's
// (../scenario/define.ts) with `system: { compose }` where the topology would be, the
// project's own fault kinds in the schedule, workloads of its own (./workload.ts), and
// probes that sample who is primary (./probes.ts). It runs the same case and analysis as
// the machine's scenarios (../scenario/case.ts), so reports, JUnit and `nonstop check`
// work on it unchanged.
import { randomBytes } from "node:crypto";
import { isAbsolute, join, resolve } from "node:path";
import type { z } from "zod";
import type { Check } from "../checks/types.js";
import { UsageError, errorMessage } from "../errors.js";
import { HistoryRecorder } from "../history/recorder.js";
import { RecordingOf, RunState, Workloads, judgeRun, phases, type CaseSpec, type Recorded } from "../scenario/case.js";
import type { RunOptions } from "../scenario/run.js";
import type { ScenarioResult } from "../scenario/result.js";
import { formatZodError } from "../topology/resolve.js";
import { resolveJudging, resolveTimeline } from "../scenario/validate.js";
import type { ExpectInput } from "../scenario/expectation.js";
import { loadCompose, replicasOf } from "./compose.js";
import { checkAppFault, describeAppFault, type AppFault } from "./faults/index.js";
import { ProbeSampler, ProbeSpec } from "./probes.js";
import { namesRole, roleForCheck, roleNow } from "./roles.js";
import { upApp } from "./started.js";
import { select, targetName, type AppContainer, type AppSnapshot } from "./system.js";
import { snapshotOf } from "./target.js";
import { LinkSpec, checkLinks } from "./faults/link.js";
import { LogFollower, resolveLogs, type LogSpec, type ResolvedLogs } from "./logs.js";
import { logsCheck } from "../checks/logs.js";
import { AppWorkload, loadClientModule, startAppWorkload, type AppWorkloadSpec, type ClientModule } from "./workload.js";

export interface AppScenarioSpec {
  name: string;
  claim: string;
  /** The system under test: a Compose file (relative to the scenario file, or to `baseDir`). */
  system: { compose: string; env?: Record<string, string> };
  workload: AppWorkloadSpec | AppWorkloadSpec[];
  /** Links put behind the lab's Toxiproxy router before the run, for link.* faults (Testcontainers' way). */
  links?: LinkSpec[];
  /** How to ask who is primary, per group of containers; sampled every 100 ms. */
  probes?: Record<string, z.input<typeof ProbeSpec>>;
  /** Log lines to record as events, per group of containers (./logs.ts); counted by the observed `logs` check. */
  logs?: Record<string, LogSpec>;
  schedule: { timeline: ({ at: string; inject: AppFault; id?: string } | { at: string; heal: string } | { at: string; healAll: true })[] };
  duration: string;
  steadyState?: { duration?: string; thresholds?: string[] };
  checks: (string | Check)[];
  /** Checks measured and reported but judged only by the thresholds that name them. */
  observe?: (string | Check)[];
  thresholds: string[];
  /** What must fail, for a baseline (../scenario/expectation.ts). */
  expect?: ExpectInput;
  seed?: number;
  /** Where relative paths (the Compose file, client modules) start; `nonstop run` sets it to the scenario file's folder. */
  baseDir?: string;
}

interface ResolvedApp extends CaseSpec {
  spec: AppScenarioSpec;
  file: string;
  baseDir: string;
  workloads: AppWorkloadSpec[];
  /** Each workload's client module, loaded and checked (undefined for http). */
  modules: (ClientModule | undefined)[];
  probes: Record<string, ProbeSpec>;
  links: LinkSpec[];
  logs: ResolvedLogs;
}

/** A snapshot of the project as its Compose file declares it, to check faults against before anything runs. */
function declared(project: string, services: Record<string, number>): AppSnapshot {
  const containers: AppContainer[] = Object.entries(services).flatMap(([service, n]) =>
    Array.from({ length: n }, (_, i) => ({ target: targetName(service, i + 1), service, index: i + 1, container: { id: "", containerName: "", name: service, lab: "", role: "app" as const, image: "", state: "running" as const, health: "none" as const, ports: [], addresses: {}, labels: {} } })),
  );
  return { lab: project, project, services: Object.keys(services).sort(), containers };
}

/** Checks an app scenario completely, the Compose file included, before anything starts. */
export async function resolveAppScenario(spec: AppScenarioSpec, seedOverride?: number): Promise<ResolvedApp> {
  const at = (path: string) => `scenario ${spec.name}: ${path}`;
  if (!/^[a-z][a-z0-9-]{0,40}$/.test(spec.name)) throw new UsageError(`scenario: name: lowercase letters, digits and '-' (got '${spec.name}')`);
  const baseDir = spec.baseDir ?? process.cwd();
  const file = isAbsolute(spec.system.compose) ? spec.system.compose : resolve(baseDir, spec.system.compose);
  let project;
  try {
    project = await loadCompose(file, spec.system.env ? { vars: spec.system.env } : {});
  } catch (err) {
    throw new UsageError(at(`system.compose: ${errorMessage(err).replace(/^--compose: /, "")}`));
  }
  const snap = declared(project.name, Object.fromEntries(Object.keys(project.model.services).map((s) => [s, replicasOf(project.model, s)])));

  const workloads = Array.isArray(spec.workload) ? spec.workload : [spec.workload];
  if (workloads.length === 0) throw new UsageError(at("workload: at least one workload is required"));
  const modules: (ClientModule | undefined)[] = [];
  for (const [i, w] of workloads.entries()) {
    const where = Array.isArray(spec.workload) ? `workload[${i}]` : "workload";
    const p = AppWorkload.safeParse(w);
    if (!p.success) throw new UsageError(formatZodError(at(where), p.error));
    modules.push(p.data.client === "module" ? await loadClientModule(p.data.module, baseDir, at(`${where}.module`)) : undefined);
  }
  const probes: Record<string, ProbeSpec> = {};
  for (const [group, p] of Object.entries(spec.probes ?? {})) {
    const r = ProbeSpec.safeParse(p);
    if (!r.success) throw new UsageError(formatZodError(at(`probes.${group}`), r.error));
    // Against the services the file declares, before anything starts; whether they answer
    // is known only once they run (ProbeSampler.check).
    select(snap, at(`probes.${group}.targets`), r.data.targets);
    probes[group] = r.data;
  }

  const links = (spec.links ?? []).map((l, i) => {
    const r = LinkSpec.safeParse(l);
    if (!r.success) throw new UsageError(formatZodError(at(`links[${i}]`), r.error));
    return r.data;
  });
  checkLinks(links, snap, (i) => at(`links[${i}]`));
  const logs = resolveLogs(spec.logs, snap, at);
  // With `logs`, the logs check is observed, whether or not the scenario names it.
  const withLogs = (list: (string | Check)[], field: string) =>
    list.map((c, i) => {
      if (c !== "logs") return c;
      // The logs check has no figures of its own: they are the events `logs` names.
      if (logs.names.length === 0) throw new UsageError(at(`${field}[${i}]: the logs check counts the events a scenario's logs names; add logs: { <group>: { targets: <containers>, events: { <name>: <regular expression> } } }`));
      return logsCheck(logs.names);
    });
  const judged = withLogs(spec.checks, "checks");
  const observe = withLogs(spec.observe ?? [], "observe");
  if (logs.names.length > 0 && ![...judged, ...observe].some((c) => typeof c !== "string" && c.name === "logs")) observe.push(logsCheck(logs.names));
  // A threshold may compute its limit from the system's settings (lab/checks/settings.ts).
  const { checks, observed, thresholds, steady, durationMs, expect } = resolveJudging({ ...spec, checks: judged, observe }, at, spec.system.env ?? {});
  if (!("timeline" in spec.schedule)) throw new UsageError(at("schedule: { timeline: [...] } (random schedules are for the Tandem machine)"));
  // A fault aimed by role is checked as if at every container its probe group samples; its fields stay as written.
  const schedule = resolveTimeline<AppFault>(spec.schedule.timeline, durationMs, spec.duration, at, (input, field) => {
    const checked = checkAppFault(roleForCheck(input, probes, field), snap, field);
    return namesRole(input) ? { ...checked, ...(input as object) } : checked;
  });
  return {
    spec,
    file,
    baseDir,
    workloads,
    modules,
    probes,
    links,
    logs,
    seed: seedOverride ?? spec.seed ?? 1,
    schedule,
    durationMs,
    steady,
    checks,
    observed,
    thresholds,
    expect,
    describe: (f) => describeAppFault(f as AppFault),
  };
}

function labIdFor(name: string): string {
  return `app-${name.slice(0, 20)}-${randomBytes(2).toString("hex")}`.replace(/-+$/, "");
}

/**
 * Runs an app scenario: the project up under a lab of its own (its own project name, so
 * runs never meet), probes and workloads started, the case run, every fault healed and
 * the project removed, whatever happens.
 */
export async function runAppScenario(spec: AppScenarioSpec, opts: RunOptions = {}): Promise<ScenarioResult> {
  const lab = labIdFor(spec.name);
  const scn = await resolveAppScenario(spec, opts.seed);
  return judgeRun(spec, scn, lab, opts, (signal) => runAppCase(scn, lab, opts, signal));
}

async function runAppCase(scn: ResolvedApp, lab: string, opts: RunOptions, signal: AbortSignal): Promise<Recorded> {
  await using recorder = new RecordingOf(new HistoryRecorder());
  if (opts.reportDir) await recorder.history.streamTo(join(opts.reportDir, "history.jsonl"));
  const state = new RunState(scn.spec.name, recorder.history);

  await using app = await upApp({ ...(opts.plumbing ? { plumbing: opts.plumbing } : {}), ...(opts.images ? { images: opts.images } : {}), file: scn.file, lab, project: lab, ...(scn.spec.system.env ? { vars: scn.spec.system.env } : {}) });
  if (signal.aborted) throw signal.reason as Error;
  await using faults = app.faults((e) => state.onFault(e));
  if (scn.links.length > 0) await app.declareLinks(scn.links);
  const snapshot = () => snapshotOf(app.target.plumbing, lab, lab);
  await using probes = new ProbeSampler({ plumbing: app.target.plumbing, recorder: recorder.history, snapshot, probes: scn.probes });
  await probes.check();
  probes.start();
  await using _logs = await new LogFollower(app.target.plumbing, recorder.history).start(scn.logs, await snapshot());
  const bound = { ...scn, bind: (f: unknown) => roleNow(f, (g) => probes.primaries(g)) };
  const env = { recorder: recorder.history, snapshot, lab, project: lab, tag: lab.slice(-4), baseDir: scn.baseDir };
  const started = [];
  for (const [k, w] of scn.workloads.entries()) started.push(await startAppWorkload(w, k, env, scn.workloads.length > 1 ? `workload[${k}]` : "workload", scn.modules[k]));
  await using workloads = new Workloads(started);
  using _progress = opts.onProgress ? state.reportEvery(500, workloads, opts.onProgress) : undefined;

  const r = await phases(bound, state, faults, signal);
  await workloads.stopLoads();
  if (!r.aborted) await workloads.finish();
  state.enter("done");
  return { history: recorder.history.entries, ...r };
}

