// A user's own Compose project under the lab: the worked example (examples/kv, an HTTP
// store on its own volume and a front door run as two replicas) brought up under the
// lab's labels, each fault kind's effect observed from outside and from inside the
// user's containers, each heal leaving the project as it was, and down leaving nothing.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import { startConsole } from "../../lab/console/server.js";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject as provided, it } from "vitest";
import { downApp, upCompose } from "../../lab/app/lifecycle.js";
import { appContainers, type AppContainer } from "../../lab/app/system.js";
import { readAppTarget } from "../../lab/app/target.js";
import type { AppFault } from "../../lab/app/faults/index.js";
import { PROJECT_ROOT } from "../../lab/config.js";
import { connectEngine } from "../../lab/docker/engine.js";
import { Plumbing } from "../../lab/docker/plumbing.js";
import { LABEL_LAB } from "../../lab/docker/labels.js";
import type { FaultTarget } from "../../lab/faults/target.js";
import { inject } from "../../lab/faults/inject.js";
import { activeFaults } from "../../lab/faults/ledger.js";
import { runCli, startCli } from "./cli.js";
import { testLabId } from "./lab-ids.js";

const lab = testLabId("kv");
const FILE = join(PROJECT_ROOT, "examples", "kv", "docker-compose.yml");
let plumbing: Plumbing;
let target: FaultTarget;

async function containers(): Promise<Map<string, AppContainer>> {
  return new Map((await appContainers(plumbing, lab)).map((c) => [c.target, c]));
}

async function container(t: string): Promise<AppContainer> {
  const c = (await containers()).get(t);
  if (!c) throw new Error(`no ${t}`);
  return c;
}

