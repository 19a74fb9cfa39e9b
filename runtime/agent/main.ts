// The node agent: the first process of every CPU container. It serves the CPU's health,
// identity and per-plane reachability over HTTP, and runs the NonStop runtime beside them:
// ServerNet links arrive on their own port (runtime/membership/transport.ts), which only
// the plane routers reach.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { hostname } from "node:os";
import { access, constants } from "node:fs/promises";
import { PLANES, type PlaneName, type Topology } from "../../lab/topology/types.js";
import { identity } from "./identity.js";
import { ping, pingAll } from "./planes.js";
import { serveServerNet, type Answer } from "../membership/transport.js";
import { held, pressMemory, release } from "./pressure.js";
import { startNode, type NodeRuntime, type Vips } from "../node.js";
import { startService } from "../services/index.js";
import type { RunningService } from "../services/types.js";
import { CRASH_STEPS, type CrashStep } from "../pairs/crash.js";
import { sendJson as send } from "../http.js";
import { Messages, isMessagePath, type MessagePath } from "../membership/messages.js";
import type { z } from "zod";
import type { EventsReply, HealthReply, RuntimeReply, ScrubReply, ServiceStateReply } from "./api.js";

const cpu = process.env.NONSTOP_CPU ?? hostname();
const port = Number(process.env.NONSTOP_PORT ?? 8080);
// A CPU started outside a lab (a bare `docker run`) has no topology: it serves health only.
const topology: Topology | undefined = process.env.NONSTOP_TOPOLOGY ? (JSON.parse(process.env.NONSTOP_TOPOLOGY) as Topology) : undefined;
const startedAt = Date.now();
const vips = JSON.parse(process.env.NONSTOP_VIPS ?? "{}") as Vips;
let node: NodeRuntime | undefined;
const services = new Map<string, RunningService>();

type Handlers = { [P in MessagePath]: (m: z.infer<(typeof Messages)[P]>, n: NodeRuntime) => unknown };

const noService = { ok: false, reason: "no such service" };
const handlers: Handlers = {
  "/servernet/hb": (m, n) => (n.membership.heard(m.from, m.plane, m.view, m.sentAt, m.stallMs), { ok: true }),
  "/servernet/propose": (m, n) => n.membership.onPropose(m.proposal, m.from),
  "/servernet/commit": (m, n) => (n.membership.onCommit(m.view), { ok: true }),
  "/servernet/checkpoint": (m, n) => n.pairs.get(m.service)?.onCheckpoint(m) ?? noService,
  "/servernet/snapshot": (m, n) => n.pairs.get(m.service)?.onSnapshot(m) ?? noService,
  "/servernet/resync": (m, n) => (n.pairs.get(m.service)?.onResync(m.from), { ok: true }),
  "/servernet/replica": (m, n) => ({ value: n.replica.answer(m.x) }),
  "/servernet/ping": () => ({ cpu }),
};

function handle<P extends MessagePath>(path: P, raw: unknown, n: NodeRuntime): Answer {
  const parsed = Messages[path].safeParse(raw);
  if (!parsed.success) return { status: 400, body: { error: `bad ${path}: ${parsed.error.issues[0]?.message ?? "invalid"}` } };
  return { status: 200, body: handlers[path](parsed.data as z.infer<(typeof Messages)[P]>, n) };
}

/** ServerNet messages from other CPUs, arriving through the plane routers. */
function servernet(path: string, body: unknown): Answer {
  if (!node) return { status: 503, body: { error: "runtime starting" } };
  if (!isMessagePath(path)) return { status: 404, body: { error: `no route ${path}` } };
  return handle(path, body, node);
}

function planeParam(url: URL): PlaneName | undefined {
  const p = url.searchParams.get("plane");
  return (PLANES as readonly string[]).includes(p ?? "") ? (p as PlaneName) : undefined;
}

