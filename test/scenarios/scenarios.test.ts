// Each scenario is one test. A scenario passes when it comes out as expected: checks hold,
// or, for an expected-failure baseline, they fail as the paper says they must. A failure
// reads as the run's one-line summary. Scenarios run on the shared lab of their topology,
// reset and verified between them (lab/machine/reuse.ts), in topology order so that each
// topology comes up once; the first of each comes up fresh. One pair of tests runs the
// same scenario fresh and on a reset lab, and wants the same verdict.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connectEngine } from "../../lab/docker/engine.js";
import { Plumbing } from "../../lab/docker/plumbing.js";
import { writeReports } from "../../lab/report/write.js";
import { runScenario } from "../../lab/scenario/run.js";
import { SCENARIOS } from "../../scenarios/index.js";
import { reapShared, sharedLabId } from "../../lab/machine/reuse.js";
import { resolveTopology } from "../../lab/topology/resolve.js";
import type { ScenarioResult } from "../../lab/scenario/result.js";

let plumbing: Plumbing;

beforeAll(async () => {
  plumbing = new Plumbing(await connectEngine());
  await reapShared(plumbing);
});

afterAll(async () => {
  await reapShared(plumbing);
});

const topologyKey = (s: (typeof SCENARIOS)[number]) => sharedLabId(resolveTopology(s.topology, "shared"));
/** Stable: scenarios of one topology in the order index.ts lists them, topologies in order of first appearance. */
const firstSeen = new Map<string, number>();
SCENARIOS.forEach((s, i) => firstSeen.set(topologyKey(s), firstSeen.get(topologyKey(s)) ?? i));
const ordered = [...SCENARIOS].sort((a, b) => (firstSeen.get(topologyKey(a)) ?? 0) - (firstSeen.get(topologyKey(b)) ?? 0));

/** A scenario's lab after its run: only its CPUs and routers (no marker, helper or tool container), and no fault in force. */
async function leftBehind(r: ScenarioResult): Promise<string[]> {
  return (await plumbing.container.list(r.lab)).filter((c) => c.role !== "cpu" && c.role !== "router").map((c) => `${c.role} ${c.name}`);
}

describe("scenarios", () => {
  const verdicts = new Map<string, ScenarioResult>();
  for (const s of ordered) {
    it(`${s.name}${typeof s.expect === "object" ? ` (baseline, expected to fail ${s.expect.fail.join(", ")})` : ""}: ${s.claim}`, async () => {
      const dir = `reports/scenarios/${s.name}`;
      const r = await runScenario(s, { plumbing, images: inject("images"), reportDir: dir, reuse: true });
      await writeReports(r, dir);
      verdicts.set(s.name, r);
      expect(r.ok, r.summary).toBe(true);
      expect(r.status).not.toBe("aborted");
      // A lab that was there was reused: its reset proved it clean.
      expect(r.system?.freshBecause, r.system?.freshBecause).toBeUndefined();
      expect(await leftBehind(r)).toEqual([]);
    });
  }

  it("pair-kill gives the same verdict on a fresh lab as on a reset one", async () => {
    const s = SCENARIOS.find((x) => x.name === "pair-kill");
    if (!s) throw new Error("no pair-kill scenario");
    // The suite has moved on to other topologies, so the first run brings its lab up fresh
    // and the second finds it there, used, and resets it.
    const fresh = await runScenario(s, { plumbing, images: inject("images"), reuse: true });
    const reset = await runScenario(s, { plumbing, images: inject("images"), reuse: true });
    expect([fresh.system?.reused, reset.system?.reused]).toEqual([false, true]);
    expect(reset.system?.reset?.leftovers).toEqual([]);
    const verdict = (r: ScenarioResult) => ({ ok: r.ok, status: r.status, checks: r.checks.map((c) => [c.name, c.valid]), thresholds: r.thresholds.map((t) => [t.text, t.passed]) });
    expect(verdict(reset), `${fresh.summary} / ${reset.summary}`).toEqual(verdict(fresh));
  });
});
