// The live console against a real lab, in a real browser (Debian's chromium, driven by
// playwright-core): open it, start the demo workload, click "kill" on the primary's CPU,
// and see the CPU marked down, the backup marked primary and the traffic chart recover.
// Also: control actions without the token, or from a foreign Origin or Host, are refused.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { request } from "node:http";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { configFromEnv } from "../../lab/config.js";
import { startConsole, type RunningConsole } from "../../lab/console/server.js";
import { connectEngine } from "../../lab/docker/engine.js";
import { Plumbing } from "../../lab/docker/plumbing.js";
import { reap } from "../../lab/docker/reap.js";
import { activeFaults } from "../../lab/faults/ledger.js";
import { up } from "../../lab/machine/up.js";
import { resolveTopology } from "../../lab/topology/resolve.js";
import { testLabId } from "./lab-ids.js";

const lab = testLabId("console");
let plumbing: Plumbing;
let con: RunningConsole;
let browser: Browser | undefined;

function raw(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  const u = new URL(path, con.url);
  return new Promise((resolve, reject) => {
    const r = request({ host: "127.0.0.1", port: Number(u.port), path: u.pathname + u.search, method: opts.method ?? "GET", headers: opts.headers ?? {} }, (res) => {
      let b = "";
      res.on("data", (c: Buffer) => (b += c.toString("utf8")));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: b }));
    });
    r.on("error", reject);
    r.end(opts.body);
  });
}

const chromiumPath = ["/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));

beforeAll(async () => {
  plumbing = new Plumbing(await connectEngine());
  await up({ plumbing, images: inject("images"), topology: resolveTopology({}, lab), progress: () => undefined });
  con = await startConsole({ plumbing, lab, rootDir: configFromEnv().rootDir });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await con.close();
  await reap(plumbing, lab);
}, 60_000);

describe("the live console", () => {
  it("binds 127.0.0.1 and serves the page and the state without a token", async () => {
    expect(con.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await raw("/", {});
    expect(page.status).toBe(200);
    expect(page.body).toContain(".uplot"); // uPlot's stylesheet, inlined: no CDN
    const state = JSON.parse((await raw("/api/state", {})).body) as { cpus: unknown[]; services: { primary: string }[] };
    expect(state.cpus).toHaveLength(4);
    expect(state.services[0]?.primary).toBe("cpu-0");
  });

  it("refuses control actions without the token, from a foreign Origin, or to a foreign Host", async () => {
    const kill = JSON.stringify({ kind: "cpu.kill", cpu: "cpu-3" });
    const json = { "content-type": "application/json" };
    expect((await raw("/api/fault", { method: "POST", headers: json, body: kill })).status).toBe(401);
    expect((await raw("/api/fault", { method: "POST", headers: { ...json, "x-nonstop-token": "guess" }, body: kill })).status).toBe(401);
    expect((await raw("/api/fault", { method: "POST", headers: { ...json, "x-nonstop-token": con.token, origin: "http://evil.example" }, body: kill })).status).toBe(403);
    expect((await raw("/api/state", { headers: { host: "evil.example" } })).status).toBe(421);
    expect(await activeFaults(plumbing, lab)).toEqual([]);
    const bad = await raw("/api/fault", { method: "POST", headers: { ...json, "x-nonstop-token": con.token }, body: JSON.stringify({ kind: "cpu.kill", cpu: "cpu-9" }) });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain("cpu-9");
  });

  it("shows a kill, the takeover and the traffic recovering, in a real browser", async () => {
    expect(chromiumPath, "Debian's chromium is needed (scripts/ensure-browser.sh installs it)").toBeDefined();
    browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
    // bypassCSP lets the test's own probes (strings, below) run; the page itself needs no eval.
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, bypassCSP: true });
    await page.goto(`${con.url}#token=${con.token}`);
    await page.waitForSelector('[data-cpu="cpu-0"][data-status="up"]', { timeout: 15_000 });
    // Wait for the start's answer too: if the workload could not start, say why here.
    const [started] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/api/workload")), page.click("#wl-start")]);
    expect(started.status(), await started.text()).toBe(200);
    // Expressions run in the page (strings: this file is compiled without the DOM's types).
    await page.waitForFunction("Number(document.body.dataset.lastOps ?? 0) > 50", undefined, { timeout: 15_000 });
    const primary = await page.textContent('[data-service-primary="web"]');
    expect(primary).toBe("cpu-0");

    const clicked = Date.now();
    await page.click('[data-testid="kill-cpu-0"]');
    await page.waitForSelector('[data-cpu="cpu-0"][data-status="down"]', { timeout: 10_000 });
    await page.waitForFunction(`document.querySelector('[data-service-primary="web"]')?.textContent === "cpu-1"`, undefined, { timeout: 15_000 }).catch(async (err: unknown) => {
      // Say what the machine and the page showed, so a failure here can be diagnosed.
      const shown = await page.textContent('[data-service-primary="web"]').catch(() => "?");
      const state = await raw("/api/state", {}).then((r) => r.body.slice(0, 1500), (e: unknown) => String(e));
      throw new Error(`the page still names ${shown ?? "nobody"} as the web primary ${Date.now() - clicked} ms after the kill; /api/state: ${state}; ${String(err)}`);
    });
    const shownMs = Date.now() - clicked;
    // The traffic chart recovers: writes succeed again after the takeover.
    await page.waitForFunction(`Number(document.body.dataset.lastStats ?? 0) > ${clicked + 500} && Number(document.body.dataset.lastOps ?? 0) > 50`, undefined, { timeout: 10_000 });
    await page.waitForSelector('#events li.takeover', { timeout: 10_000 });
    await mkdir("reports/console", { recursive: true });
    await page.screenshot({ path: "reports/console/console-after-kill.png", fullPage: true });
    process.stderr.write(`console: click to the page showing the takeover: ${shownMs} ms\n`);
    expect(shownMs).toBeLessThan(10_000);
  }, 90_000);
});
