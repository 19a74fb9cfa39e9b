import { describe, expect, it } from "vitest";
import { availability, duplicates, failoverGap, latency, linearizable, lostWrites, CHECKS } from "../../lab/checks/index.js";
import { judge, parseThreshold } from "../../lab/checks/thresholds.js";
import { faultWindows, pairOps } from "../../lab/history/history.js";
import type { HistoryEntry } from "../../lab/history/types.js";
import { UsageError } from "../../lab/errors.js";

type Unindexed = HistoryEntry extends infer E ? (E extends unknown ? Omit<E, "index"> : never) : never;

/** A fixture builder: op(process, f, invoke ms, complete ms, type, value, result). Times in ms. */
function fixture(parts: (["op", number, string, number, number, "ok" | "fail" | "info", unknown?, unknown?] | ["fault", string, number, number?])[]): HistoryEntry[] {
  const raw: Unindexed[] = [];
  for (const p of parts) {
    if (p[0] === "op") {
      const [, process, f, t0, t1, type, value, result] = p;
      raw.push({ type: "invoke", process, f, time: t0 * 1000, ...(value !== undefined ? { value } : {}) });
      if (type !== "info" || t1 >= 0) raw.push({ type, process, f, time: t1 * 1000, latency: (t1 - t0) * 1000, ...(result !== undefined ? { value: result } : {}) });
    } else {
      const [, id, start, end] = p;
      raw.push({ type: "fault", time: start * 1000, event: "inject", id, kind: "cpu.kill", description: `cpu.kill (${id})` });
      if (end !== undefined) raw.push({ type: "fault", time: end * 1000, event: "heal", id, kind: "cpu.kill", description: `cpu.kill (${id})` });
    }
  }
  return raw.sort((a, b) => a.time - b.time).map((e, index): HistoryEntry => ({ ...e, index }));
}

describe("history", () => {
  it("pairs invokes with completions by process, and open invokes become info", () => {
    const h = fixture([
      ["op", 1, "get", 0, 5, "ok"],
      ["op", 2, "get", 1, -1, "info"],
      ["op", 1, "get", 10, 12, "fail"],
    ]);
    const ops = pairOps(h);
    expect(ops.map((o) => [o.process, o.type])).toEqual([
      [1, "ok"],
      [1, "fail"],
      [2, "info"],
    ]);
  });

  it("turns inject/heal pairs into windows", () => {
    expect(faultWindows(fixture([["fault", "f1", 100, 300], ["fault", "f2", 400]]))).toMatchObject([
      { id: "f1", start: 100_000, end: 300_000 },
      { id: "f2", start: 400_000 },
    ]);
  });
});

