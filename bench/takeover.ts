// Takeover under load: kill the CPU that holds the web primary, N times, under an open-loop
// write workload, and measure per kill: the client-observed failover gap, the time from
// the kill to the takeover and to re-protection (from the runtime's events). Also the
// checkpoint's cost on write latency: a protected pair against a lone primary.
import { failoverGap, latency } from "../lab/checks/index.js";
import { faultGaps } from "../lab/checks/failover-gap.js";
import { configFromEnv } from "../lab/config.js";
import { connectEngine } from "../lab/docker/engine.js";
import { Plumbing } from "../lab/docker/plumbing.js";
import { reap } from "../lab/docker/reap.js";
import { faultContext } from "../lab/faults/context.js";
import { inject } from "../lab/faults/inject.js";
import { HistoryRecorder } from "../lab/history/recorder.js";
import type { RuntimeEventEntry } from "../lab/history/types.js";
import { ensureConfiguredImages } from "../lab/images/build.js";
import { up } from "../lab/machine/up.js";
import { RuntimeEventPump } from "../lab/scenario/runtime-events.js";
import { resolveTopology } from "../lab/topology/resolve.js";
import { httpJson, waitFor } from "../lab/util/http.js";
import { HttpClient } from "../lab/workload/http-client.js";
import { OpenLoop } from "../lab/workload/open-loop.js";
import { printFigures, runsFromArgv, summarize } from "./figures.js";

const kills = runsFromArgv(20);
const rate = 200;
const config = configFromEnv();
const docker = await connectEngine({ host: config.dockerHost });
const plumbing = new Plumbing(docker);
const { images } = await ensureConfiguredImages(docker, config);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function writer(url: string): HttpClient {
  return new HttpClient({
    baseUrl: () => url,
    request: (op) => ({ method: "POST", path: `/add?v=${String(op.value)}` }),
    parse: (_s, body) => ({ node: (JSON.parse(body) as { cpu: string }).cpu }),
    timeoutMs: 1000,
  });
}

/** p50 write latency over a few seconds on a fresh lab of `cpus` CPUs. */
async function writeLatency(cpus: number): Promise<number | null> {
  const lab = `bench-ckpt-${cpus}`;
  try {
    const s = await up({ plumbing, images, topology: resolveTopology({ cpus }, lab), progress: () => undefined });
    const rec = new HistoryRecorder();
    const client = writer(s.services[0]?.url ?? "");
    const load = new OpenLoop(client, rec, { rate: 100, op: (i) => ({ f: "add", value: `w${i}` }) }).start();
    await sleep(4000);
    await load.stop();
    await client.close();
    return latency.run(rec.entries).figures.p50 ?? null;
  } finally {
    await reap(plumbing, lab);
  }
}

const lab = "bench-takeover";
const gaps: number[] = [];
const toTakeover: number[] = [];
const toReprotected: number[] = [];
try {
  const s = await up({ plumbing, images, topology: resolveTopology({ cpus: 4 }, lab), progress: () => undefined });
  const url = s.services[0]?.url ?? "";
  const ctx = await faultContext(plumbing, lab);
  const rec = new HistoryRecorder();
  const pump = new RuntimeEventPump(ctx, rec).start(100);
  const client = writer(url);
  const load = new OpenLoop(client, rec, { rate, op: (i) => ({ f: "add", value: `k${i}` }) }).start();
  await sleep(1500);
  for (let k = 0; k < kills; k++) {
    const primary = await waitFor("the service to name its primary", () => httpJson<{ cpu: string; role: string }>(`${url}/whoami`, 1000).then((w) => (w.role === "primary" ? w.cpu : undefined)), 20_000, 100);
    const issued = rec.now();
    const h = await inject({ kind: "cpu.kill", cpu: primary }, ctx, {
      onEvent: (e) => rec.add({ type: "fault", event: e.type === "fault.inject" ? "inject" : "heal", id: e.id, kind: e.fault.kind, description: e.description }, rec.fromWall(e.time)),
    });
    await sleep(2500);
    await pump.poll();
    const ev = rec.entries.filter((e): e is RuntimeEventEntry => e.type === "event" && e.time >= issued);
    const t = ev.find((e) => e.name === "pair.takeover");
    const r = t ? ev.find((e) => e.name === "pair.reprotected" && e.time >= t.time) : undefined;
    if (t) toTakeover.push((t.time - issued) / 1000);
    if (r) toReprotected.push((r.time - issued) / 1000);
    await h.heal();
    await sleep(1000);
  }
  await load.stop();
  await pump.stop();
  await client.close();
  for (const g of faultGaps(rec.entries)) if (g.gapMs !== null) gaps.push(g.gapMs);
  const unrecovered = failoverGap.run(rec.entries).figures.unrecovered;
  const withBackup = await writeLatency(4);
  const alone = await writeLatency(1);
  printFigures("takeover", {
    kills,
    loadOpsPerSec: rate,
    heartbeat: { periodMs: 50, missed: 2 },
    clientGap: summarize(gaps, "ms"),
    killToTakeover: summarize(toTakeover, "ms"),
    killToReprotected: summarize(toReprotected, "ms"),
    unrecovered,
    writeP50: { withBackupMs: withBackup, loneprimaryMs: alone, checkpointOverheadMs: withBackup !== null && alone !== null ? Math.round((withBackup - alone) * 100) / 100 : null },
    note: "clientGap: fault issued to first successful write after the outage (keep-alive HTTP, 1 s client timeout); killTo*: from the runtime's own events",
  });
} finally {
  await reap(plumbing, lab);
}
