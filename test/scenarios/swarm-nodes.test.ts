// The machine on two Swarm nodes: this engine (a manager) and the second engine that
// `scripts/second-node.sh up` runs on this machine. Run by hand after that script:
//   NONSTOP_SECOND_NODE=node2=tcp://10.250.1.2:2375 npx vitest run test/scenarios/swarm-nodes.test.ts
// (vitest.config.ts leaves the file out without the variable). CI does not run it: its
// swarm is advertised on 127.0.0.1, which a second node cannot join (docs/scale.md).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { nodesFlag } from "../../lab/cli/machine.js";
import { connectEngine } from "../../lab/docker/engine.js";
import { Plumbing } from "../../lab/docker/plumbing.js";
import { up } from "../../lab/machine/up.js";
import { resolveTopology } from "../../lab/topology/resolve.js";
import { httpJson, waitFor } from "../../lab/util/http.js";
import { testLabId } from "../integration/lab-ids.js";

const second = process.env.NONSTOP_SECOND_NODE;
let plumbing: Plumbing;
let dir = "";

beforeAll(async () => {
  plumbing = new Plumbing(await connectEngine());
  dir = await mkdtemp(join(tmpdir(), "nonstop-mirrors-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the machine on two Swarm nodes (NONSTOP_SECOND_NODE)", () => {
  it("spreads the CPUs over both nodes, fails over to a CPU on the other node, reaches it with faults, and leaves nothing on either", async () => {
    if (!second) throw new Error("set NONSTOP_SECOND_NODE=NAME=URL (scripts/second-node.sh up prints it)");
    const nodes = nodesFlag([second]);
    const [nodeName = "", endpoint = ""] = Object.entries(nodes)[0] ?? [];
    const other = new Plumbing(await connectEngine({ host: endpoint }));
    const lab = testLabId("swarm2");
    const started = await up({ plumbing, images: inject("images"), topology: resolveTopology({}, lab), progress: () => undefined, swarm: { nodes, mirrorDir: dir }, timeoutMs: 120_000 });
    try {
      const here = (await plumbing.container.list(lab, "cpu")).map((c) => c.name).sort();
      const there = (await other.container.list(lab, "cpu")).map((c) => c.name).sort();
      expect([...here, ...there].sort()).toEqual(["cpu-0", "cpu-1", "cpu-2", "cpu-3"]);
      expect(there.length).toBeGreaterThan(0);

      const url = (await started.status()).services[0]?.url ?? "";
      const primary = async () => {
        const w = await httpJson<{ cpu: string; role: string }>(`${url}/whoami`, 1000).catch(() => undefined);
        return w?.role === "primary" ? w : undefined;
      };
      // Kill the primary until it lands on the other node's CPU (at most two kills: the
      // backup of a CPU here is placed on the other node after the first re-protection).
      await using faults = started.faults();
      for (let k = 0; k < 3; k++) {
        const now = await waitFor("a primary", primary, 20_000, 100);
        if (there.includes(now.cpu)) break;
        await faults.inject({ kind: "cpu.kill", cpu: now.cpu });
      }
      const served = await waitFor("the service to answer as primary", primary, 20_000, 100);
      expect(there, `primary ${served.cpu} on ${nodeName}`).toContain(served.cpu);

      // A fault on that CPU acts on the other engine's container.
      const where = await started.parts.locate(served.cpu);
      expect(where.plumbing).not.toBe(plumbing);
      await faults.inject({ kind: "cpu.pause", cpu: served.cpu });
      expect((await other.container.inspect(where.id)).state).toBe("paused");
      await faults.healAll();
    } finally {
      await started.down();
    }
    expect(await plumbing.container.listed(lab)).toEqual([]);
    expect(await other.container.listed(lab)).toEqual([]);
    expect(await other.volume.list(lab)).toEqual([]);
    expect(await plumbing.swarm.services(lab)).toEqual([]);
  });
});