/** The front door `api` (or `api.2`) on 127.0.0.1, looked up afresh: a restarted container gets a new port. */
async function kv(t: string, key: string, init: RequestInit = {}, timeoutMs = 4000): Promise<{ status: number; body: string; ms: number }> {
  const port = (await container(t)).container.ports.find((p) => p.container === 8080)?.hostPort;
  const t0 = performance.now();
  try {
    const r = await fetch(`http://127.0.0.1:${port}/kv/${key}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    return { status: r.status, body: await r.text(), ms: performance.now() - t0 };
  } catch {
    return { status: 0, body: "", ms: performance.now() - t0 };
  }
}

/** A TCP connect from inside one of the user's containers to another's port (bash's /dev/tcp; the image has bash). */
async function reaches(from: string, to: string, port: number): Promise<boolean> {
  const ip = Object.values((await container(to)).container.addresses)[0];
  const r = await plumbing.container.exec((await container(from)).container.id, ["bash", "-c", `timeout 1 bash -c 'exec 3<>/dev/tcp/${ip}/${port}'`]);
  return r.exitCode === 0;
}

async function withFault<T>(fault: AppFault, observe: () => Promise<T>): Promise<T> {
  await using _h = await inject(fault, target);
  return await observe();
}

async function until(what: () => boolean, ms = 15_000): Promise<void> {
  const t0 = Date.now();
  while (!what()) {
    if (Date.now() - t0 > ms) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

beforeAll(async () => {
  plumbing = new Plumbing(await connectEngine());
  const images = provided("images");
  await upCompose({ plumbing, docker: plumbing.docker, file: FILE, project: lab, lab, toolImage: images.cpu, routerImage: images.router, nodeImage: images.base });
  const app = await readAppTarget(plumbing, lab);
  if (!app) throw new Error("no app lab");
  target = app.target;
  expect((await kv("api", "k1", { method: "PUT", body: "v1" })).status).toBe(204);
});

afterAll(async () => {
  await downApp(plumbing, lab);
});

describe("a user's Compose project as the system under test", () => {
  it("comes up under the lab's labels, the user's file untouched, and status lists every container with its address and port", async () => {
    const cs = await containers();
    expect([...cs.keys()]).toEqual(["api", "api.2", "store"]);
    for (const c of cs.values()) {
      expect(c.container.labels[LABEL_LAB]).toBe(lab);
      expect(c.container.state).toBe("running");
      expect(Object.keys(c.container.addresses).length).toBeGreaterThan(0);
    }
    const net = await plumbing.docker.getNetwork(`${lab}_default`).inspect();
    expect((net as { Labels?: Record<string, string> }).Labels?.[LABEL_LAB]).toBe(lab);
    const vol = await plumbing.docker.getVolume(`${lab}_store-data`).inspect();
    expect(vol.Labels[LABEL_LAB]).toBe(lab);
    expect(execFileSync("git", ["status", "--porcelain", FILE], { cwd: PROJECT_ROOT }).toString()).toBe("");

    const status = await runCli(["status", "--lab", lab]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/api\.2\s+\S+-api-2\s+running\s+healthy\s+\d+\.\d+\.\d+\.\d+ \(\S+\)\s+127\.0\.0\.1:\d+->8080/);
  });

  it("net.delay: the delay set is the delay a client measures, and the heal takes it away", async () => {
    const timed = async () => {
      const ms: number[] = [];
      for (let i = 0; i < 7; i++) ms.push((await kv("api", "k1")).ms);
      return median(ms);
    };
    const before = await timed();
    // The store's answers are held 250 ms: each request through the front door waits for one.
    const during = await withFault({ kind: "net.delay", target: "store", ms: 250, jitterMs: 0 }, timed);
    const after = await timed();
    expect(during - before).toBeGreaterThan(200);
    expect(during - before).toBeLessThan(450);
    expect(after).toBeLessThan(before + 100);
  });

  it("net.partition cuts the groups apart as seen from both sides, leaves the rest alone, and heals", async () => {
    expect(await reaches("api", "store", 7000)).toBe(true);
    const seen = await withFault({ kind: "net.partition", groups: [["api"], ["store"]] }, async () => ({
      apiToStore: await reaches("api", "store", 7000),
      storeToApi: await reaches("store", "api", 8080),
      otherReplica: await reaches("api.2", "store", 7000),
      throughApi: (await kv("api", "k1", {}, 5000)).status,
    }));
    expect(seen).toEqual({ apiToStore: false, storeToApi: false, otherReplica: true, throughApi: 503 });
    expect(await reaches("api", "store", 7000)).toBe(true);
    expect(await reaches("store", "api", 8080)).toBe(true);
  });

  it("net.loss of every packet fails requests; container.pause freezes one replica and not the other", async () => {
    const lost = await withFault({ kind: "net.loss", target: "store", percent: 100 }, () => kv("api", "k1", {}, 5000));
    expect(lost.status).toBe(503);
    const paused = await withFault({ kind: "container.pause", target: "api" }, async () => ({ state: (await container("api")).container.state, one: (await kv("api", "k1", {}, 1000)).status, two: (await kv("api.2", "k1")).status }));
    expect(paused).toEqual({ state: "paused", one: 0, two: 200 });
    expect((await kv("api", "k1")).status).toBe(200);
  });

  it("link.latency puts a router between one replica and the store: that replica is slow, the other is not, and the heal removes the router", async () => {
    const ms = async (t: string) => median(await Promise.all([0, 1, 2, 3, 4].map(async () => (await kv(t, "k1")).ms)));
    const seen = await withFault({ kind: "link.toxic", from: "api", to: "store:7000", toxic: { type: "latency", latencyMs: 300, jitterMs: 0 } }, async () => ({ one: await ms("api"), two: await ms("api.2"), routers: (await plumbing.container.list(lab, "router")).length }));
    expect(seen.one).toBeGreaterThan(280);
    expect(seen.two).toBeLessThan(150);
    expect(seen.routers).toBe(1);
    expect(await plumbing.container.list(lab, "router")).toEqual([]);
    expect((await kv("api", "k1")).ms).toBeLessThan(150);
  });

  it("process.kill of the store's node takes its container down; the heal brings it back healthy, with its acknowledged write", async () => {
    const down = await withFault({ kind: "process.kill", target: "store", name: "node", signal: "KILL" }, async () => {
      await new Promise((r) => setTimeout(r, 500));
      return (await container("store")).container.state;
    });
    expect(down).toBe("exited");
    expect((await container("store")).container.health).toBe("healthy");
    expect(await kv("api", "k1")).toMatchObject({ status: 200, body: "v1" });
  });

  it("disk.corrupt flips bytes of a file on the store's volume, and the heal puts back exactly what was there", async () => {
    const sum = async () => (await plumbing.container.exec((await container("store")).container.id, ["md5sum", "/data/kv.log"])).stdout.split(" ")[0];
    const before = await sum();
    const during = await withFault({ kind: "disk.corrupt", target: "store", path: "/data/kv.log", bytes: 4, seed: 3 }, sum);
    expect(during).not.toBe(before);
    expect(await sum()).toBe(before);
  });

  it("leaves no helper and no fault behind; a bad target is one line, exit 2, and touches nothing", async () => {
    expect(await plumbing.container.list(lab, "tool")).toEqual([]);
    expect(await activeFaults(plumbing, lab)).toEqual([]);
    const bad = await runCli(["fault", "container.kill", "db", "--lab", lab]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(`nonstop: fault.target: no service 'db' in project ${lab}; services: api, store`);
    const machineKind = await runCli(["fault", "cpu.kill", "cpu-0", "--lab", lab]);
    expect(machineKind.code).toBe(2);
    expect(machineKind.stderr).toMatch(/'cpu\.kill' is a fault of the Tandem machine; .* kinds are: container\.kill,/);
    expect(await activeFaults(plumbing, lab)).toEqual([]);
  });

  it("a fault held by a CLI killed with SIGKILL is listed and healed by 'nonstop heal' from another process", async () => {
    const holder = startCli(["fault", "net.delay", "store", "--ms", "200", "--for", "60s", "--lab", lab]);
    let out = "";
    holder.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    await until(() => out.includes("holding for"));
    holder.kill("SIGKILL");
    await new Promise((r) => holder.on("close", r));
    // Nothing healed it: the fault is still in force, recorded, and its helper still runs.
    expect((await runCli(["faults", "--lab", lab])).stdout).toMatch(/net\.delay store 200ms/);
    expect((await plumbing.container.list(lab, "tool")).length).toBe(1);
    expect((await kv("api", "k1")).ms).toBeGreaterThan(180);
    const healed = await runCli(["heal", "--lab", lab]);
    expect(healed.code, healed.stderr).toBe(0);
    expect(await plumbing.container.list(lab, "tool")).toEqual([]);
    expect((await kv("api", "k1")).ms).toBeLessThan(150);
  });
});

describe("the live console on a Compose project", () => {
  it("draws a box per container with its state and health, and a click pauses one and heals it", async () => {
    const con = await startConsole({ plumbing, lab, rootDir: PROJECT_ROOT });
    const chromiumPath = ["/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
    expect(chromiumPath, "Debian's chromium is needed (scripts/ensure-browser.sh installs it)").toBeDefined();
    const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
    try {
      const state = (await (await fetch(`${con.url}api/state`)).json()) as { app?: { containers: { target: string }[] } };
      expect(state.app?.containers.map((c) => c.target)).toEqual(["api", "api.2", "store"]);
      const page = await browser.newPage();
      await page.goto(`${con.url}#token=${con.token}`);
      await page.waitForSelector('[data-container="api.2"][data-status="up"]', { timeout: 15_000 });
      await page.click('[data-testid="pause-api.2"]');
      await page.waitForSelector('[data-container="api.2"][data-status="paused"]', { timeout: 10_000 });
      expect((await container("api.2")).container.state).toBe("paused");
      await page.click("text=heal all");
      await page.waitForSelector('[data-container="api.2"][data-status="up"]', { timeout: 20_000 });
      expect(await activeFaults(plumbing, lab)).toEqual([]);
    } finally {
      await browser.close();
      await con.close();
    }
  });
});

