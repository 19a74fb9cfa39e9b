// The console, measured in a real browser (Debian's chromium via playwright-core):
//  - its update rate: how often the page redraws the workload chart under a 2,000 ops/s
//    demo workload, and the longest pause between redraws;
//  - click to takeover: from clicking "kill" on the primary's CPU to the page showing the
//    backup as primary, N times.
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import { startConsole } from "../lab/console/server.js";
import { reap } from "../lab/docker/reap.js";
import { up } from "../lab/machine/up.js";
import { resolveTopology } from "../lab/topology/resolve.js";
import { printFigures, runsFromArgv, summarize } from "./figures.js";
import { benchLab } from "./lab.js";

const kills = runsFromArgv(5);
const rate = 2000;
const { config, plumbing, images } = await benchLab();
const lab = "bench-console";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const executablePath = ["/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
if (!executablePath) throw new Error("Debian's chromium is needed: bash scripts/ensure-browser.sh");

try {
  await up({ plumbing, images, topology: resolveTopology({ cpus: 4 }, lab), progress: () => undefined });
  const con = await startConsole({ plumbing, lab, rootDir: config.rootDir });
  const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, bypassCSP: true });
    await page.goto(`${con.url}#token=${con.token}`);
    await page.waitForSelector('[data-cpu="cpu-0"][data-status="up"]', { timeout: 20_000 });
    const post = (path: string, body: unknown) =>
      fetch(new URL(path, con.url), { method: "POST", headers: { "content-type": "application/json", "x-nonstop-token": con.token }, body: JSON.stringify(body) });
    await post("/api/workload", { action: "start", rate });
    await sleep(3000);
    // Redraws: sample the page's last-update stamp every 50 ms for 10 s.
    const stamps = new Set<string>();
    const t0 = Date.now();
    while (Date.now() - t0 < 10_000) {
      stamps.add(String(await page.evaluate("document.body.dataset.lastStats ?? ''")));
      await sleep(50);
    }
    const times = [...stamps].filter(Boolean).map(Number).sort((a, b) => a - b);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? t));
    const opsShown = Number(await page.evaluate("document.body.dataset.lastOps ?? 0"));
    await post("/api/workload", { action: "stop" });
    await post("/api/workload", { action: "start", rate: 200 });

    const shown: number[] = [];
    for (let k = 0; k < kills; k++) {
      const primary = (await page.textContent('[data-service-primary="web"]')) ?? "";
      const clicked = Date.now();
      await page.click(`[data-testid="kill-${primary}"]`);
      await page.waitForFunction(`(() => { const p = document.querySelector('[data-service-primary="web"]')?.textContent; return p && p !== "none" && p !== ${JSON.stringify(primary)}; })()`, undefined, { timeout: 20_000 });
      shown.push(Date.now() - clicked);
      await post("/api/heal", {});
      await page.waitForSelector(`[data-cpu="${primary}"][data-status="up"]`, { timeout: 30_000 });
      await sleep(1500);
    }
    printFigures("console", {
      workloadOpsPerSec: rate,
      opsPerSecShownAtEnd: opsShown,
      chartUpdatesPerSec: Math.round((times.length / 10) * 10) / 10,
      gapBetweenUpdates: summarize(gaps, "ms"),
      clickToTakeoverShown: summarize(shown, "ms"),
      note: "updates: distinct redraws of the workload chart seen by sampling the page every 50 ms for 10 s under the demo workload; click to takeover: from the click on 'kill' to the page naming the backup as primary (state is pushed every half second)",
    });
  } finally {
    await browser.close();
    await con.close();
  }
} finally {
  await reap(plumbing, lab);
}
