// Each scenario is one test. A scenario passes when it comes out as expected: checks hold,
// or, for an expected-failure baseline, they fail as the paper says they must. A failure
// reads as the run's one-line summary.
import { beforeAll, describe, expect, inject, it } from "vitest";
import { connectEngine } from "../../lab/docker/engine.js";
import { Plumbing } from "../../lab/docker/plumbing.js";
import { writeReports } from "../../lab/report/write.js";
import { runScenario } from "../../lab/scenario/run.js";
import { SCENARIOS } from "../../scenarios/index.js";

let plumbing: Plumbing;

beforeAll(async () => {
  plumbing = new Plumbing(await connectEngine());
});

describe("scenarios", () => {
  for (const s of SCENARIOS) {
    it(`${s.name}${s.expect === "fail" ? " (expected-failure baseline)" : ""}: ${s.claim}`, async () => {
      const dir = `reports/scenarios/${s.name}`;
      const r = await runScenario(s, { plumbing, images: inject("images"), reportDir: dir });
      await writeReports(r, dir);
      expect(r.ok, r.summary).toBe(true);
      expect(r.status).not.toBe("aborted");
      // Nothing of the scenario's lab is left behind.
      expect(await plumbing.container.list(r.lab)).toEqual([]);
    });
  }
});
