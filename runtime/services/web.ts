// The web service (HTTP, connectionless): pages and a small dynamic API, run by a pair on
// the service port. Writes go through the pair (journal, checkpoint, fence check, then
// ack); a CPU that is not the primary answers 503, and a client simply asks again.
//   GET  /  /pages/NAME     HTML pages
//   GET  /whoami            which CPU serves, its role and epoch
//   POST /add?v=X           append X            -> {seq, cpu}
//   PUT  /kv/KEY  (body)    set KEY             -> {seq, cpu}
//   GET  /kv/KEY            read KEY            -> {value, cpu}
//   GET  /all               every appended item -> {items, cpu}
//   GET  /disk/all          the same, read from the journal on the RAID (verified, repairing)
//   GET  /compute?x=N       the voted (TMR) computation -> {value, votes, of, cpu}; 503 without a majority
import { createServer, type Server } from "node:http";
import { readBody, sendJson as send } from "../http.js";
import { ClientGone, NotPrimary, type Pair } from "../pairs/pair.js";
import type { Voter } from "../voting/voter.js";
import type { RunningService } from "./types.js";

const PAGES: Record<string, string> = {
  index: "Welcome to a fault-tolerant web server. It is served by a process pair; kill its CPU and reload.",
  about: "Tandem, 1996: HTTP is connectionless, so reconnection after a failover is effortless.",
};

function page(name: string, cpu: string, role: string): string {
  const body = PAGES[name] ?? "";
  const links = Object.keys(PAGES)
    .map((p) => `<a href="/pages/${p}">${p}</a>`)
    .join(" · ");
  return `<!doctype html><html><head><meta charset="utf-8"><title>nonstop-lab: ${name}</title></head><body><h1>${name}</h1><p>${body}</p><p>Served by ${cpu} (${role}).</p><nav>${links}</nav></body></html>`;
}

export function serveWeb(pair: Pair, cpu: string, port: number, voter?: Voter): RunningService {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://svc");
      const base = { cpu, role: pair.role, epoch: pair.epoch };
      // Aborted when the connection closes before we answered: the client has given up.
      const gone = new AbortController();
      res.on("close", () => {
        if (!res.writableFinished) gone.abort();
      });
      if (url.pathname === "/whoami" || url.pathname === "/health") return send(res, 200, base);
      const pageName = url.pathname === "/" ? "index" : url.pathname.startsWith("/pages/") ? url.pathname.slice(7) : undefined;
      if (pageName !== undefined && req.method === "GET") {
        // Pages need no state: any live CPU may serve them, but only the primary holds the address.
        if (!PAGES[pageName]) return send(res, 404, { error: `no page ${pageName}; pages are ${Object.keys(PAGES).join(", ")}` });
        const html = page(pageName, cpu, pair.role);
        res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": Buffer.byteLength(html) });
        return res.end(html);
      }
      if (pair.role !== "primary") return send(res, 503, { ...base, error: `${cpu} is not the primary` });
      try {
        if (req.method === "POST" && url.pathname === "/add") {
          const v = url.searchParams.get("v");
          if (v === null) return send(res, 400, { error: "v is required" });
          return send(res, 200, { ...base, ...(await pair.write({ f: "add", value: v }, gone.signal)) });
        }
        if (url.pathname.startsWith("/kv/")) {
          const key = decodeURIComponent(url.pathname.slice(4));
          if (req.method === "PUT") return send(res, 200, { ...base, ...(await pair.write({ f: "put", key, value: await readBody(req) }, gone.signal)) });
          return send(res, 200, { ...base, value: pair.state.kv[key] ?? null });
        }
        if (url.pathname === "/all") return send(res, 200, { ...base, items: pair.state.items });
        if (url.pathname === "/compute") {
          const x = Number(url.searchParams.get("x"));
          if (!voter) return send(res, 404, { error: "no voted compute service here (it needs at least 3 CPUs)" });
          if (!Number.isInteger(x)) return send(res, 400, { error: "x: a whole number is required" });
          const v = await voter.vote(x);
          return v.ok ? send(res, 200, { ...base, x, value: v.value, votes: v.votes, of: v.of }) : send(res, 503, { ...base, error: v.reason });
        }
        if (url.pathname === "/disk/all") return send(res, 200, { ...base, items: await pair.itemsOnDisk() });
        return send(res, 404, { error: `no route ${url.pathname}` });
      } catch (err) {
        if (err instanceof ClientGone) return res.destroy();
        // Not the primary: nothing was done. Anything else: the outcome is unknown.
        return send(res, err instanceof NotPrimary ? 503 : 500, { ...base, error: err instanceof Error ? err.message : String(err) });
      }
    })();
  });
  server.keepAliveTimeout = 30_000;
  server.listen(port, "0.0.0.0");
  return { truth: () => ({ kv: pair.state.kv, items: pair.state.items }), close: () => server.close() };
}
