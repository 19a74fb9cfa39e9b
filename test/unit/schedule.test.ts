import { describe, expect, it } from "vitest";
import { gens } from "../../lab/schedule/gens.js";
import { seeded } from "../../lab/schedule/random.js";
import { finalHeal, randomSchedule, stagger, timeLimit, timeline, type ScheduledOp } from "../../lab/schedule/schedule.js";
import { resolveTopology } from "../../lab/topology/resolve.js";
import { checkFault } from "../../lab/faults/kinds/index.js";

const t = resolveTopology({}, "demo");
const spec = (seed: number) => ({
  seed,
  topology: t,
  mix: [gens.killCpu, gens.pauseCpu, gens.halves, gens.failPlane, gens.isolateCpu, gens.planeLatency(100)],
  stagger: { gapMs: [500, 2000] as [number, number], holdMs: [1000, 3000] as [number, number] },
  limitMs: 30_000,
});

describe("schedules", () => {
  it("a timeline: at 2 s kill cpu-1, at 6 s heal", () => {
    expect(
      timeline([
        { at: 6000, heal: "f1" },
        { at: 2000, inject: { kind: "cpu.kill", cpu: "cpu-1" } },
      ]),
    ).toEqual([
      { at: 2000, op: "inject", id: "f1", fault: { kind: "cpu.kill", cpu: "cpu-1" } },
      { at: 6000, op: "heal", id: "f1" },
    ]);
  });

  it("the same topology and seed give the same list of faults", () => {
    expect(randomSchedule(spec(42))).toEqual(randomSchedule(spec(42)));
    expect(randomSchedule(spec(42))).not.toEqual(randomSchedule(spec(43)));
  });

  it("is staggered, one fault at a time, cut at the limit, and ends with a heal of everything", () => {
    const s = randomSchedule(spec(7));
    expect(s.length).toBeGreaterThan(4);
    const last = s[s.length - 1];
    expect(last).toEqual({ at: 30_000, op: "heal-all" });
    const open = new Set<string>();
    let prev = 0;
    for (const op of s.slice(0, -1)) {
      expect(op.at).toBeGreaterThanOrEqual(prev);
      expect(op.at).toBeLessThan(30_000);
      prev = op.at;
      if (op.op === "inject") {
        expect(open.size).toBe(0);
        open.add(op.id);
        checkFault(op.fault, t); // every drawn fault is valid for the topology
      } else if (op.op === "heal") open.delete(op.id);
    }
  });

  it("stages compose: stagger, then time limit, then final heal", () => {
    const rng = seeded(1);
    const faults = [{ kind: "cpu.kill", cpu: "cpu-0" } as const, { kind: "cpu.kill", cpu: "cpu-1" } as const];
    const ops: ScheduledOp[] = [...finalHeal(timeLimit(stagger(faults, { gapMs: [1000, 1000], holdMs: [500, 500] }, rng), 2000), 2000)];
    expect(ops.map((o) => [o.at, o.op])).toEqual([
      [1000, "inject"],
      [1500, "heal"],
      [2000, "heal-all"],
    ]);
  });

  it("the seeded generator is deterministic", () => {
    const a = seeded(9);
    const b = seeded(9);
    expect(Array.from({ length: 10 }, () => a.int(0, 100))).toEqual(Array.from({ length: 10 }, () => b.int(0, 100)));
    expect(seeded(3).shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
  });
});