describe("a project the lab did not start", () => {
  it("is adopted by attach, its faults heal on down, and down leaves it running with nothing of the lab's", async () => {
    const project = testLabId("adopt");
    const file = join(PROJECT_ROOT, "test", "fixtures", "adopt.compose.yml");
    const env = { ...process.env, NONSTOP_TOOL_IMAGE: provided("images").cpu };
    execFileSync("docker", ["compose", "-p", project, "-f", file, "up", "-d"], { env, stdio: "ignore" });
    try {
      const attached = await runCli(["attach", "--compose-project", project]);
      expect(attached.code, attached.stderr).toBe(0);
      expect(attached.stdout).toMatch(/adopted/);
      const paused = await runCli(["fault", "container.pause", "idle", "--lab", project]);
      expect(paused.code, paused.stderr).toBe(0);
      const down = await runCli(["down", "--lab", project]);
      expect(down.code, down.stderr).toBe(0);
      const [c] = await appContainers(plumbing, project);
      expect(c?.container.state).toBe("running");
      expect(await plumbing.container.list(project)).toEqual([]);

      // Adopted again, paused by a CLI that is then killed with SIGKILL: reap alone, from
      // the labels, unpauses the user's container before it removes the lab's record.
      expect((await runCli(["attach", "--compose-project", project])).code).toBe(0);
      const holder = startCli(["fault", "container.pause", "idle", "--for", "60s", "--lab", project]);
      let out = "";
      holder.stdout?.on("data", (d: Buffer) => (out += d.toString()));
      await until(() => out.includes("holding for"));
      holder.kill("SIGKILL");
      await new Promise((r) => holder.on("close", r));
      expect((await appContainers(plumbing, project))[0]?.container.state).toBe("paused");
      const reaped = await runCli(["reap", "--lab", project]);
      expect(reaped.code, reaped.stderr).toBe(0);
      expect((await appContainers(plumbing, project))[0]?.container.state).toBe("running");
      expect(await plumbing.container.list(project)).toEqual([]);
    } finally {
      execFileSync("docker", ["compose", "-p", project, "-f", file, "down", "--timeout", "1"], { env, stdio: "ignore" });
    }
  });
});
