// Checks a scenario completely before anything starts: unknown checks, thresholds of the
// wrong unit, schedules that name a missing CPU. Errors carry the field path.
import { parseDuration } from "../util/duration.js";
import { z } from "zod";
import { CHECKS } from "../checks/index.js";
import { parseThreshold, type Threshold } from "../checks/thresholds.js";
import { resolveExpectation, type Expectation } from "./expectation.js";
import type { Check } from "../checks/types.js";
import { UsageError } from "../errors.js";
import { checkEngine, checkFault } from "../faults/kinds/index.js";
import { describeMachineFault } from "../faults/machine-target.js";
import type { CaseSpec } from "./case.js";
import { gens } from "../schedule/gens.js";
import { randomSchedule, timeline, type Schedule } from "../schedule/schedule.js";
import { formatZodError, resolveTopology } from "../topology/resolve.js";
import type { ServiceKind, Topology } from "../topology/types.js";
import { WORKLOAD_CLIENTS, type ScenarioSpec, type WorkloadSpec } from "./define.js";
import { SERVICE_OPS } from "../workload/service-ops.js";

/** The machine's scenario resolved: the case's parts, with its topology and its own faults' schedule. */
export interface ResolvedScenario extends CaseSpec {
  spec: ScenarioSpec;
  topology: Topology;
  schedule: Schedule;
}

export function parseDurationField(field: string, value: string): number {
  return parseDuration(field, value);
}

const serviceBase = {
  service: z.string(),
  rate: z.number().positive().max(50_000),
  timeoutMs: z.number().int().positive().max(60_000),
  deadlineMs: z.number().int().positive().max(120_000).optional(),
};

const WorkloadSchema = z.discriminatedUnion(
  "client",
  [
    z
      .object({
        client: z.literal("http"),
        service: z.string(),
        rate: z.number().positive().max(50_000),
        timeoutMs: z.number().int().positive().max(60_000),
        path: z.string().startsWith("/").optional(),
        ops: z.enum(SERVICE_OPS, { message: `allowed: ${SERVICE_OPS.join(", ")}` }).optional(),
        retry: z.object({ retries: z.number().int().min(0).max(10), backoffMs: z.number().min(0) }).strict().optional(),
        keepAlive: z.boolean().optional(),
      })
      .strict(),
    z.object({ client: z.literal("transactions"), ...serviceBase, customers: z.number().int().min(1).max(1000).optional() }).strict(),
    z.object({ client: z.literal("smtp"), ...serviceBase, mailboxes: z.number().int().min(1).max(1000).optional() }).strict(),
    z.object({ client: z.literal("downloads"), ...serviceBase, kbps: z.number().int().min(1).optional(), abandonEvery: z.number().int().min(0).optional() }).strict(),
    z.object({ client: z.literal("files"), ...serviceBase }).strict(),
    z.object({ client: z.literal("session"), ...serviceBase, users: z.number().int().min(1).max(100).optional() }).strict(),
  ],
  { message: `allowed: ${WORKLOAD_CLIENTS.join(", ")}` },
);

/** The client each kind of service speaks to. */
export const CLIENT_FOR_KIND: Record<ServiceKind, WorkloadSpec["client"]> = {
  web: "http",
  transactions: "transactions",
  mail: "smtp",
  downloads: "downloads",
  files: "files",
  session: "session",
};

export function workloadsOf(spec: ScenarioSpec): WorkloadSpec[] {
  return Array.isArray(spec.workload) ? spec.workload : [spec.workload];
}

function checkWorkloads(spec: ScenarioSpec, topology: Topology, at: (p: string) => string): void {
  const all = workloadsOf(spec);
  if (all.length === 0) throw new UsageError(at("workload: at least one workload is required"));
  all.forEach((wl, i) => {
    const where = Array.isArray(spec.workload) ? `workload[${i}]` : "workload";
    const w = WorkloadSchema.safeParse(wl);
    if (!w.success) throw new UsageError(formatZodError(at(where), w.error));
    const svc = topology.services.find((s) => s.name === wl.service);
    if (!svc) throw new UsageError(at(`${where}.service: unknown service '${wl.service}'; the topology has ${topology.services.map((s) => s.name).join(", ")}`));
    const want = CLIENT_FOR_KIND[svc.kind];
    if (wl.client !== want) throw new UsageError(at(`${where}.client: service '${svc.name}' is ${svc.kind}, whose client is '${want}' (got '${wl.client}')`));
  });
}

/** What both systems' scenarios share: checks, thresholds, the steady state, the fault phase's length. */
export interface Judging {
  checks: Check[];
  /** Measured and reported, judged only through the thresholds that name them (`observe`). */
  observed: Check[];
  thresholds: Threshold[];
  steady: { durationMs: number; thresholds: Threshold[] };
  durationMs: number;
  expect: Expectation;
}

