// `nonstop console`: a page on 127.0.0.1 that draws the running machine (or a user's
// Compose project, as a box per container), charts a demo
// workload live, lists the runtime's events, and breaks things on a click. State, events
// and workload figures are pushed over server-sent events; control actions are POSTs that
// need the lab's token (./security.ts). Faults go through the same ledger as the CLI, so
// `nonstop faults` and `nonstop heal` see them, and closing the console heals what it broke.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Plumbing } from "../docker/plumbing.js";
import type { FaultContext } from "../faults/context.js";
import { attach } from "../machine/started.js";
import { healAll, healById, inject, type FaultEvent } from "../faults/inject.js";
import { checkFault } from "../faults/kinds/index.js";
import { machineTarget } from "../faults/machine-target.js";
import type { AnyFault, FaultTarget } from "../faults/target.js";
import { checkAppFault } from "../app/faults/index.js";
import { readAppTarget } from "../app/target.js";
import { HistoryRecorder } from "../history/recorder.js";
import { isOp, type HistoryEntry, type OpEntry } from "../history/types.js";
import { timelineOf } from "../report/timeseries.js";
import { RuntimeEventPump } from "../scenario/runtime-events.js";
import { HttpClient } from "../workload/http-client.js";
import { OpenLoop } from "../workload/open-loop.js";
import { UsageError } from "../errors.js";
import { consolePage } from "./page.js";
import { checkRequest } from "./security.js";
import { appConsoleState, consoleState, PlaneTraffic, type ConsoleState } from "./state.js";
import type { WorkloadSample } from "./types.js";

export interface ConsoleOptions {
  plumbing: Plumbing;
  lab: string;
  rootDir: string;
  /** 0: any free port. */
  port?: number;
  /** Where scenario reports are, for replay. */
  reportsDir?: string;
}

export interface RunningConsole {
  url: string;
  token: string;
  close(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
};

async function body(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? (JSON.parse(text) as unknown) : {};
}

/** The demo workload: writes to the first service, open loop, summarised every half second. */
class DemoWorkload {
  private load: OpenLoop | undefined;
  private client: HttpClient | undefined;
  private recorder = new HistoryRecorder();
  private cursor = 0;
  rate = 0;

  constructor(private readonly url: () => Promise<string | undefined>) {}

  get running(): boolean {
    return this.load !== undefined;
  }

  async start(rate: number): Promise<void> {
    await this.stop();
    const base = await this.url();
    if (!base) throw new Error("the lab has no service to drive");
    this.recorder = new HistoryRecorder();
    this.cursor = 0;
    this.rate = rate;
    this.client = new HttpClient({ baseUrl: () => base, request: (op) => ({ method: "POST", path: `/add?v=${String(op.value)}` }), timeoutMs: 1000 });
    this.load = new OpenLoop(this.client, this.recorder, { rate, op: (i) => ({ f: "add", value: `demo-${Date.now()}-${i}` }) }).start();
  }

  async stop(): Promise<void> {
    const [load, client] = [this.load, this.client];
    this.load = undefined;
    this.client = undefined;
    this.rate = 0;
    await load?.stop();
    await client?.close();
  }