describe("checks", () => {
  const outage = fixture([
    ["op", 1, "get", 0, 2, "ok"],
    ["op", 2, "get", 10, 12, "ok"],
    ["fault", "f1", 15, 60],
    ["op", 3, "get", 20, 520, "info"],
    ["op", 4, "get", 30, 31, "fail"],
    ["op", 5, "get", 40, 41, "fail"],
    ["op", 6, "get", 50, 52, "ok"],
    ["op", 7, "get", 70, 71, "ok"],
  ]);

  it("availability: overall and inside fault windows; info is not a success", () => {
    expect(availability.run(outage).figures).toEqual({ overall: 57.14, inFaults: 25, outsideFaults: 100, ops: 7, failed: 2, unknown: 1 });
  });

  it("failover gap: from the fault to the first success after the outage began", () => {
    const v = failoverGap.run(outage);
    expect(v.figures).toMatchObject({ faults: 1, p50: 37, p99: 37, unrecovered: 0 });
    expect(v.valid).toBe(true);
  });

  it("failover gap: 0 when nothing failed, and an anomaly when nothing recovered", () => {
    expect(failoverGap.run(fixture([["fault", "f1", 5, 10], ["op", 1, "get", 6, 7, "ok"]])).figures.p50).toBe(0);
    const dead = failoverGap.run(fixture([["op", 1, "get", 0, 1, "ok"], ["fault", "f1", 5], ["op", 1, "get", 6, 7, "fail"]]));
    expect(dead.valid).toBe(false);
    expect(dead.anomalies[0]?.message).toMatch(/never came back/);
  });

  it("latency: HDR percentiles in ms of successful ops", () => {
    const h = fixture(Array.from({ length: 100 }, (_, i) => ["op", i, "get", i * 10, i * 10 + (i < 99 ? 2 : 500), "ok"] as ["op", number, string, number, number, "ok"]));
    const f = latency.run(h).figures;
    expect(f.count).toBe(100);
    expect(f.p50).toBeCloseTo(2, 1);
    expect(f.p99).toBeCloseTo(2, 1);
    expect(f.max).toBeCloseTo(500, 0);
  });

  it("lost writes: an acknowledged write missing from the final read; unknown writes are not lost", () => {
    const h = fixture([
      ["op", 1, "add", 0, 1, "ok", "a"],
      ["op", 2, "add", 2, 3, "ok", "b"],
      ["op", 3, "add", 4, -1, "info", "c"],
      ["op", 4, "add", 5, 6, "fail", "d"],
      ["op", 9, "read-all", 10, 11, "ok", undefined, ["a"]],
    ]);
    const v = lostWrites.run(h);
    expect(v.valid).toBe(false);
    expect(v.figures).toEqual({ acknowledged: 2, lost: 1, unknown: 1 });
    expect(v.anomalies[0]?.message).toMatch(/"b" is missing/);
  });

  it("duplicates: a value held twice was done twice", () => {
    const v = duplicates.run(fixture([["op", 9, "read-all", 10, 11, "ok", undefined, ["a", "b", "a"]]]));
    expect(v.valid).toBe(false);
    expect(v.figures).toEqual({ values: 3, duplicated: 1 });
  });

  it("linearizable: accepts a valid register history and rejects a stale read", () => {
    const good = fixture([
      ["op", 1, "write", 0, 10, "ok", 1],
      ["op", 2, "read", 5, 15, "ok", undefined, 1],
      ["op", 3, "write", 20, 30, "ok", 2],
      ["op", 2, "read", 25, 26, "ok", undefined, 1], // concurrent with write 2: may see 1
      ["op", 3, "cas", 40, 45, "ok", [2, 3]],
      ["op", 1, "write", 50, -1, "info", 9], // unknown: may or may not have happened
      ["op", 2, "read", 60, 61, "ok", undefined, 3],
    ]);
    expect(linearizable.run(good).valid).toBe(true);
    const stale = fixture([
      ["op", 1, "write", 0, 10, "ok", 1],
      ["op", 3, "write", 20, 30, "ok", 2],
      ["op", 2, "read", 40, 41, "ok", undefined, 1],
    ]);
    const v = linearizable.run(stale);
    expect(v.valid).toBe(false);
    expect(v.anomalies[0]?.message).toMatch(/no linear order/);
  });
});