async function disks(t: Topology): Promise<Record<string, boolean>> {
  const out: Record<string, boolean> = {};
  for (const d of t.disks) {
    out[d.name] = await access(d.mount, constants.W_OK).then(
      () => true,
      () => false,
    );
  }
  return out;
}

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://agent");
  const timeoutMs = Math.min(Number(url.searchParams.get("timeoutMs") ?? 1000), 10_000);
  switch (url.pathname) {
    case "/events":
      return send(res, 200, (node ? node.events.since(Number(url.searchParams.get("since") ?? 0), url.searchParams.get("boot") ?? undefined) : { boot: "", events: [] }) satisfies EventsReply);
    case "/runtime":
      if (!node) return send(res, 503, { error: "no runtime" });
      return send(res, 200, {
        cpu,
        view: node.membership.view,
        admitted: node.membership.admitted,
        quorate: node.membership.quorate,
        liveness: node.membership.liveness(),
        raid: node.raid.status(),
        pairs: [...node.pairs].map(([name, p]) => ({ service: name, role: p.role, epoch: p.epoch, seq: p.state.seq })),
      } satisfies RuntimeReply);
    case "/raid/scrub":
      if (!node) return send(res, 503, { error: "no runtime" });
      // Each CPU scrubs the files it writes (./raid/supervisor.ts says why); `nonstop raid scrub` asks them all.
      return send(res, 200, (await node.raid.scrub(node.disks.owned())) satisfies ScrubReply);
    case "/health":
      return send(res, 200, { ok: true, cpu, uptimeMs: Date.now() - startedAt } satisfies HealthReply);
    case "/whoami":
      if (!topology) return send(res, 200, { cpu, hostname: hostname() });
      return send(res, 200, { ...(await identity(topology, cpu, 0)), disks: await disks(topology), lab: topology.lab });
    case "/ping": {
      // /ping?plane=x&to=cpu-2  or  /ping?plane=x  (every other CPU)
      const plane = planeParam(url);
      if (!topology) return send(res, 409, { error: "no topology: this CPU is not part of a lab" });
      if (!plane) return send(res, 400, { error: `plane: allowed values are ${PLANES.join(", ")}` });
      if (!node) return send(res, 503, { error: "runtime starting" });
      const to = url.searchParams.get("to");
      if (to) return send(res, 200, await ping(node.transport, cpu, to, plane, timeoutMs));
      return send(res, 200, await pingAll(node.transport, topology, cpu, plane, timeoutMs));
    }
    case "/faults/memory": {
      // POST ?id=f1&mb=100 holds memory; DELETE ?id=f1 frees it. Reached only through the
      // CPU's 127.0.0.1 port, by the lab's fault injector.
      const id = url.searchParams.get("id") ?? "";
      if (req.method === "POST") {
        const mb = Number(url.searchParams.get("mb"));
        if (!id || !Number.isInteger(mb) || mb < 1) return send(res, 400, { error: "id and mb (a whole number of MB, at least 1) are required" });
        await pressMemory(id, mb);
        return send(res, 200, { id, mb, held: held() });
      }
      if (req.method === "DELETE") return send(res, 200, { id, released: release(id), held: held() });
      return send(res, 200, { held: held() });
    }
    case "/faults/crash": {
      // POST ?id=f1&service=S&step=STEP: this CPU dies the next time a commit of S reaches
      // STEP (runtime/pairs/crash.ts); DELETE ?id=f1 disarms a point that never fired.
      if (!node) return send(res, 503, { error: "no runtime" });
      const id = url.searchParams.get("id") ?? "";
      if (!id) return send(res, 400, { error: "id is required" });
      if (req.method === "POST") {
        const service = url.searchParams.get("service") ?? "";
        const step = url.searchParams.get("step") ?? "";
        if (!node.pairs.has(service)) return send(res, 400, { error: `service: one of ${[...node.pairs.keys()].join(", ")}` });
        if (!(CRASH_STEPS as readonly string[]).includes(step)) return send(res, 400, { error: `step: one of ${CRASH_STEPS.join(", ")}` });
        node.crash.arm(id, service, step as CrashStep);
      } else if (req.method === "DELETE") return send(res, 200, { disarmed: node.crash.disarm(id), armed: node.crash.list() });
      return send(res, 200, { armed: node.crash.list() });
    }
    case "/faults/diverge": {
      // POST ?id=f1: this CPU's compute replica answers wrongly until DELETE ?id=f1.
      if (!node) return send(res, 503, { error: "no runtime" });
      const id = url.searchParams.get("id") ?? "";
      if (!id) return send(res, 400, { error: "id is required" });
      if (req.method === "POST") node.replica.diverge(id);
      else if (req.method === "DELETE") node.replica.heal(id);
      return send(res, 200, { divergent: node.replica.divergent });
    }
    default: {
      // /services/NAME/state: what the service's pair holds (and, on the primary, its
      // cache): the truth a scenario's final read compares acknowledgements against.
      const m = /^\/services\/([a-z][a-z0-9-]*)\/state$/.exec(url.pathname);
      const pair = m?.[1] ? node?.pairs.get(m[1]) : undefined;
      const svc = m?.[1] ? services.get(m[1]) : undefined;
      if (m?.[1] && pair && svc) return send(res, 200, { cpu, service: m[1], role: pair.role, epoch: pair.epoch, seq: pair.state.seq, truth: svc.truth() } satisfies ServiceStateReply);
      return send(res, 404, { error: `no route ${url.pathname}` });
    }
  }
}

const server = createServer((req, res) => {
  route(req, res).catch((err: unknown) => send(res, 500, { error: err instanceof Error ? err.message : String(err) }));
});
server.keepAliveTimeout = 30_000;
server.listen(port, "0.0.0.0", () => console.log(`agent ${cpu} listening on :${port}${topology ? ` in lab ${topology.lab}` : ""}`));

// The NonStop runtime starts once the agent answers, so health checks see a live CPU
// even while it waits to be admitted to the membership.
if (topology) {
  const t = topology;
  serveServerNet(t.servernetPort, servernet);
  startNode(t, cpu, vips, (n) => (node = n), process.env.NONSTOP_EDGE_API || undefined)
    .then((n) => {
      for (const s of t.services) {
        const pair = n.pairs.get(s.name);
        if (pair) services.set(s.name, startService(s.kind, { service: s, pair, cpu, raid: n.raid, events: n.events, crash: n.crash }, s.name === n.voter?.service ? n.voter.voter : undefined));
      }
    })
    .catch((err: unknown) => console.error(`runtime failed to start: ${err instanceof Error ? err.stack : String(err)}`));
}

// Docker stops containers with SIGTERM; close at once so `nonstop down` is quick. The
// pairs start nothing new from here, and the work they have queued gets the half second.
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.on(sig, () => {
    for (const p of node?.pairs.values() ?? []) void p.stop();
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 500).unref();
  });
}
