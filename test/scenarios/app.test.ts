// The worked example of bringing your own system (examples/kv), run as a user runs it:
// its scenario files loaded from its folder, each against the project brought up under a
// lab of its own, with the user's own client module. Each test is one scenario; nothing of
// the project or the lab may be left afterwards.
import { describe, expect, inject, it } from "vitest";
import { appContainers } from "../../lab/app/system.js";
import { connectEngine } from "../../lab/docker/engine.js";
import { Plumbing } from "../../lab/docker/plumbing.js";
import { writeReports } from "../../lab/report/write.js";
import { loadScenarios } from "../../lab/scenario/load.js";
import { runScenario } from "../../lab/scenario/run.js";

const scenarios = await loadScenarios(["examples/kv/scenarios/"]);

describe("examples/kv: a user's Compose project under the lab's faults", () => {
  it("has its four scenarios: a kill, a netem delay, a partition and a declared link's latency", () => {
    expect(scenarios.map((s) => s.name)).toEqual(["kv-api-partition", "kv-store-delay", "kv-store-kill", "kv-store-link-latency"]);
  });

  for (const s of scenarios) {
    it(`${s.name}: ${s.claim}`, async () => {
      const plumbing = new Plumbing(await connectEngine());
      const dir = `reports/scenarios/${s.name}`;
      const r = await runScenario(s, { plumbing, images: inject("images"), reportDir: dir });
      await writeReports(r, dir);
      expect(r.ok, r.summary).toBe(true);
      expect(await plumbing.container.list(r.lab)).toEqual([]);
      expect(await appContainers(plumbing, r.lab)).toEqual([]);
    });
  }
});
