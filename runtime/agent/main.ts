// The node agent: the first process of every CPU container. It serves the CPU's health,
// identity and per-plane reachability over HTTP. Heartbeats, membership and process pairs
// (the NonStop runtime) will run beside these routes in this process.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { hostname } from "node:os";
import { access, constants } from "node:fs/promises";
import { PLANES, type PlaneName, type Topology } from "../../lab/topology/types.js";
import { identity } from "./identity.js";
import { ping, pingAll } from "./planes.js";
import { held, pressMemory, release } from "./pressure.js";

const cpu = process.env.NONSTOP_CPU ?? hostname();
const port = Number(process.env.NONSTOP_PORT ?? 8080);
// A CPU started outside a lab (a bare `docker run`) has no topology: it serves health only.
const topology: Topology | undefined = process.env.NONSTOP_TOPOLOGY ? (JSON.parse(process.env.NONSTOP_TOPOLOGY) as Topology) : undefined;
const startedAt = Date.now();

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
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
    case "/health":
      return send(res, 200, { ok: true, cpu, uptimeMs: Date.now() - startedAt });
    case "/whoami":
      if (!topology) return send(res, 200, { cpu, hostname: hostname() });
      return send(res, 200, { ...(await identity(topology, cpu)), disks: await disks(topology), lab: topology.lab });
    case "/ping": {
      // /ping?plane=x&to=cpu-2  or  /ping?plane=x  (every other CPU)
      const plane = planeParam(url);
      if (!topology) return send(res, 409, { error: "no topology: this CPU is not part of a lab" });
      if (!plane) return send(res, 400, { error: `plane: allowed values are ${PLANES.join(", ")}` });
      const to = url.searchParams.get("to");
      if (to) return send(res, 200, await ping(topology, cpu, to, plane, timeoutMs));
      return send(res, 200, await pingAll(topology, cpu, plane, timeoutMs));
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
    default:
      return send(res, 404, { error: `no route ${url.pathname}` });
  }
}

const server = createServer((req, res) => {
  route(req, res).catch((err: unknown) => send(res, 500, { error: err instanceof Error ? err.message : String(err) }));
});
server.keepAliveTimeout = 30_000;
server.listen(port, "0.0.0.0", () => console.log(`agent ${cpu} listening on :${port}${topology ? ` in lab ${topology.lab}` : ""}`));

// Docker stops containers with SIGTERM; close at once so `nonstop down` is quick.
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.on(sig, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 500).unref();
  });
}
