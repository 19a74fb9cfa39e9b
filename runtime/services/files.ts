// Files, NFS-like and connectionless, over HTTP: every operation names its whole target
// and is idempotent, so a client repeats any operation whose reply it lost.
//   PUT /f/PATH  (body)  write the whole file        -> {path, bytes, durable}
//   GET /f/PATH          read it
//   GET /f               every file: {files: {path: data}}
// Two cache modes (the paper: NFS "is connectionless and thus insensitive to service
// interruptions. If, however, for speedup purposes caching is employed, cached data will
// be lost"):
//   write-through  a write is acknowledged once it is journaled and checkpointed (durable)
//   write-back     a write is acknowledged from the primary's memory and written to the
//                  pair once it is WRITEBACK_AGE_MS old; a CPU failure loses what was not
import { readBody, sendJson as send } from "../http.js";
import { servePairHttp } from "./pair-http.js";
import { emptyFiles } from "./state/files.js";
import type { RunningService, ServiceDeps } from "./types.js";

// A dirty write is flushed once it is this old, as Linux writes back a dirty page once it
// is older than vm.dirty_expire_centisecs (30 s there; 2 s here, to fit a scenario). By age
// rather than on a fixed tick, so a failure always finds the last 2 s unflushed, whenever
// it strikes.
export const WRITEBACK_AGE_MS = 2000;
const FLUSH_CHECK_MS = 250;
const PATH = /^[A-Za-z0-9._/-]{1,200}$/;

export function serveFiles({ pair, cpu, service }: ServiceDeps): RunningService {
  const writeBack = service.cache === "write-back";
  const durable = () => (pair.state.files ?? emptyFiles()).files;
  /** write-back only: acknowledged, not yet flushed. Memory, so it dies with the CPU. */
  const dirty = new Map<string, { data: string; at: number }>();
  const view = () => ({ ...durable(), ...Object.fromEntries([...dirty].map(([p, d]) => [p, d.data])) });

  const server = servePairHttp({
    pair,
    cpu,
    port: service.port,
    extra: () => ({ cache: service.cache }),
    route: async ({ req, res, url, base, gone }) => {
      if (url.pathname === "/f") return send(res, 200, { ...base, files: view() });
      if (!url.pathname.startsWith("/f/")) return send(res, 404, { error: `no route ${url.pathname}` });
      const path = decodeURIComponent(url.pathname.slice(3));
      if (!PATH.test(path) || path.includes("..")) return send(res, 400, { error: "path: 1-200 letters, digits or . _ / -, without '..'" });
      if (req.method === "PUT") {
        const data = await readBody(req);
        if (writeBack) {
          dirty.set(path, { data, at: Date.now() });
          return send(res, 200, { ...base, path, bytes: Buffer.byteLength(data), durable: false });
        }
        await pair.write({ f: "file.put", path, data }, gone);
        return send(res, 200, { ...base, path, bytes: Buffer.byteLength(data), durable: true });
      }
      const data = view()[path];
      if (data === undefined) return send(res, 404, { ...base, error: `no file ${path}` });
      return send(res, 200, { ...base, path, data });
    },
  });

  let flushing = false;
  const timer = setInterval(() => {
    if (!writeBack || flushing || dirty.size === 0 || pair.role !== "primary") return;
    const old = Date.now() - WRITEBACK_AGE_MS;
    const batch = [...dirty].filter(([, d]) => d.at <= old);
    if (batch.length === 0) return;
    flushing = true;
    Promise.all(
      batch.map(async ([path, d]) => {
        await pair.write({ f: "file.put", path, data: d.data });
        // Only if nobody wrote it again meanwhile.
        if (dirty.get(path) === d) dirty.delete(path);
      }),
    )
      .catch(() => undefined)
      .finally(() => (flushing = false));
  }, FLUSH_CHECK_MS);
  timer.unref();
  return { truth: () => ({ files: view(), unflushed: dirty.size }), close: () => (clearInterval(timer), server.close()) };
}
