// The plumbing's verbs against the real engine: labelled create, lookup by label, kill,
// pause, network connect/disconnect, and Docker events as an async iterable.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connectEngine } from "../../lab/docker/engine.js";
import { Plumbing, dockerName, type LabEvent } from "../../lab/docker/plumbing.js";
import { reap } from "../../lab/docker/reap.js";
import { testLabId } from "./lab-ids.js";

const lab = testLabId("plumb");
let plumbing: Plumbing;
let id: string;

beforeAll(async () => {
  plumbing = new Plumbing(await connectEngine());
  await plumbing.network.create({ lab, role: "net", name: "a", internal: true });
  await plumbing.network.create({ lab, role: "net", name: "b", internal: false });
  await plumbing.volume.create({ lab, role: "disk", name: "d" });
  const c = await plumbing.container.run({
    lab,
    role: "cpu",
    name: "cpu-0",
    image: inject("images").cpu,
    networks: [{ network: dockerName(lab, "b") }, { network: dockerName(lab, "a"), aliases: ["zero-a"] }],
    mounts: [{ volume: dockerName(lab, "d"), target: "/d" }],
    publish: [8080],
  });
  id = c.id;
});

afterAll(async () => {
  await reap(plumbing, lab);
});

describe("plumbing", () => {
  it("creates labelled resources and finds them by label", async () => {
    const [c] = await plumbing.container.list(lab, "cpu");
    expect(c).toMatchObject({ name: "cpu-0", lab, role: "cpu", state: "running" });
    expect(Object.keys(c?.addresses ?? {}).sort()).toEqual([dockerName(lab, "a"), dockerName(lab, "b")]);
    expect((await plumbing.network.list(lab)).map((n) => [n.networkName, n.internal]).sort()).toEqual([
      [dockerName(lab, "a"), true],
      [dockerName(lab, "b"), false],
    ]);
    expect((await plumbing.volume.list(lab)).map((v) => v.volumeName)).toEqual([dockerName(lab, "d")]);
    expect(await plumbing.labs()).toContain(lab);
  });

  it("pauses, resumes, disconnects and reconnects, and streams the events as they happen", async () => {
    const ac = new AbortController();
    const seen: LabEvent[] = [];
    const reading = (async () => {
      for await (const ev of plumbing.events({ lab, signal: ac.signal })) {
        seen.push(ev);
        if (ev.action === "die") ac.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 200));

    await plumbing.container.pause(id);
    expect((await plumbing.container.inspect(id)).state).toBe("paused");
    await plumbing.container.pause(id); // idempotent
    await plumbing.container.unpause(id);
    await plumbing.container.unpause(id);
    expect((await plumbing.container.inspect(id)).state).toBe("running");

    await plumbing.network.disconnect(dockerName(lab, "a"), id);
    expect(Object.keys((await plumbing.container.inspect(id)).addresses)).toEqual([dockerName(lab, "b")]);
    await plumbing.network.disconnect(dockerName(lab, "a"), id); // idempotent
    await plumbing.network.connect(dockerName(lab, "a"), id, ["zero-a"]);
    expect(Object.keys((await plumbing.container.inspect(id)).addresses).length).toBe(2);

    await plumbing.container.kill(id);
    await reading;
    const actions = seen.filter((e) => e.type === "container").map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["pause", "unpause", "kill", "die"]));
    for (const e of seen) {
      expect(e.lab).toBe(lab);
      expect(e.time).toBeGreaterThan(Date.now() - 60_000);
    }
    const kill = seen.find((e) => e.action === "kill");
    expect(kill).toMatchObject({ name: "cpu-0", role: "cpu" });
    await plumbing.container.kill(id); // killing a dead container is not an error
  });
});
