// The machine on Swarm: a single-node swarm on this engine (CI makes one; so does this file
// when there is none, and leaves it after). The lab comes up as a stack and goes with
// nothing left; two scenarios run unchanged on it.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connectEngine } from "../../lab/docker/engine.js";
import { Plumbing } from "../../lab/docker/plumbing.js";
import { up } from "../../lab/machine/up.js";
import { httpGet } from "../../lab/util/http.js";
import { writeReports } from "../../lab/report/write.js";
import { runScenario } from "../../lab/scenario/run.js";
import { resolveTopology } from "../../lab/topology/resolve.js";
import { SCENARIOS } from "../../scenarios/index.js";
import { singleNodeSwarm } from "../../lab/swarm/single-node.js";
import { testLabId } from "../integration/lab-ids.js";

let plumbing: Plumbing;
let leave: () => Promise<void> = () => Promise.resolve();

beforeAll(async () => {
  plumbing = new Plumbing(await connectEngine());
  leave = await singleNodeSwarm(plumbing);
});

afterAll(() => leave());

/** Everything a lab could have left on a manager: containers, networks, volumes, services, configs. */
async function leftovers(lab: string): Promise<string[]> {
  const [c, n, v, s, k] = await Promise.all([plumbing.container.listed(lab), plumbing.network.list(lab), plumbing.volume.list(lab), plumbing.swarm.services(lab), plumbing.swarm.configs(lab)]);
  return [...c.map((x) => `container ${x.name}`), ...n.map((x) => `network ${x.networkName}`), ...v.map((x) => `volume ${x.volumeName}`), ...s.map((x) => `service ${x.name}`), ...k.map((x) => `config ${x.name}`)];
}

describe("the machine on a single-node swarm", () => {
  it("comes up as a stack, serves through the gate on 127.0.0.1, restarts a CPU as a new task, refuses what Swarm cannot do, and goes with nothing left", async () => {
    const lab = testLabId("swarm");
    const started = await up({ plumbing, images: inject("images"), topology: resolveTopology({}, lab), progress: () => undefined, swarm: {} });
    try {
      const s = await started.status({ live: true });
      expect(s.engine).toBe("swarm");
      expect(s.cpus.map((c) => c.health)).toEqual(["healthy", "healthy", "healthy", "healthy"]);
      expect(s.routers.every((r) => r.health === "healthy" && r.apiUrl?.startsWith("http://127.0.0.1:"))).toBe(true);
      expect((await plumbing.swarm.services(lab)).length).toBe(7);
      // Every task's image by ID, which a node never tries to pull from a registry.
      const specs = (await plumbing.docker.listServices({ filters: { label: [`nonstop.lab=${lab}`] } })) as { Spec?: { TaskTemplate?: { ContainerSpec?: { Image?: string } } } }[];
      expect(specs.map((x) => x.Spec?.TaskTemplate?.ContainerSpec?.Image?.slice(0, 7))).toEqual(Array(7).fill("sha256:"));
      const web = s.services[0];
      expect(web?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const who = JSON.parse((await httpGet(`${web?.url ?? ""}/whoami`)).body) as { cpu: string; role: string };
      expect(who).toMatchObject({ cpu: web?.primary, role: "primary" });
      // Nothing of the stack is published on any address: the gate alone publishes, on loopback.
      const published = (await plumbing.container.list(lab)).flatMap((c) => c.ports.map((p) => `${c.role}:${p.hostIp}`));
      expect(new Set(published)).toEqual(new Set(["gate:127.0.0.1"]));

      await using faults = started.faults();
      await expect(faults.inject({ kind: "node.isolate", cpu: "cpu-1", planes: ["x"] })).rejects.toThrow(/node.isolate does not work on Swarm/);
      // A restarted CPU comes back as a new task (its ended task's container would have lost its networks).
      const before = await started.parts.locate("cpu-3");
      const restart = await faults.inject({ kind: "cpu.restart", cpu: "cpu-3" });
      await restart.heal();
      expect((await started.parts.locate("cpu-3")).id).not.toBe(before.id);
      expect((await started.status()).cpus.find((c) => c.name === "cpu-3")?.health).toBe("healthy");
    } finally {
      await started.down();
    }
    expect(await leftovers(lab)).toEqual([]);
  });

  for (const name of ["pair-kill", "plane-fail"]) {
    const s = SCENARIOS.find((x) => x.name === name);
    it(`${name} runs unchanged on Swarm: ${s?.claim ?? ""}`, async () => {
      if (!s) throw new Error(`no scenario ${name}`);
      const dir = `reports/scenarios/swarm-${name}`;
      const r = await runScenario(s, { plumbing, images: inject("images"), reportDir: dir, swarm: {} });
      await writeReports(r, dir);
      expect(r.ok, r.summary).toBe(true);
      expect(r.status).not.toBe("aborted");
      expect(await leftovers(r.lab)).toEqual([]);
    });
  }
});
