// nonstop-lab for a user's vitest: `import { labTest } from "nonstop-lab/vitest"`. Each
// test that asks for `lab` gets a fresh lab of the given topology, disposed (faults
// healed, every container, network and volume removed) when the test ends, pass or fail.
//
//   const test = labTest({ cpus: 4, services: [{ name: "web", primary: "cpu-0", backup: "cpu-1" }] });
//   test("the backup takes over", async ({ lab }) => {
//     await lab.faults().inject({ kind: "cpu.kill", cpu: "cpu-0" });
//     ...
//   });
import { randomBytes } from "node:crypto";
import { test } from "vitest";
import { up } from "./machine/up.js";
import type { StartedLab } from "./machine/started.js";
import { resolveTopology } from "./topology/resolve.js";
import type { TopologyInput } from "./topology/schema.js";

/** A lab id for one test: "t-" and a random suffix, so parallel files never collide. */
function testLabId(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString("hex")}`.slice(0, 31);
}

export interface LabTestOptions {
  /** Lab ids start with this (default "t"); `nonstop reap --lab` removes a leftover one. */
  prefix?: string;
  /** How long bringing the lab up may take (default 120 s). */
  timeoutMs?: number;
}

/** vitest's `test`, extended with a `lab` fixture: a StartedLab of `topology`, one per test. */
export function labTest(topology: TopologyInput = {}, opts: LabTestOptions = {}) {
  return test.extend<{ lab: StartedLab }>({
    // vitest's fixture protocol: the first argument must be destructured, even if unused.
    lab: async ({}, use) => {
      await using lab = await up({ topology: resolveTopology(topology, testLabId(opts.prefix ?? "t")), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
      await use(lab);
    },
  });
}
