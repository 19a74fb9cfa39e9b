// The lab handle: `up()` gives a StartedLab that removes its lab when disposed (twice is
// safe), `attach()` reads the same lab back from the engine for a second holder, and a
// fault session taken from the handle is healed when the handle goes.
import { beforeAll, describe, expect, inject, it } from "vitest";
import { connectEngine } from "../../lab/docker/engine.js";
import { Plumbing, dockerName } from "../../lab/docker/plumbing.js";
import { attach } from "../../lab/machine/started.js";
import { up } from "../../lab/machine/up.js";
import { resolveTopology } from "../../lab/topology/resolve.js";
import { testLabId } from "./lab-ids.js";

let plumbing: Plumbing;

beforeAll(async () => {
  plumbing = new Plumbing(await connectEngine());
});

describe("StartedLab", () => {
  it("await using: up, attach from the engine, a fault healed and the lab removed on scope exit, twice safely", async () => {
    const id = testLabId("handle");
    const topology = resolveTopology({ cpus: 2 }, id);
    let held: Awaited<ReturnType<typeof up>> | undefined;
    const healed: string[] = [];
    let faultId = "";
    {
      await using lab = await up({ plumbing, images: inject("images"), topology, progress: () => undefined });
      held = lab;
      expect(lab.id).toBe(id);
      expect(lab.owned).toBe(true);
      expect((await lab.status()).up).toBe(true);

      // A second holder reads the same lab back; it does not own it, so letting it go leaves the lab up.
      {
        await using again = await attach(plumbing, id);
        expect(again.owned).toBe(false);
        expect(again.topology).toEqual(lab.topology);
        expect((await again.status()).cpus.map((c) => c.name)).toEqual(["cpu-0", "cpu-1"]);
      }
      expect((await plumbing.container.list(id)).length).toBeGreaterThan(0);

      // A fault left in force: the handle heals it before removing the lab.
      faultId = (await lab.faults((e) => void (e.type === "fault.heal" && healed.push(e.id))).inject({ kind: "cpu.pause", cpu: "cpu-1" })).id;
      expect((await plumbing.container.inspect(dockerName(id, "cpu-1"))).state).toBe("paused");
    }
    expect(healed).toEqual([faultId]);
    expect(await plumbing.container.list(id)).toEqual([]);
    expect(await plumbing.network.list(id)).toEqual([]);
    expect(await plumbing.volume.list(id)).toEqual([]);
    // Disposing again (or down() after dispose) is a no-op with the same result.
    if (!held) throw new Error("no handle");
    await held[Symbol.asyncDispose]();
    expect((await held.down()).containers).toBeGreaterThan(0);
  });

  it("attach to a lab that is not up: one clear error", async () => {
    await expect(attach(plumbing, testLabId("none"))).rejects.toThrow(/is not up/);
  });
});
