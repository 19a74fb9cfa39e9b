// Forty seconds of the seeded chaos soak (lab/soak/): one round, a random mix of every fault
// kind against five services, judged as it ends. `nonstop soak --for 1h` runs the long one.
import { beforeAll, describe, expect, inject, it } from "vitest";
import { connectEngine } from "../../lab/docker/engine.js";
import { Plumbing } from "../../lab/docker/plumbing.js";
import { runSoak } from "../../lab/soak/soak.js";

let plumbing: Plumbing;

beforeAll(async () => {
  plumbing = new Plumbing(await connectEngine());
});

describe("soak", () => {
  it("forty seconds of a random mix of fault kinds, one at a time: nothing acknowledged lost or done twice, no split brain", async () => {
    const r = await runSoak({ plumbing, images: inject("images"), seed: 2, forMs: 40_000, roundMs: 40_000, reportDir: "reports/soak" });
    const round = r.rounds[0];
    expect(round?.status, round?.summary).not.toBe("aborted");
    expect(r.ok, round?.summary).toBe(true);
    // It really was many kinds of trouble: seed 2's 40 s round injects 9 faults of 8 kinds.
    const kinds = new Set(round?.history.flatMap((e) => (e.type === "fault" && e.event === "inject" ? [e.kind] : [])));
    expect(kinds.size).toBeGreaterThanOrEqual(8);
    expect(await plumbing.container.list(round?.lab)).toEqual([]);
  }, 300_000);
});
