// Proof that the real pieces work together: a router (Toxiproxy) and a Node service on a
// lab network through testcontainers, toxics that act on real traffic, a kill through the
// plumbing that a client sees, and a reap that leaves nothing.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connectEngine } from "../../lab/docker/engine.js";
import { Plumbing } from "../../lab/docker/plumbing.js";
import { reap } from "../../lab/docker/reap.js";
import { CpuContainer, RouterContainer, type StartedRouterContainer } from "../../lab/testing/containers.js";
import { httpGet } from "../../lab/util/http.js";
import type { StartedTestContainer } from "testcontainers";
import { testLabId } from "./lab-ids.js";

const PROXY_PORT = 20000;
const lab = testLabId("found");
let plumbing: Plumbing;
let router: StartedRouterContainer;
let service: StartedTestContainer;
let url: string;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function medianMs(n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await httpGet(`${url}/health`);
    expect(r.status).toBe(200);
    times.push(r.ms);
  }
  return median(times);
}

beforeAll(async () => {
  const images = inject("images");
  plumbing = new Plumbing(await connectEngine());
  const net = await plumbing.network.create({ lab, role: "edge", name: "edge", internal: false });
  service = await new CpuContainer(images.cpu, lab, "svc").withNetworkMode(net.networkName).withNetworkAliases("svc").start();
  router = await new RouterContainer(images.router, lab, "router", [PROXY_PORT]).withNetworkMode(net.networkName).startRouter();
  await router.router.ensureProxy({ name: "svc", listen: `0.0.0.0:${PROXY_PORT}`, upstream: "svc:8080" });
  url = `http://127.0.0.1:${router.hostPort(PROXY_PORT)}`;
});

afterAll(async () => {
  await reap(plumbing, lab);
});

describe("router and service through testcontainers", () => {
  it("publishes only on 127.0.0.1", async () => {
    const c = await plumbing.container.inspect(router.container.getId());
    expect(c.ports.length).toBeGreaterThan(0);
    for (const p of c.ports) expect(p.hostIp).toBe("127.0.0.1");
    expect(c.labels["nonstop.lab"]).toBe(lab);
  });

  it("serves the service through the router", async () => {
    const r = await httpGet(`${url}/whoami`);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ cpu: "svc" });
  });

  it("a 100 ms latency toxic adds about 100 ms to each request", async () => {
    const before = await medianMs(15);
    const added = await (async () => {
      await using _toxic = await router.router.addToxic("svc", { type: "latency", latencyMs: 100 });
      return (await medianMs(15)) - before;
    })();
    console.log(JSON.stringify({ figure: "latency-toxic-added-ms", setMs: 100, measuredMs: Number(added.toFixed(1)), baselineMs: Number(before.toFixed(2)) }));
    expect(added).toBeGreaterThan(90);
    expect(added).toBeLessThan(250);
    // The handle healed it on scope exit: back near the baseline.
    expect(await medianMs(5)).toBeLessThan(before + 50);
  });

  it("a reset_peer toxic makes requests fail, and removing it heals", async () => {
    {
      await using _toxic = await router.router.addToxic("svc", { type: "reset_peer", timeoutMs: 0, stream: "upstream" });
      await expect(httpGet(`${url}/health`, 2_000)).rejects.toThrow(/ECONNRESET|socket hang up/);
    }
    expect((await httpGet(`${url}/health`)).status).toBe(200);
  });

  it("a timeout toxic black-holes requests until removed", async () => {
    {
      // Upstream: the request never reaches the service. (Downstream, a service that
      // answers and closes would close the client's link too, which is not a black hole.)
      await using _toxic = await router.router.addToxic("svc", { type: "timeout", timeoutMs: 0, stream: "upstream" });
      await expect(httpGet(`${url}/health`, 500)).rejects.toThrow(/no answer/);
    }
    expect((await httpGet(`${url}/health`)).status).toBe(200);
  });

  it("killing the service through the plumbing fails the client", async () => {
    expect((await httpGet(`${url}/health`)).status).toBe(200);
    await plumbing.container.kill(service.getId());
    expect((await plumbing.container.inspect(service.getId())).state).toBe("exited");
    await expect(httpGet(`${url}/health`, 2_000)).rejects.toThrow();
  });

  it("reap leaves nothing labelled for the lab", async () => {
    const r = await reap(plumbing, lab);
    expect(r.containers).toBe(2);
    expect(r.networks).toBe(1);
    expect(await plumbing.container.list(lab)).toEqual([]);
    expect(await plumbing.network.list(lab)).toEqual([]);
    expect(await plumbing.volume.list(lab)).toEqual([]);
    expect(await plumbing.labs()).not.toContain(lab);
  });
});
