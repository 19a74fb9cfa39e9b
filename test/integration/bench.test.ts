// A quick run of every benchmark, so none rots: each must finish and print its figures.
// Benchmarks never fail on speed, and neither does this test; the figures themselves are
// judged in docs/performance.md, from full runs.
import { afterAll, describe, expect, it } from "vitest";
import { connectEngine } from "../../lab/docker/engine.js";
import { Plumbing } from "../../lab/docker/plumbing.js";
import { reapShared } from "../../lab/machine/reuse.js";
import { BENCHES, runBench } from "../../bench/run-all.js";

// The smoke runs marked --reuse leave the shared lab of their topology up for the next one.
afterAll(async () => {
  await reapShared(new Plumbing(await connectEngine()));
});

describe("benchmarks (smoke)", () => {
  for (const b of BENCHES) {
    it(`${b.file} runs and prints its figures`, async () => {
      const r = await runBench(b, b.smoke);
      expect(r.bench).toBe(b.file.replace(/^bench\/|\.ts$/g, ""));
      expect(r.cores).toBeGreaterThan(0);
      // Every summarised figure names its N.
      const summaries = JSON.stringify(r).match(/"median":-?\d/g)?.length ?? 0;
      const ns = JSON.stringify(r).match(/"n":\d+/g)?.length ?? 0;
      expect(ns).toBeGreaterThanOrEqual(summaries);
    }, 180_000);
  }
});
