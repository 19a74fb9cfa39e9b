// Ctrl-C at any moment of `nonstop run` leaves nothing behind: not a container, not a
// network (once left with a stale endpoint), not a volume. The moments are drawn from a
// seed, spread over the bring-up, the steady state and the fault phase.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { connectEngine } from "../../lab/docker/engine.js";
import { Plumbing } from "../../lab/docker/plumbing.js";
import { runCli, startCli } from "./cli.js";

let plumbing: Plumbing;
beforeAll(async () => {
  plumbing = new Plumbing(await connectEngine());
});

/** A small seeded generator (xorshift32): the same seed, the same moments. */
function moments(seed: number, n: number, fromMs: number, toMs: number): number[] {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  // One moment in each of n equal slices, so the bring-up, steady state and faults all get one.
  return Array.from({ length: n }, (_, i) => Math.round(fromMs + ((i + next()) * (toMs - fromMs)) / n));
}

const SEED = 14;
const scnLabs = async () => (await plumbing.labs()).filter((l) => l.startsWith("scn-pair-kill"));

describe("interrupting a run", () => {
  for (const at of moments(SEED, 3, 1200, 9000)) {
    it(`SIGINT ${at} ms into 'nonstop run pair-kill' (seed ${SEED}) leaves no container, network or volume`, async () => {
      // Only this run's labs count: one that an earlier failure left must not fail this one too.
      const before = new Set(await scnLabs());
      const report = await mkdtemp(join(tmpdir(), "nonstop-interrupt-"));
      const child = startCli(["run", "pair-kill", "--report", report]);
      let stderr = "";
      child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
      await new Promise((r) => setTimeout(r, at));
      child.kill("SIGINT");
      const code = await new Promise<number | null>((r) => child.on("close", r));
      // 130 when the signal came while it ran; null (killed by it) when it came before the
      // run had set its handlers, and so before it made anything. It cannot have finished:
      // pair-kill runs for 15 s. Either way, no stack trace.
      expect([130, null], stderr).toContain(code);
      if (code === 130) expect(stderr).toMatch(/SIGINT: healing faults and removing lab scn-pair-kill-/);
      expect(stderr).not.toMatch(/\n\s+at /);

      const left = (await scnLabs()).filter((l) => !before.has(l));
      const leftovers = await Promise.all(left.map(async (lab) => ({ lab, containers: (await plumbing.container.list(lab)).length, networks: (await plumbing.network.list(lab)).length, volumes: (await plumbing.volume.list(lab)).length })));
      // Whatever a failure left, `reap` must be able to remove (and say nothing went wrong).
      for (const lab of left) expect(await runCli(["reap", "--lab", lab])).toMatchObject({ code: 0, stderr: "" });
      expect(leftovers).toEqual([]);
    });
  }
});
