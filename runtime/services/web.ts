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
//   POST /txn  (JSON mops)  a transaction of list appends and reads, applied at once
//                           -> {seq, cpu, mops}: each read with the list it saw (./state/lists.ts)
import { readBody, sendJson as send } from "../http.js";
import type { Pair } from "../pairs/pair.js";
import { servePairHttp } from "./pair-http.js";
import { parseMops } from "./state/lists.js";
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
  const server = servePairHttp({
    pair,
    cpu,
    port,
    anyRole: ({ req, res, url }) => {
      const pageName = url.pathname === "/" ? "index" : url.pathname.startsWith("/pages/") ? url.pathname.slice(7) : undefined;
      if (pageName === undefined || req.method !== "GET") return false;
      // Pages need no state: any live CPU may serve them, but only the primary holds the address.
      if (!PAGES[pageName]) send(res, 404, { error: `no page ${pageName}; pages are ${Object.keys(PAGES).join(", ")}` });
      else {
        const html = page(pageName, cpu, pair.role);
        res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": Buffer.byteLength(html) });
        res.end(html);
      }
      return true;
    },
    route: async ({ req, res, url, base, gone }) => {
      if (req.method === "POST" && url.pathname === "/add") {
        const v = url.searchParams.get("v");
        if (v === null) return send(res, 400, { error: "v is required" });
        return send(res, 200, { ...base, ...(await pair.write({ f: "add", value: v }, gone)) });
      }
      if (url.pathname.startsWith("/kv/")) {
        const key = decodeURIComponent(url.pathname.slice(4));
        if (req.method === "PUT") return send(res, 200, { ...base, ...(await pair.write({ f: "put", key, value: await readBody(req) }, gone)) });
        return send(res, 200, { ...base, value: pair.state.kv[key] ?? null });
      }
      if (req.method === "POST" && url.pathname === "/txn") {
        const mops = parseMops(await readBody(req));
        if (typeof mops === "string") return send(res, 400, { error: mops });
        const { result, ...ack } = await pair.write({ f: "txn", mops }, gone);
        return send(res, 200, { ...base, ...ack, mops: result });
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
    },
  });
  return { truth: () => ({ kv: pair.state.kv, items: pair.state.items }), close: () => server.close() };
}
