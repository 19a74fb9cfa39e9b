// Downloads, billed per download (the paper's commercial applets), over HTTP.
//   GET  /files               the catalogue: [{name, bytes, sha256}]
//   GET  /files/NAME          the file; Range: bytes=A- (or A-B) resumes, If-Range guards it
//        ?kbps=N              sends at N KB/s (default 512), as a modem or busy link would
//   POST /receipts {download, file, sha256}
//        -> 200 {billed, bill}: the client proves it holds every byte; billed once per id
//   GET  /bills               every bill
// The files live on the RAID, written once by the first primary, so every CPU serves the
// same bytes and a download cut by a failover resumes byte-exact on the new primary.
import { createHash } from "node:crypto";
import type { ServerResponse } from "node:http";
import { readJson, sendJson as send } from "../http.js";
import { servePairHttp } from "./pair-http.js";
import { emptyBills } from "./state/downloads.js";
import type { RunningService, ServiceDeps } from "./types.js";

/** The catalogue: names and sizes. The contents are made once, deterministically. */
// Small enough to write and verify on a half-core CPU without starving its heartbeats; at
// the default 512 KB/s they still take 0.5 s and 2 s, long enough for a failover to cut.
export const CATALOGUE: Record<string, number> = { "applet.jar": 256 * 1024, "suite.tar": 1024 * 1024 };

/** A file's bytes: a seeded xorshift stream, so anyone can check a download without a copy. */
export function fileContent(name: string, bytes: number): Buffer {
  const buf = Buffer.alloc(bytes);
  let x = [...name].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, 0x9e3779b9) || 1;
  for (let i = 0; i + 4 <= bytes; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf.writeInt32LE(x, i);
  }
  return buf;
}

export function sha256(b: Buffer): string {
  return createHash("sha256").update(b).digest("hex");
}

const fileOnDisk = (service: string, name: string) => `pairs/${service}.content/${name}`;

/** Parses `bytes=A-` or `bytes=A-B` against a size; undefined when unsatisfiable or another form. */
export function parseRange(header: string, size: number): { start: number; end: number } | undefined {
  const m = /^bytes=(\d+)-(\d*)$/.exec(header.trim());
  if (!m?.[1]) return undefined;
  const start = Number(m[1]);
  const end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  return start <= end ? { start, end } : undefined;
}

/** Writes `body` at about `kbps` KB/s, stopping if the client goes away. */
function paced(res: ServerResponse, body: Buffer, kbps: number): void {
  const chunk = 64 * 1024;
  const everyMs = (chunk / 1024 / kbps) * 1000;
  let at = 0;
  const next = () => {
    if (res.destroyed) return;
    const part = body.subarray(at, at + chunk);
    at += part.length;
    if (at >= body.length) return void res.end(part);
    res.write(part);
    setTimeout(next, everyMs);
  };
  next();
}

export function serveDownloads({ pair, cpu, service, raid }: ServiceDeps): RunningService {
  const cache = new Map<string, { data: Buffer; sha256: string }>();
  const bills = () => pair.state.bills ?? emptyBills();

  async function file(name: string): Promise<{ data: Buffer; sha256: string } | undefined> {
    const size = CATALOGUE[name];
    if (size === undefined) return undefined;
    const hit = cache.get(name);
    if (hit) return hit;
    let data = await raid.readFile(fileOnDisk(service.name, name));
    if (!data) {
      // Not on the disk yet: the lab's first primary puts it there.
      if (pair.role !== "primary") return undefined;
      data = fileContent(name, size);
      await raid.writeFile(fileOnDisk(service.name, name), data);
    }
    const f = { data, sha256: sha256(data) };
    cache.set(name, f);
    return f;
  }

  const server = servePairHttp({
    pair,
    cpu,
    port: service.port,
    route: async ({ req, res, url, base, gone }) => {
      if (url.pathname === "/files") {
        const files = await Promise.all(Object.keys(CATALOGUE).map(async (name) => ({ name, bytes: CATALOGUE[name], sha256: (await file(name))?.sha256 })));
        return send(res, 200, { ...base, files });
      }
      if (url.pathname.startsWith("/files/")) {
        const f = await file(decodeURIComponent(url.pathname.slice(7)));
        if (!f) return send(res, 404, { error: `no file ${url.pathname.slice(7)}; files are ${Object.keys(CATALOGUE).join(", ")}` });
        const kbps = Math.max(1, Number(url.searchParams.get("kbps") ?? 512) || 512);
        const etag = `"${f.sha256}"`;
        const headers = { "accept-ranges": "bytes", etag, "content-type": "application/octet-stream", "x-served-by": cpu };
        const rangeHeader = req.headers.range;
        // If-Range: resume only if the file is still the one the client started on.
        const ifRange = req.headers["if-range"];
        if (rangeHeader && (!ifRange || ifRange === etag)) {
          const r = parseRange(rangeHeader, f.data.length);
          if (!r) {
            res.writeHead(416, { ...headers, "content-range": `bytes */${f.data.length}` });
            return void res.end();
          }
          res.writeHead(206, { ...headers, "content-range": `bytes ${r.start}-${r.end}/${f.data.length}`, "content-length": r.end - r.start + 1 });
          return paced(res, f.data.subarray(r.start, r.end + 1), kbps);
        }
        res.writeHead(200, { ...headers, "content-length": f.data.length });
        return paced(res, f.data, kbps);
      }
      if (url.pathname === "/receipts" && req.method === "POST") {
        const b = (await readJson(req)) as { download?: unknown; file?: unknown; sha256?: unknown };
        if (typeof b.download !== "string" || !/^[A-Za-z0-9._:-]{1,100}$/.test(b.download)) return send(res, 400, { error: "download: an id of 1-100 letters, digits or . _ : - is required" });
        if (typeof b.file !== "string" || CATALOGUE[b.file] === undefined) return send(res, 400, { error: `file: one of ${Object.keys(CATALOGUE).join(", ")}` });
        const f = await file(b.file);
        if (!f || b.sha256 !== f.sha256) return send(res, 409, { ...base, billed: false, error: "sha256 does not match the file: the download is incomplete or damaged, and is not billed" });
        await pair.write({ f: "bill", download: b.download, file: b.file, bytes: f.data.length }, gone);
        return send(res, 200, { ...base, billed: true, bill: bills().bills.find((x) => x.download === b.download) });
      }
      if (url.pathname === "/bills") return send(res, 200, { ...base, bills: bills().bills });
      return send(res, 404, { error: `no route ${url.pathname}` });
    },
  });
  // The first primary writes the files at once, so the first download does not wait for it.
  const warm = setInterval(() => {
    if (pair.role !== "primary") return;
    clearInterval(warm);
    void Promise.all(Object.keys(CATALOGUE).map((n) => file(n))).catch(() => undefined);
  }, 200);
  warm.unref();
  return {
    truth: () => ({ bills: bills().bills }),
    close: () => {
      clearInterval(warm);
      server.close();
    },
  };
}