export function resolveJudging(spec: { checks: (string | Check)[]; observe?: (string | Check)[]; thresholds: string[]; steadyState?: { duration?: string; thresholds?: string[] }; duration: string; expect?: unknown }, at: (path: string) => string, settings: Readonly<Record<string, string>> = {}): Judging {
  const named = (list: (string | Check)[], field: string) =>
    list.map((c, i) => {
      if (typeof c !== "string") return c;
      const found = CHECKS[c];
      if (!found) throw new UsageError(at(`${field}[${i}]: unknown check '${c}'; allowed: ${Object.keys(CHECKS).join(", ")}, or a Check object of your own`));
      return found;
    });
  const checks = named(spec.checks, "checks");
  const observed = named(spec.observe ?? [], "observe");
  const twice = observed.find((o) => checks.some((c) => c.name === o.name));
  if (twice) throw new UsageError(at(`observe: ${twice.name} is in checks too; a check is either judged (checks) or observed`));
  const thresholds = spec.thresholds.map((t, i) => parseThreshold(t, at(`thresholds[${i}]`), [...checks, ...observed], settings));
  const steadyChecks = [CHECKS.availability, CHECKS.latency].filter((c): c is Check => c !== undefined);
  const steady = {
    durationMs: parseDurationField(at("steadyState.duration"), spec.steadyState?.duration ?? "2s"),
    thresholds: (spec.steadyState?.thresholds ?? ["availability.overall >= 99%"]).map((t, i) => parseThreshold(t, at(`steadyState.thresholds[${i}]`), steadyChecks, settings)),
  };
  const expect = resolveExpectation(spec.expect, [...checks, ...observed].map((c) => c.name), thresholds, at);
  return { checks, observed, thresholds, steady, durationMs: parseDurationField(at("duration"), spec.duration), expect };
}

/** A timeline of either system's faults, each checked by `check`; a heal must name an injected fault. */
export function resolveTimeline<F>(
  entries: ({ at: string; inject: unknown; id?: string } | { at: string; heal: string } | { at: string; healAll: true })[],
  durationMs: number,
  duration: string,
  at: (path: string) => string,
  check: (input: unknown, field: string) => F,
): Schedule<F> {
  const schedule = timeline<F>(
    entries.map((e, i) => {
      const when = parseDurationField(at(`schedule.timeline[${i}].at`), e.at);
      if (when > durationMs) throw new UsageError(at(`schedule.timeline[${i}].at: ${e.at} is after the end of the fault phase (${duration})`));
      if ("inject" in e) return { at: when, inject: check(e.inject, at(`schedule.timeline[${i}].inject`)), ...(e.id ? { id: e.id } : {}) };
      if ("heal" in e) return { at: when, heal: e.heal };
      return { at: when, healAll: true as const };
    }),
  );
  const ids = new Set(schedule.flatMap((o) => (o.op === "inject" ? [o.id] : [])));
  entries.forEach((e, i) => {
    if ("heal" in e && !ids.has(e.heal)) throw new UsageError(at(`schedule.timeline[${i}].heal: no fault '${e.heal}' is injected; ids are ${[...ids].join(", ") || "none"}`));
  });
  return schedule;
}

export function resolveScenario(spec: ScenarioSpec, lab: string, seedOverride?: number): ResolvedScenario {
  const at = (path: string) => `scenario ${spec.name}: ${path}`;
  if (!/^[a-z][a-z0-9-]{0,40}$/.test(spec.name)) throw new UsageError(`scenario: name: lowercase letters, digits and '-' (got '${spec.name}')`);
  let topology: Topology;
  try {
    topology = resolveTopology(spec.topology, lab);
  } catch (err) {
    throw new UsageError(at((err as Error).message));
  }
  checkWorkloads(spec, topology, at);

  const { checks, observed, thresholds, steady, durationMs, expect } = resolveJudging(spec, at);
  const seed = seedOverride ?? spec.seed ?? 1;

  let schedule: Schedule;
  if ("timeline" in spec.schedule) {
    schedule = resolveTimeline(spec.schedule.timeline, durationMs, spec.duration, at, (input, field) => checkFault(input, topology, field));
  } else {
    const r = spec.schedule.random;
    const mix = r.mix.map((name, i) => {
      const g = gens[name];
      if (!g || typeof g !== "function" || name === "planeLatency") throw new UsageError(at(`schedule.random.mix[${i}]: unknown generator '${String(name)}'; allowed: ${Object.keys(gens).filter((k) => k !== "planeLatency").join(", ")}`));
      return g as (typeof gens)["killCpu"];
    });
    schedule = randomSchedule({
      seed,
      topology,
      mix,
      stagger: {
        gapMs: [parseDurationField(at("schedule.random.gap[0]"), r.gap[0]), parseDurationField(at("schedule.random.gap[1]"), r.gap[1])],
        holdMs: [parseDurationField(at("schedule.random.hold[0]"), r.hold[0]), parseDurationField(at("schedule.random.hold[1]"), r.hold[1])],
      },
      limitMs: durationMs,
    });
  }
  return { spec, seed, topology, schedule, durationMs, steady, checks, observed, thresholds, expect, describe: describeMachineFault };
}

/** A scenario's faults that Swarm cannot apply, refused before the lab comes up (`nonstop run --swarm`). */
export function checkSwarmSchedule(name: string, schedule: Schedule): void {
  schedule.forEach((o, i) => {
    if (o.op === "inject") checkEngine(o.fault, "swarm", `${name}: schedule[${i}]`);
  });
}

/** What `--swarm` cannot run: a Compose project's scenario (the project runs as its file says). */
export function refuseAppOnSwarm(name: string): never {
  throw new UsageError(`${name}: --swarm deploys the Tandem machine; a Compose project's scenario runs the project as its file says`);
}
