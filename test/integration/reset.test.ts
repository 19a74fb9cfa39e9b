// The verified reset of a shared lab (lab/machine/reset.ts, reuse.ts), on a real lab: its
// proof finds what a use leaves behind, even what never went through the ledger; the reset
// clears what it can and the proof then comes out empty; and what it cannot clear gets a
// fresh lab, with the reason.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connectEngine } from "../../lab/docker/engine.js";
import { Plumbing, dockerName } from "../../lab/docker/plumbing.js";
import { inject as injectFault } from "../../lab/faults/inject.js";
import { leftoversOf, resetMachine } from "../../lab/machine/reset.js";
import { reapShared, sharedLab, sharedLabId } from "../../lab/machine/reuse.js";
import { attach } from "../../lab/machine/started.js";
import { up } from "../../lab/machine/up.js";
import { resolveTopology } from "../../lab/topology/resolve.js";
import { reap } from "../../lab/docker/reap.js";
import { testLabId } from "./lab-ids.js";

let plumbing: Plumbing;

beforeAll(async () => {
  plumbing = new Plumbing(await connectEngine());
});

afterAll(async () => {
  await reapShared(plumbing);
});

async function write(url: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await fetch(`${url}/add?v=w${i}`, { method: "POST", signal: AbortSignal.timeout(2000) });
    expect(r.status).toBe(200);
  }
}

describe("the reset of a shared lab", () => {
  it("finds a toxic, a paused CPU and written state left outside the ledger, clears them, and then proves the lab as fresh", async () => {
    const id = testLabId("reset");
    await using lab = await up({ plumbing, images: inject("images"), topology: resolveTopology({ cpus: 2 }, id), progress: () => undefined });
    // A fresh lab passes the proof as it is: the proof does not cry wolf.
    expect(await leftoversOf(lab)).toEqual([]);

    const web = (await lab.status()).services.find((s) => s.name === "web")?.url ?? "";
    await write(web, 3);
    // Behind the ledger's back: a toxic straight on the router, a CPU paused by the engine.
    await (await lab.router("router-x")).addToxic("cpu-0_to_cpu-1", { type: "latency", latencyMs: 100 });
    await plumbing.container.pause(dockerName(id, "cpu-1"));
    const found = await leftoversOf(lab);
    expect(found.join("\n")).toMatch(/router-x's cpu-0_to_cpu-1 carries a latency toxic/);
    expect(found.join("\n")).toMatch(/cpu-1 is paused/);
    expect(found.join("\n")).toMatch(/web on cpu-0 is at epoch 1, seq 3, not its first state/);

    const r = await resetMachine(lab);
    expect(r.leftovers).toEqual([]);
    // The first state, as a new lab has it: the plan's roles, nothing written.
    const rt = await lab.agent("cpu-0").runtime();
    expect(rt.pairs).toEqual([{ service: "web", role: "primary", epoch: 1, seq: 0 }]);
  });

  it("heals a recorded fault of every family a scenario uses, and the proof comes out empty", async () => {
    const topology = resolveTopology({ cpus: 2 }, "shared");
    const { lab } = await sharedLab({ plumbing, images: inject("images"), topology: resolveTopology({ cpus: 2 }, sharedLabId(topology)) });
    await injectFault({ kind: "cpu.kill", cpu: "cpu-1" }, lab);
    await injectFault({ kind: "plane.fail", plane: "y" }, lab);
    await injectFault({ kind: "link.toxic", plane: "x", from: "cpu-0", to: "cpu-1", toxic: { type: "timeout", timeoutMs: 0 } }, lab);
    const again = await sharedLab({ plumbing, images: inject("images"), topology: lab.topology });
    expect(again.use.reused, again.use.freshBecause).toBe(true);
    expect(again.use.reset?.healed).toBe(3);
    expect(await leftoversOf(again.lab)).toEqual([]);
  });

  it("brings a lab up fresh, and says why, when the reset cannot clear what it finds", async () => {
    const t = resolveTopology({ cpus: 2 }, "shared");
    const id = sharedLabId(t);
    const { lab } = await sharedLab({ plumbing, images: inject("images"), topology: resolveTopology({ cpus: 2 }, id) });
    // A container of the lab's that no fault recorded: nothing the reset knows removes it.
    await plumbing.container.create({ lab: id, role: "tool", name: "tool-stray", image: lab.toolImage, entrypoint: ["true"], networks: [{ network: "none" }] });
    const again = await sharedLab({ plumbing, images: inject("images"), topology: lab.topology });
    expect(again.use.reused).toBe(false);
    expect(again.use.freshBecause).toMatch(/tool container tool-stray is left/);
    expect((await plumbing.container.list(id)).map((c) => c.name)).not.toContain("tool-stray");
    await reap(plumbing, id);
    await expect(attach(plumbing, id)).rejects.toThrow(/not up/);
  });
});
