// A schedule turns time (and a seed) into faults. Either a fixed timeline, or a seeded
// pipeline of small generators, read as Jepsen reads them: draw faults from a mix,
// stagger them in time, cut at a time limit, then a final phase that heals everything.
import type { Topology } from "../topology/types.js";
import type { Fault } from "../faults/kinds/index.js";
import { seeded, type Rng } from "./random.js";

/** F: the faults of the system it breaks (the machine's by default; a Compose project's for ../app/). */
export type ScheduledOp<F = Fault> =
  | { at: number; op: "inject"; id: string; fault: F }
  | { at: number; op: "heal"; id: string }
  | { at: number; op: "heal-all" };

export type Schedule<F = Fault> = ScheduledOp<F>[];

/** Draws one fault for a topology; a building block of random schedules. */
export type FaultGen = (rng: Rng, t: Topology) => Fault;

// ── timelines ────────────────────────────────────────────────────────────────

export type TimelineEntry<F = Fault> = { at: number; inject: F; id?: string } | { at: number; heal: string } | { at: number; healAll: true };

/** A fixed timeline, e.g. at 2 s kill cpu-1, at 6 s heal it. Sorted by time; ids default to f1, f2… */
export function timeline<F = Fault>(entries: TimelineEntry<F>[]): Schedule<F> {
  let n = 0;
  const ops: Schedule<F> = entries.map((e) => {
    if ("inject" in e) return { at: e.at, op: "inject", id: e.id ?? `f${++n}`, fault: e.inject };
    if ("heal" in e) return { at: e.at, op: "heal", id: e.heal };
    return { at: e.at, op: "heal-all" };
  });
  return ops.sort((a, b) => a.at - b.at);
}

// ── composable generator stages ──────────────────────────────────────────────

/** An endless stream of faults, each from a generator picked at random from the mix. */
export function* mix(gens: readonly FaultGen[], rng: Rng, t: Topology): Generator<Fault> {
  if (gens.length === 0) return;
  for (;;) yield rng.pick(gens)(rng, t);
}

export interface Stagger {
  /** Quiet time before each fault, drawn uniformly from [min, max] ms. */
  gapMs: [number, number];
  /** How long each fault stays before it heals, uniformly from [min, max] ms. */
  holdMs: [number, number];
}

/** One fault at a time: wait a gap, inject, hold, heal, repeat. */
export function* stagger(faults: Iterable<Fault>, s: Stagger, rng: Rng, startMs = 0): Generator<ScheduledOp> {
  let t = startMs;
  let n = 0;
  for (const fault of faults) {
    t += rng.int(s.gapMs[0], s.gapMs[1]);
    const id = `f${++n}`;
    yield { at: t, op: "inject", id, fault };
    t += rng.int(s.holdMs[0], s.holdMs[1]);
    yield { at: t, op: "heal", id };
  }
}

/** Nothing at or after `limitMs`. A fault whose heal falls past the limit is left to the final heal. */
export function* timeLimit(ops: Iterable<ScheduledOp>, limitMs: number): Generator<ScheduledOp> {
  for (const op of ops) {
    if (op.at >= limitMs) return;
    yield op;
  }
}

/** Then heal everything at `atMs`: the schedule always ends whole. */
export function* finalHeal(ops: Iterable<ScheduledOp>, atMs: number): Generator<ScheduledOp> {
  yield* ops;
  yield { at: atMs, op: "heal-all" };
}

export interface RandomScheduleSpec {
  seed: number;
  topology: Topology;
  mix: readonly FaultGen[];
  stagger: Stagger;
  limitMs: number;
}

/** The usual pipeline: mix → stagger → time limit → final heal. Same seed, same list. */
export function randomSchedule(spec: RandomScheduleSpec): Schedule {
  const rng = seeded(spec.seed);
  return [...finalHeal(timeLimit(stagger(mix(spec.mix, rng, spec.topology), spec.stagger, rng), spec.limitMs), spec.limitMs)];
}
