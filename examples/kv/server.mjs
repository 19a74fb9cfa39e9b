// The worked example's one program, two roles (ROLE):
//  - store: a key-value store over HTTP that keeps every write in an append-only log on its
//    volume (/data/kv.log), fsynced before it answers, and replays the log when it starts;
//    GET /all lists every value it holds;
//  - api:   the front door, run as two replicas: it serves /kv/<key> and /all by asking the store.
// Node's standard library only, so the image is the Node base and one file.
import { appendFileSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { createServer, request } from "node:http";
import { hostname } from "node:os";

const role = process.env.ROLE ?? "store";
const port = Number(process.env.PORT ?? (role === "api" ? 8080 : 7000));

function body(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString()));
    req.on("error", reject);
  });
}

function store() {
  const dir = process.env.DATA_DIR ?? "/data";
  const log = `${dir}/kv.log`;
  mkdirSync(dir, { recursive: true });
  const kv = new Map();
  // A torn or damaged last line (a crash mid-write, a corrupted disk) is skipped, not fatal.
  if (existsSync(log)) for (const line of readFileSync(log, "utf8").split("\n")) {
    try {
      const { k, v } = JSON.parse(line);
      kv.set(k, v);
    } catch {}
  }
  const fd = openSync(log, "a");
  return async (req, res, key) => {
    if (key === undefined) return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ items: [...kv.values()] }));
    if (req.method === "PUT") {
      const v = await body(req);
      appendFileSync(fd, `${JSON.stringify({ k: key, v })}\n`);
      fsyncSync(fd);
      kv.set(key, v);
      return res.writeHead(204).end();
    }
    if (!kv.has(key)) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/plain" }).end(kv.get(key));
  };
}

function api() {
  const base = new URL(process.env.STORE_URL ?? "http://store:7000");
  return (req, res, key) =>
    body(req).then((b) => {
      const path = key === undefined ? "/all" : `/kv/${encodeURIComponent(key)}`;
      const up = request({ host: base.hostname, port: base.port, method: req.method, path, timeout: 2000 }, (r) => {
        res.writeHead(r.statusCode ?? 502, { "x-served-by": hostname() });
        r.pipe(res);
      });
      up.on("timeout", () => up.destroy(new Error("store timed out")));
      up.on("error", (e) => {
        if (!res.headersSent) res.writeHead(503, { "content-type": "text/plain" }).end(`store unavailable: ${e.message}\n`);
      });
      up.end(req.method === "PUT" ? b : undefined);
    });
}

const serve = role === "api" ? api() : store();
createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://x");
  if (url.pathname === "/health") return res.writeHead(200).end("ok\n");
  const m = /^\/kv\/(.+)$/.exec(url.pathname);
  const all = url.pathname === "/all" && req.method === "GET";
  if (!all && (!m || (req.method !== "GET" && req.method !== "PUT"))) return res.writeHead(404).end();
  Promise.resolve(serve(req, res, all ? undefined : decodeURIComponent(m[1]))).catch((e) => {
    if (!res.headersSent) res.writeHead(500).end(String(e));
  });
}).listen(port, () => console.log(`${role} listening on ${port}`));
process.on("SIGTERM", () => process.exit(0));
