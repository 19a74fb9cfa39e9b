// The node agent: the first process of every CPU container. It serves the CPU's health and
// identity over HTTP; heartbeats, membership and process pairs will live beside it.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { hostname, networkInterfaces } from "node:os";

const cpu = process.env.NONSTOP_CPU ?? hostname();
const port = Number(process.env.NONSTOP_PORT ?? 8080);
const startedAt = Date.now();

function addresses(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, infos] of Object.entries(networkInterfaces())) {
    const v4 = infos?.find((i) => i.family === "IPv4" && !i.internal);
    if (v4) out[name] = v4.address;
  }
  return out;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function route(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://agent");
  switch (url.pathname) {
    case "/health":
      return send(res, 200, { ok: true, cpu, uptimeMs: Date.now() - startedAt });
    case "/whoami":
      return send(res, 200, { cpu, hostname: hostname(), addresses: addresses(), pid: process.pid });
    default:
      return send(res, 404, { error: `no route ${url.pathname}` });
  }
}

const server = createServer(route);
server.keepAliveTimeout = 30_000;
server.listen(port, "0.0.0.0", () => console.log(`agent ${cpu} listening on :${port}`));

// Docker stops containers with SIGTERM; close cleanly so `nonstop down` is quick.
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.on(sig, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 500).unref();
  });
}
