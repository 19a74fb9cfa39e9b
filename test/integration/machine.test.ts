// The Tandem machine as containers: every CPU reaches every other over both planes through
// the routers; a dead plane router leaves the other plane carrying everything.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connectEngine } from "../../lab/docker/engine.js";
import { Plumbing, dockerName } from "../../lab/docker/plumbing.js";
import { reap } from "../../lab/docker/reap.js";
import { up } from "../../lab/machine/up.js";
import type { MachineStatus } from "../../lab/machine/status.js";
import { resolveTopology } from "../../lab/topology/resolve.js";
import type { PlaneName } from "../../lab/topology/types.js";
import { httpJson } from "../../lab/util/http.js";
import type { PingResult } from "../../runtime/agent/planes.js";
import { testLabId } from "./lab-ids.js";

const lab = testLabId("machine");
let plumbing: Plumbing;
let status: MachineStatus;

async function pings(s: MachineStatus, plane: PlaneName): Promise<PingResult[]> {
  const all = await Promise.all(s.cpus.map((c) => httpJson<PingResult[]>(`${c.agentUrl}/ping?plane=${plane}&timeoutMs=1000`)));
  return all.flat();
}

function summary(results: PingResult[]): { ok: number; failed: number } {
  return { ok: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).length };
}

beforeAll(async () => {
  plumbing = new Plumbing(await connectEngine());
  status = await (await up({ plumbing, images: inject("images"), topology: resolveTopology({}, lab), progress: () => undefined })).status({ live: true });
});

afterAll(async () => {
  await reap(plumbing, lab);
});

describe("the machine", () => {
  it("has 4 healthy CPUs, 3 routers and the web service behind the edge router", async () => {
    expect(status.cpus.map((c) => [c.name, c.health])).toEqual([
      ["cpu-0", "healthy"],
      ["cpu-1", "healthy"],
      ["cpu-2", "healthy"],
      ["cpu-3", "healthy"],
    ]);
    expect(status.routers.map((r) => r.name).sort()).toEqual(["router-edge", "router-x", "router-y"]);
    // Through the edge router to the service address: the primary answers.
    expect(await httpJson<{ cpu: string; role: string }>(`${status.services[0]?.url}/whoami`)).toMatchObject({ cpu: "cpu-0", role: "primary" });
    const who = await httpJson<{ cpu: string; addresses: Record<string, string>; disks: Record<string, boolean> }>(`${status.cpus[0]?.agentUrl}/whoami`);
    expect(who.cpu).toBe("cpu-0");
    expect(Object.keys(who.addresses).sort()).toEqual(["edge", "x", "y"]);
    expect(new Set(Object.values(who.addresses)).size).toBe(3);
    expect(who.disks).toEqual({ "mirror-a": true, "mirror-b": true });
  });

  it("keeps the planes internal and publishes only on 127.0.0.1", async () => {
    const nets = await plumbing.network.list(lab);
    expect(nets.filter((n) => n.internal).map((n) => n.networkName).sort()).toEqual([dockerName(lab, "servernet-x"), dockerName(lab, "servernet-y")]);
    for (const c of await plumbing.container.list(lab)) for (const p of c.ports) expect(p.hostIp).toBe("127.0.0.1");
  });

  it("mounts every mirror into every CPU (multiported)", async () => {
    for (const c of await plumbing.container.list(lab, "cpu")) {
      const info = await plumbing.docker.getContainer(c.id).inspect();
      expect(info.Mounts.map((m) => m.Name).sort()).toEqual([dockerName(lab, "mirror-a"), dockerName(lab, "mirror-b")]);
      expect(info.HostConfig.Privileged).toBe(false);
      // Half a core, of a 10 ms period (lab/docker/plumbing.ts, cfsQuota).
      expect([info.HostConfig.CpuQuota, info.HostConfig.CpuPeriod]).toEqual([5000, 10000]);
    }
  });

  it("each CPU reaches every other over x and over y, through the routers", async () => {
    for (const plane of ["x", "y"] as const) {
      const r = await pings(status, plane);
      expect(r).toHaveLength(12);
      expect(r.filter((p) => !p.ok)).toEqual([]);
      for (const p of r) expect(p.answeredBy).toBe(p.to);
    }
  });

  it("with router-x killed every link still works over y, and x works again once restored", async () => {
    const routerX = await plumbing.container.inspect(dockerName(lab, "router-x"));
    await plumbing.container.kill(routerX.id);
    expect(summary(await pings(status, "x"))).toEqual({ ok: 0, failed: 12 });
    expect(summary(await pings(status, "y"))).toEqual({ ok: 12, failed: 0 });

    // `up` is idempotent: it restarts the router and reloads its proxies.
    status = await (await up({ plumbing, images: inject("images"), topology: resolveTopology({}, lab), progress: () => undefined })).status({ live: true });
    expect(summary(await pings(status, "x"))).toEqual({ ok: 12, failed: 0 });
  });
});
