// The sweep's pure parts: the single faults a topology has, and the verdict of one run.
import { describe, expect, it } from "vitest";
import { machineFaults, ofKinds } from "../../lab/sweep/derive.js";
import { failsSweep, judgeFault } from "../../lab/sweep/verdict.js";
import { resolveTopology } from "../../lab/topology/resolve.js";
import type { HistoryEntry } from "../../lab/history/types.js";
import type { ThresholdResult } from "../../lab/checks/thresholds.js";
import { faultScenario } from "../../lab/sweep/run.js";
import { resolveScenario } from "../../lab/scenario/validate.js";
import type { CheckOutcome } from "../../lab/scenario/result.js";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { regressionFile, regressionScenario, regressionSource } from "../../lab/sweep/regression.js";
import { loadScenarios } from "../../lab/scenario/load.js";

describe("the single faults of a machine", () => {
  const t = resolveTopology({ cpus: 4, services: [{ name: "web", primary: "cpu-0", backup: "cpu-1" }] }, "t");
  const faults = machineFaults(t);

  it("every CPU killed and paused, each attachment to each plane, each plane, each mirror, and the edge", () => {
    expect(faults).toHaveLength(4 * 2 + 4 * 2 + 2 + 2 * 2 + 1);
    expect(faults.map((f) => f.part)).toEqual(expect.arrayContaining(["cpu-0", "cpu-3@y", "router-x", "mirror-a", "router-edge"]));
    expect(faults.find((f) => f.part === "cpu-2@x")?.fault).toEqual({ kind: "node.isolate", cpu: "cpu-2", planes: ["x"] });
    // The paper doubles CPUs, ServerNet and disks; the edge is the one part it says nothing of.
    expect(faults.filter((f) => f.paperExpects).map((f) => f.part)).toEqual(["router-edge"]);
  });

  it("each is a scenario the runner accepts", () => {
    for (const [i, f] of faults.entries()) expect(() => resolveScenario(faultScenario({ cpus: 4 }, t, f, i, 2000), "x")).not.toThrow();
  });

  it("of the kinds asked for", () => {
    expect(ofKinds(faults, ["plane.fail", "edge.down"]).map((f) => f.part)).toEqual(["router-x", "router-y", "router-edge"]);
    expect(ofKinds(faults, [])).toHaveLength(faults.length);
  });
});

describe("a fault's verdict", () => {
  // 40 web writes, one every 100 ms; the fault from 1 s to 3 s; `failing` says which fail.
  function run(failing: (i: number) => boolean, opts: { after?: boolean; lost?: number; stale?: number } = {}) {
    const history: HistoryEntry[] = [];
    let index = 0;
    for (let i = 0; i < 40; i++) {
      const t = i * 100_000;
      if (i === 10) history.push({ index: index++, type: "fault", time: t, event: "inject", id: "f", kind: "cpu.kill", description: "cpu.kill cpu-0" });
      if (i === 30) history.push({ index: index++, type: "fault", time: t, event: "heal", id: "f", kind: "cpu.kill", description: "cpu.kill cpu-0" });
      history.push({ index: index++, type: "invoke", process: i, f: "add", value: `v${i}`, time: t });
      history.push({ index: index++, type: failing(i) ? "fail" : "ok", process: i, f: "add", time: t + 5000 });
    }
    const after: ThresholdResult[] = [{ text: "availability.overall >= 99%", check: "availability", figure: "overall", op: ">=", unit: "%", limit: 99, actual: opts.after === false ? 50 : 100, passed: opts.after !== false }];
    const checks: CheckOutcome[] = [
      { name: "lostWrites", valid: !opts.lost, figures: { lost: opts.lost ?? 0 }, anomalies: [] },
      { name: "splitBrain", valid: !opts.stale, figures: { stale: opts.stale ?? 0 }, anomalies: [] },
    ];
    return judgeFault({ history, steady: { before: [], after }, checks, status: "passed" });
  }

  it("masked: every operation succeeded", () => expect(run(() => false)).toMatchObject({ verdict: "masked", figures: { failed: 0, availability: 100 } }));
  it("degraded: some failed, the service went on", () => expect(run((i) => i === 11 || i === 12)).toMatchObject({ verdict: "degraded", why: "web: 2 operations failed" }));
  it("outage: under half served during the fault", () => expect(run((i) => i >= 10 && i < 22)).toMatchObject({ verdict: "outage", why: "web served 42.9% during the fault" }));
  it("data lost, wrong answers, not recovered: worst wins", () => {
    expect(run(() => false, { lost: 3 }).verdict).toBe("data lost");
    expect(run(() => false, { lost: 3, stale: 1 }).verdict).toBe("wrong answers");
    expect(run(() => false, { lost: 3, stale: 1, after: false }).verdict).toBe("not recovered");
  });
  it("an outage or worse fails a sweep; degraded does not", () => {
    expect(["masked", "degraded", "outage", "data lost", "wrong answers", "not recovered"].map((v) => failsSweep(v as never))).toEqual([false, false, true, true, true, true]);
  });
});

describe("a finding written as a scenario (--write)", () => {
  const t = resolveTopology({ cpus: 4, services: [{ name: "web", primary: "cpu-0", backup: "cpu-1" }] }, "t");
  const faults = machineFaults(t);
  const edge = faults.findIndex((f) => f.part === "router-edge");
  const spec = faultScenario({ cpus: 4 }, t, faults[edge] ?? faults[0]!, edge, 2000);
  const finding = { part: "router-edge", verdict: "outage" as const, why: "web served 0% of its operations during the fault", allowed: false };

  it("claims the fault is masked with thresholds a run judges by itself, and is a scenario the runner accepts", () => {
    const s = regressionScenario(spec, finding);
    expect(s?.name).toBe("sweep-router-edge-edge-down");
    expect(s?.thresholds).toEqual(["availability.overall >= 100%", "lostWrites.lost == 0", "splitBrain.stale == 0"]);
    expect(s?.expect).toBeUndefined();
    expect(() => resolveScenario(s!, "x")).not.toThrow();
  });

  it("expects an allowed part to fail only what its verdict broke, and writes nothing for a masked fault", () => {
    expect(regressionScenario(spec, { ...finding, allowed: true })?.expect).toEqual({ fail: ["availability.overall >= 100%"] });
    expect(regressionScenario(spec, { ...finding, verdict: "data lost", allowed: true })?.expect).toEqual({ fail: ["lostWrites.lost == 0"] });
    expect(regressionScenario(spec, { ...finding, verdict: "masked" })).toBeUndefined();
  });

  it("loads back from the file it writes, as a user's scenario file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sweep-write-"));
    try {
      const s = regressionScenario(spec, finding)!;
      const file = join(dir, regressionFile(s, finding));
      await writeFile(file, regressionSource(s, finding, pathToFileURL(resolve("lab/scenario/define.ts")).href));
      const [loaded] = await loadScenarios([dir]);
      expect(loaded).toMatchObject({ name: s.name, thresholds: s.thresholds, claim: s.claim });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