  /** Completions since the last call: ops/s, errors/s and p99 latency over `ms`. */
  sample(ms: number): WorkloadSample {
    const fresh = this.recorder.entries.slice(this.cursor);
    this.cursor = this.recorder.entries.length;
    const done = fresh.filter((e): e is OpEntry => isOp(e) && e.type !== "invoke");
    const lat = done.filter((e) => e.type === "ok").map((e) => (e.latency ?? 0) / 1000).sort((a, b) => a - b);
    const p99 = lat.length ? (lat[Math.min(lat.length - 1, Math.ceil(lat.length * 0.99) - 1)] ?? null) : null;
    const perSec = 1000 / ms;
    return { t: Date.now(), ops: Math.round(lat.length * perSec), errors: Math.round((done.length - lat.length) * perSec), p99 };
  }
}

/** What the console breaks and draws: the Tandem machine, or a user's Compose project. */
interface ConsoleSystem {
  target: FaultTarget;
  check(input: unknown): Promise<AnyFault>;
  state(traffic?: PlaneTraffic): Promise<ConsoleState>;
  /** The machine's runtime events; a Compose project has none to pull. */
  pump?: RuntimeEventPump;
  /** Where the demo workload writes (the machine's first service); none for a project. */
  demoUrl(): Promise<string | undefined>;
}

async function consoleSystem(plumbing: Plumbing, lab: string, events: HistoryRecorder): Promise<ConsoleSystem> {
  const app = await readAppTarget(plumbing, lab);
  if (app) {
    return {
      target: app.target,
      check: async (b) => checkAppFault(b, await app.ctx.snapshot()),
      state: () => appConsoleState(plumbing, lab, app.record.project),
      demoUrl: () => Promise.resolve(undefined),
    };
  }
  const ctx: FaultContext = await attach(plumbing, lab);
  return {
    target: machineTarget(ctx),
    check: (b) => Promise.resolve(checkFault(b, ctx.topology)),
    state: (traffic) => consoleState(plumbing, lab, traffic),
    pump: new RuntimeEventPump(ctx, events).start(300),
    demoUrl: async () => (await consoleState(plumbing, lab)).services[0]?.url,
  };
}

export async function startConsole(opts: ConsoleOptions): Promise<RunningConsole> {
  // Runtime events (the machine's): pulled from every CPU into a recorder of their own, forwarded as they come.
  const events = new HistoryRecorder();
  const sys = await consoleSystem(opts.plumbing, opts.lab, events);
  const token = randomBytes(12).toString("base64url");
  const page = await consolePage(opts.rootDir);
  const clients = new Set<ServerResponse>();
  const send = (kind: string, data: unknown) => {
    const line = `event: ${kind}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of clients) c.write(line);
  };
  const onFault = (e: FaultEvent) => send("fault", { time: e.time, type: e.type, id: e.id, description: e.description });
  const workload = new DemoWorkload(() => sys.demoUrl());
  /** Faults this console injected and has not healed: closing it heals them. */
  const mine = new Set<string>();

  let sentEvents = 0;
  let port = 0;

  const traffic = new PlaneTraffic();
  const timers = [
    setInterval(() => {
      void sys
        .state(traffic)
        .then((s) => send("state", { ...s, workload: { running: workload.running, rate: workload.rate } }))
        .catch(() => undefined);
    }, 500),
    setInterval(() => {
      if (workload.running) send("stats", workload.sample(500));
      const fresh = events.entries.slice(sentEvents);
      sentEvents = events.entries.length;
      for (const e of fresh) if (e.type === "event") send("event", { time: Date.now(), cpu: e.cpu, name: e.name, detail: e.detail });
    }, 500),
  ];

  async function control(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const b = (await body(req)) as Record<string, unknown>;
    if (path === "/api/fault") {
      const fault = await sys.check(b);
      const h = await inject(fault, sys.target, { onEvent: onFault });
      mine.add(h.id);
      return json(res, 200, { id: h.id, description: sys.target.describe(fault) });
    }
    if (path === "/api/heal") {
      if (typeof b.id === "string") {
        mine.delete(b.id);
        return json(res, 200, { healed: await healById(sys.target, b.id, onFault) });
      }
      mine.clear();
      return json(res, 200, await healAll(sys.target, onFault));
    }
    if (path === "/api/workload") {
      if (b.action === "start") {
        const rate = typeof b.rate === "number" && b.rate > 0 && b.rate <= 2000 ? b.rate : 200;
        await workload.start(rate);
        return json(res, 200, { running: true, rate });
      }
      if (b.action === "stop") {
        await workload.stop();
        return json(res, 200, { running: false });
      }
      return json(res, 400, { error: "action: allowed values are start, stop" });
    }
    return json(res, 404, { error: `no route ${path}` });
  }

  async function replay(name: string, res: ServerResponse): Promise<void> {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) return json(res, 400, { error: "scenario: a scenario name (letters, digits, dashes)" });
    const file = join(opts.reportsDir ?? join(opts.rootDir, "reports", "scenarios"), name, "history.jsonl");
    const text = await readFile(file, "utf8").catch(() => undefined);
    if (text === undefined) return json(res, 404, { error: `no recorded history for scenario '${name}' (run it first: npx nonstop run ${name})` });
    const history = text
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as HistoryEntry);
    const events = history.filter((e) => e.type === "event" || e.type === "fault").map((e) => ({ t: e.time / 1e6, ...e }));
    return json(res, 200, { scenario: name, timeline: timelineOf(history, 250), events });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://console");
    const verdict = checkRequest(
      {
        method: req.method ?? "GET",
        host: req.headers.host,
        origin: req.headers.origin,
        token: typeof req.headers["x-nonstop-token"] === "string" ? req.headers["x-nonstop-token"] : undefined,
      },
      port,
      token,
    );
    if (!verdict.ok) return json(res, verdict.status, { error: verdict.error });
    const route = async () => {
      if (req.method === "POST") return control(url.pathname, req, res);
      switch (url.pathname) {
        case "/":
          res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'" });
          return res.end(page);
        case "/api/state":
          return json(res, 200, { ...(await sys.state()), workload: { running: workload.running, rate: workload.rate } });
        case "/api/replay":
          return replay(url.searchParams.get("scenario") ?? "", res);
        case "/api/stream":
          res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
          res.write(": nonstop console\n\n");
          clients.add(res);
          req.on("close", () => clients.delete(res));
          return;
        default:
          return json(res, 404, { error: `no route ${url.pathname}` });
      }
    };
    route().catch((err: unknown) => json(res, err instanceof UsageError || err instanceof SyntaxError ? 400 : 500, { error: err instanceof Error ? err.message : String(err) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/`,
    token,
    close: async () => {
      for (const t of timers) clearInterval(t);
      await workload.stop();
      for (const id of mine) await healById(sys.target, id, onFault).catch(() => undefined);
      await sys.pump?.stop().catch(() => undefined);
      for (const c of clients) c.end();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
