// The HTTP scaffolding every HTTP service of a pair shares: who am I, 503 from anyone but
// the primary (nothing was done, ask again), the client's hang-up as an abort signal (a
// change still queued when its client gave up is dropped, ../pairs/pair.ts), and the
// mapping of a pair's errors to statuses: 503 when this CPU is not (or no longer) the
// primary, 500 when the outcome is unknown.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { sendJson as send } from "../http.js";
import { ClientGone, NotPrimary, type Pair } from "../pairs/pair.js";

export interface PairRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** cpu, role and epoch (and the service's own extras), for every answer. */
  base: Record<string, unknown>;
  /** Aborted when the client hangs up before it has its answer. */
  gone: AbortSignal;
}

export interface PairHttp {
  pair: Pair;
  cpu: string;
  port: number;
  extra?: () => Record<string, unknown>;
  /** Routes any CPU may answer (static pages): true when it answered. */
  anyRole?: (r: PairRequest) => boolean;
  /** The primary's routes; answers 404 itself for a path it does not know. */
  route: (r: PairRequest) => Promise<void> | void;
}

export function servePairHttp(o: PairHttp): Server {
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://svc");
      const base = { cpu: o.cpu, role: o.pair.role, epoch: o.pair.epoch, ...o.extra?.() };
      const gone = new AbortController();
      res.on("close", () => {
        if (!res.writableFinished) gone.abort();
      });
      const r: PairRequest = { req, res, url, base, gone: gone.signal };
      if (url.pathname === "/whoami" || url.pathname === "/health") return send(res, 200, base);
      if (o.anyRole?.(r)) return;
      if (o.pair.role !== "primary") return send(res, 503, { ...base, error: `${o.cpu} is not the primary` });
      try {
        await o.route(r);
      } catch (err) {
        if (err instanceof ClientGone) return res.destroy();
        return send(res, err instanceof NotPrimary ? 503 : 500, { ...base, error: err instanceof Error ? err.message : String(err) });
      }
    })();
  });
  server.keepAliveTimeout = 30_000;
  server.listen(o.port, "0.0.0.0");
  return server;
}
