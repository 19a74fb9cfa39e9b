// Starts a scenario's workloads, one open loop per service, each with the client that
// speaks its protocol, and ends each with the final read its checks compare against:
// the web service's read-all through the edge, or the service's truth (what its pair
// holds) read from the primary's agent.
import type { HistoryRecorder } from "../history/recorder.js";
import type { FaultContext } from "../faults/context.js";
import type { MachineStatus } from "../machine/status.js";
import type { Topology } from "../topology/types.js";
import { httpGet } from "../util/http.js";
import { DownloadsClient, downloadFor } from "../workload/clients/downloads.js";
import { FilesClient, fileWriteFor } from "../workload/clients/files.js";
import { MailClient, mailFor } from "../workload/clients/mail.js";
import { SessionClient, sessionOpFor } from "../workload/clients/session.js";
import { TransactionsClient, orderFor } from "../workload/clients/transactions.js";
import { HttpClient } from "../workload/http-client.js";
import { OpenLoop } from "../workload/open-loop.js";
import { opFor, parseReply, requestFor, writes } from "../workload/service-ops.js";
import type { Client, Operation } from "../workload/types.js";
import type { WorkloadSpec } from "./define.js";

export interface RunningWorkload {
  spec: WorkloadSpec;
  load: OpenLoop;
  client: Client;
  /** After the load stopped: the final read (none for a read-only web workload). */
  finish(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Process numbers: each workload its own range, and final reads far above them all. */
const PROCESSES_PER_WORKLOAD = 100_000;
const FINAL_READS = 1_000_000;

/**
 * The truth at the end: what the web service holds, read through the edge like any
 * client. Retried for a while, since the machine may still be settling after the last heal.
 */
async function finalReadAll(recorder: HistoryRecorder, url: string, service: string | undefined): Promise<void> {
  const tag = service ? { service } : {};
  for (let attempt = 0; attempt < 40; attempt++) {
    const proc = FINAL_READS + attempt;
    recorder.add({ type: "invoke", process: proc, f: "read-all", ...tag });
    const t0 = recorder.now();
    try {
      const r = await httpGet(`${url}/all`, 2000);
      if (r.status === 200) {
        const items = (JSON.parse(r.body) as { items?: unknown }).items;
        recorder.add({ type: "ok", process: proc, f: "read-all", value: items, latency: recorder.now() - t0, ...tag });
        return;
      }
      recorder.add({ type: "fail", process: proc, f: "read-all", error: `HTTP ${r.status}`, latency: recorder.now() - t0, ...tag });
    } catch (err) {
      recorder.add({ type: "fail", process: proc, f: "read-all", error: err instanceof Error ? err.message : String(err), latency: recorder.now() - t0, ...tag });
    }
    await sleep(250);
  }
}

/**
 * A service's truth, from the CPU that is its primary now: the state its pair holds (for a
 * write-back file service, with what its cache still holds). Recorded as an "truth" op.
 */
async function finalTruth(recorder: HistoryRecorder, ctx: FaultContext, topology: Topology, service: string, k: number, settled: (truth: unknown) => boolean = () => true): Promise<void> {
  const proc = FINAL_READS + 1000 * (k + 1);
  const t0 = recorder.now();
  recorder.add({ type: "invoke", process: proc, f: "truth", service });
  let last: { truth: unknown; cpu: string } | undefined;
  for (let attempt = 0; attempt < 40; attempt++) {
    for (const c of topology.cpus) {
      const b = await ctx.agent(c.name).serviceState(service, 1000).catch(() => undefined);
      if (b?.role === "primary") last = b;
    }
    // Still working off what the last operations left it (mail still in the queue): ask
    // again shortly, and in the end take what it holds.
    if (last && settled(last.truth)) break;
    await sleep(250);
  }
  if (last) recorder.add({ type: "ok", process: proc, f: "truth", value: last.truth, node: last.cpu, latency: recorder.now() - t0, service });
  else recorder.add({ type: "fail", process: proc, f: "truth", error: "no primary answered", latency: recorder.now() - t0, service });
}

export interface WorkloadContext {
  status: MachineStatus;
  recorder: HistoryRecorder;
  ctx: FaultContext;
  topology: Topology;
  /** Several workloads: tag every operation with its service. */
  tag: boolean;
  /** Unique per run: keys, Message-IDs and file names carry it. */
  run: string;
}

export function startWorkload(w: WorkloadSpec, k: number, c: WorkloadContext): RunningWorkload {
  const svc = c.status.services.find((s) => s.name === w.service);
  const service = c.topology.services.find((s) => s.name === w.service);
  if (!svc?.url || svc.port === undefined || !service) throw new Error(`service ${w.service} has no edge address`);
  const url = svc.url;
  const port = svc.port;
  const deadlineMs = "deadlineMs" in w && w.deadlineMs !== undefined ? w.deadlineMs : 10_000;
  let client: Client;
  let op: (i: number) => Operation;
  let finish: () => Promise<void> = () => finalTruth(c.recorder, c.ctx, c.topology, w.service, k);
  switch (w.client) {
    case "http": {
      const ops = w.ops ?? "read";
      client = new HttpClient({
        baseUrl: () => url,
        request: (o) => requestFor(o, w.path),
        parse: (_s, body) => parseReply(body),
        timeoutMs: w.timeoutMs,
        ...(w.retry ? { retry: w.retry } : {}),
        ...(w.keepAlive !== undefined ? { keepAlive: w.keepAlive } : {}),
      });
      op = (i) => opFor(ops, i);
      finish = writes(ops) ? () => finalReadAll(c.recorder, url, c.tag ? w.service : undefined) : () => Promise.resolve();
      break;
    }
    case "transactions":
      client = new TransactionsClient({ baseUrl: url, timeoutMs: w.timeoutMs, deadlineMs });
      op = (i) => orderFor(i, w.customers ?? 5, c.run);
      break;
    case "smtp":
      client = new MailClient({ port, timeoutMs: w.timeoutMs, deadlineMs });
      op = (i) => mailFor(i, c.run, w.mailboxes ?? 5);
      // Mail acknowledged a moment ago may still be in the queue: judge the mailboxes once it drains.
      finish = () => finalTruth(c.recorder, c.ctx, c.topology, w.service, k, (t) => (t as { queue?: unknown[] }).queue?.length === 0);
      break;
    case "downloads":
      client = new DownloadsClient({ baseUrl: url, timeoutMs: w.timeoutMs, deadlineMs, kbps: w.kbps ?? 512 });
      op = (i) => downloadFor(i, c.run, w.abandonEvery ?? 4);
      break;
    case "files":
      client = new FilesClient({ baseUrl: url, timeoutMs: w.timeoutMs, deadlineMs });
      op = (i) => fileWriteFor(i, c.run, service.cache ?? "write-through");
      break;
    case "session":
      client = new SessionClient({ port, timeoutMs: w.timeoutMs });
      op = (i) => sessionOpFor(i, w.users ?? 4);
      break;
  }
  const load = new OpenLoop(client, c.recorder, { rate: w.rate, op, processBase: k * PROCESSES_PER_WORKLOAD, ...(c.tag ? { service: w.service } : {}) }).start();
  return { spec: w, load, client, finish };
}