describe("thresholds", () => {
  const checks = Object.values(CHECKS);

  it("parses, converts units and judges", () => {
    const t = parseThreshold("failoverGap.p99 <= 0.5s", "thresholds[0]", checks);
    expect(t).toMatchObject({ check: "failoverGap", figure: "p99", op: "<=", limit: 500 });
    expect(judge(t, { valid: true, figures: { p99: 420 }, anomalies: [] }).passed).toBe(true);
    expect(judge(t, { valid: true, figures: { p99: 501 }, anomalies: [] }).passed).toBe(false);
    expect(judge(t, { valid: true, figures: { p99: null }, anomalies: [] }).passed).toBe(false);
  });

  it("rejects a threshold of the wrong unit, an unknown check or figure, with the field path", () => {
    const err = (text: string) => {
      try {
        parseThreshold(text, "scenario.thresholds[1]", checks);
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
      throw new Error("expected an error");
    };
    expect(err("failoverGap.p99 <= 50%")).toBe("scenario.thresholds[1]: failoverGap.p99 is a time (ms, s or us), but 'failoverGap.p99 <= 50%' gives a percentage (%)");
    expect(err("availability.overall >= 99ms")).toMatch(/availability.overall is a percentage/);
    expect(err("uptime.p99 <= 5ms")).toMatch(/unknown check 'uptime'/);
    expect(err("latency.p42 <= 5ms")).toMatch(/latency has no figure 'p42'; it has count, p50/);
    expect(err("latency p99 < 5")).toMatch(/is not a threshold/);
  });
});

describe("slices of a history", () => {
  it("keep the ops invoked in the window with their completions, wherever those fall", async () => {
    const { sliceByInvoke } = await import("../../lab/history/history.js");
    const h = fixture([
      ["op", 1, "get", 0, 5, "ok"],
      ["op", 2, "get", 10, 40, "ok"],
      ["op", 3, "get", 18, 19, "fail"],
      ["op", 4, "get", 25, 26, "ok"],
    ]);
    const s = sliceByInvoke(h, 8_000, 20_000);
    expect(pairOps(s).map((o) => [o.process, o.type])).toEqual([
      [3, "fail"],
      [2, "ok"],
    ]);
  });
});

describe("reads and the runtime's timeline", () => {
  it("readsCorrect: a disk read must hold every write acknowledged before it began, and nothing made up", () => {
    const good = fixture([
      ["op", 1, "add", 0, 5, "ok", "v0"],
      ["op", 2, "disk-read", 6, 8, "ok", undefined, ["v0"]],
      // Concurrent with the read: may or may not be there.
      ["op", 3, "add", 7, 9, "ok", "v1"],
    ]);
    expect(CHECKS.readsCorrect?.run(good)).toMatchObject({ valid: true, figures: { reads: 1, stale: 0, foreign: 0 } });
    const bad = fixture([
      ["op", 1, "add", 0, 5, "ok", "v0"],
      ["op", 2, "disk-read", 6, 8, "ok", undefined, ["vX"]],
    ]);
    expect(CHECKS.readsCorrect?.run(bad)).toMatchObject({ valid: false, figures: { reads: 1, stale: 1, foreign: 1 } });
  });

  it("runtime: splits the first takeover into detect, regroup, takeover and address", () => {
    const ev = (time: number, name: string, detail: Record<string, unknown>): Unindexed => ({ type: "event", time: time * 1000, cpu: "cpu-1", name, detail });
    const h = [
      ...fixture([["fault", "kill", 100]]),
      ev(200, "cpu.suspected", { peer: "cpu-0" }),
      ev(230, "view.installed", { view: { id: 2, members: ["cpu-1", "cpu-2", "cpu-3"] }, removed: ["cpu-0"], added: [] }),
      ev(260, "pair.takeover", { from: "cpu-0" }),
      ev(275, "address.moved", {}),
      ev(300, "raid.repaired", {}),
      ev(310, "replica.votedOut", { replica: "cpu-3" }),
    ].map((e, index) => ({ ...e, index }));
    expect(CHECKS.runtime?.run(h).figures).toMatchObject({ detect: 100, regroup: 30, takeover: 30, address: 15, faultToTakeover: 160, repairs: 1, votedOut: 1, takeovers: 1 });
  });

  it("runtime: counts each view that removed a CPU once, and the CPUs' own stalls", () => {
    const ev = (cpu: string, time: number, name: string, detail: Record<string, unknown>): Unindexed => ({ type: "event", time: time * 1000, cpu, name, detail });
    const h = [
      // Three CPUs report installing the same view without cpu-0; then cpu-0 is added back.
      ...["cpu-1", "cpu-2", "cpu-3"].map((c) => ev(c, 200, "view.installed", { view: { id: 2, members: ["cpu-1", "cpu-2", "cpu-3"] }, removed: ["cpu-0"], added: [] })),
      ...["cpu-0", "cpu-1", "cpu-2", "cpu-3"].map((c) => ev(c, 900, "view.installed", { view: { id: 3, members: ["cpu-0", "cpu-1", "cpu-2", "cpu-3"] }, removed: [], added: ["cpu-0"] })),
      ev("cpu-0", 850, "cpu.stalled", { ms: 640 }),
      ev("cpu-2", 300, "cpu.stalled", { ms: 55 }),
    ].map((e, index) => ({ ...e, index }));
    expect(CHECKS.runtime?.run(h).figures).toMatchObject({ viewChanges: 2, removals: 1, stalls: 2, longestStall: 640 });
  });

  it("runtime: what the agents did while the lab came up, before the run's first phase, is not the run's", () => {
    const ev = (cpu: string, time: number, name: string, detail: Record<string, unknown>): Unindexed => ({ type: "event", time: time * 1000, cpu, name, detail });
    const h = [
      // The last CPU to start (a Swarm task a moment after the others) joins a view later.
      ev("cpu-1", 100, "view.installed", { view: { id: 2, members: ["cpu-0", "cpu-1"] }, removed: ["cpu-2"], added: [] }),
      ev("cpu-1", 150, "view.installed", { view: { id: 3, members: ["cpu-0", "cpu-1", "cpu-2"] }, removed: [], added: ["cpu-2"] }),
      { type: "phase", phase: "steady-before", time: 200_000 } as Unindexed,
      ev("cpu-1", 900, "view.installed", { view: { id: 4, members: ["cpu-1", "cpu-2"] }, removed: ["cpu-0"], added: [] }),
    ].map((e, index) => ({ ...e, index }));
    expect(CHECKS.runtime?.run(h).figures).toMatchObject({ viewChanges: 1, removals: 1 });
  });

  it("splitBrain: each service's epochs on their own; an older epoch acknowledged later is stale", () => {
    const ack = (process: number, service: string, t: number, epoch: number, node: string): Unindexed[] => [
      { type: "invoke", process, f: "add", time: t * 1000, value: `v${process}`, service },
      { type: "ok", process, f: "add", time: (t + 1) * 1000, latency: 1000, value: { epoch }, node, service },
    ];
    const of = (parts: Unindexed[][]) => parts.flat().sort((a, b) => a.time - b.time).map((e, index): HistoryEntry => ({ ...e, index }));
    // mail's pair is at epoch 1 while web's has moved to 3: two services, not a split brain.
    const apart = of([ack(1, "web", 0, 3, "cpu-1"), ack(2, "mail", 5, 1, "cpu-0"), ack(3, "web", 10, 3, "cpu-1")]);
    expect(CHECKS.splitBrain?.run(apart)).toMatchObject({ valid: true, figures: { acknowledged: 3, epochs: 2, stale: 0 } });
    const stale = of([ack(1, "web", 0, 3, "cpu-1"), ack(2, "web", 5, 2, "cpu-0")]);
    expect(CHECKS.splitBrain?.run(stale)).toMatchObject({ valid: false, figures: { stale: 1 } });
  });

  it("runtime: time without a backup while one could be had, and services left unprotected at the end", () => {
    const ev = (time: number, name: string, detail: Record<string, unknown>): Unindexed => ({ type: "event", time: time * 1000, cpu: "cpu-1", name, detail });
    const h = [
      ev(100, "pair.takeover", { service: "web" }),
      ev(180, "pair.reprotected", { service: "web", exposedMs: 80 }),
      ev(100, "pair.takeover", { service: "mail" }),
      ev(400, "pair.reprotected", { service: "mail", exposedMs: 300 }),
      // Fenced and resumed: still without a backup when the run ended.
      ev(500, "pair.resumed", { service: "files" }),
    ].map((e, index) => ({ ...e, index }));
    expect(CHECKS.runtime?.run(h).figures).toMatchObject({ unprotectedMs: 380, longestUnprotected: 300, unprotectedAtEnd: 1 });
  });

  it("runtime: the fault's repair time, until every pair it exposed is re-protected and every mirror it took out is back", () => {
    const ev = (time: number, cpu: string, name: string, detail: Record<string, unknown>): Unindexed => ({ type: "event", time: time * 1000, cpu, name, detail });
    const fault: Unindexed = { type: "fault", time: 50_000, event: "inject", id: "f", kind: "cpu.kill", description: "kill cpu-0" };
    const run = (es: Unindexed[]) => CHECKS.runtime?.run([fault, ...es].map((e, index) => ({ ...e, index }))).figures.protectedAgain;
    const takeover = ev(100, "cpu-1", "pair.takeover", { service: "web" });
    const reprotected = ev(400, "cpu-1", "pair.reprotected", { service: "web", exposedMs: 300 });
    // A mirror of cpu-2's driver taken out and back: the later of the two repairs ends it.
    const degraded = ev(120, "cpu-2", "raid.degraded", { mirror: "b", error: "EIO" });
    const restored = ev(900, "cpu-2", "raid.restored", { mirror: "b" });
    expect(run([takeover, reprotected])).toBe(350);
    expect(run([takeover, degraded, reprotected, restored])).toBe(850);
    // Still exposed when the run ended: no repair time.
    expect(run([takeover, degraded, reprotected])).toBeNull();
    // A fault that exposed nothing (a spare killed): repaired at once.
    expect(run([ev(100, "cpu-2", "view.installed", { view: { id: 2, members: ["cpu-0", "cpu-1"] }, removed: ["cpu-2"] })])).toBe(0);
  });
});
