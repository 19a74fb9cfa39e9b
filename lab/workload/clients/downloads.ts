// A downloader: fetches a file, and when the transfer breaks (a failover cuts it), resumes
// from the last byte it holds with a Range request guarded by If-Range, so it never mixes
// two versions. Complete, it checks the SHA-256 against the catalogue's and only then
// presents its receipt, the proof that bills it, once. Some downloads are abandoned half
// way on purpose: those must never be billed.
import { Agent, request } from "node:http";
import { CATALOGUE, fileContent, sha256 } from "../../../runtime/services/downloads.js";
import { httpCall } from "../http-call.js";
import { retryUntil } from "../retry.js";
import type { Client, Operation, Outcome } from "../types.js";

export interface DownloadValue {
  download: string;
  file: string;
  /** Stop half way and never present a receipt. */
  abandon: boolean;
}

export interface DownloadResult {
  download: string;
  file: string;
  bytes: number;
  /** The bytes are exactly the file's (SHA-256 matches). */
  exact: boolean;
  /** Transfers cut and resumed with Range. */
  resumes: number;
  abandoned: boolean;
  billed: boolean;
}

export function downloadFor(i: number, run: string, abandonEvery: number): Operation {
  const files = Object.keys(CATALOGUE);
  return { f: "download", value: { download: `${run}-d${i}`, file: files[i % files.length] ?? "applet.jar", abandon: abandonEvery > 0 && i % abandonEvery === abandonEvery - 1 } satisfies DownloadValue };
}

const expected = new Map<string, string>();
function expectedSha(file: string): string {
  let s = expected.get(file);
  if (!s) {
    s = sha256(fileContent(file, CATALOGUE[file] ?? 0));
    expected.set(file, s);
  }
  return s;
}

type Part = { kind: "done" } | { kind: "cut"; why: string; certain: boolean } | { kind: "abandoned" };

export class DownloadsClient implements Client {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });

  constructor(private readonly spec: { baseUrl: string; timeoutMs: number; deadlineMs: number; kbps: number }) {}

  /** One transfer from `have.length` bytes on; appends to `have`. */
  private transfer(d: DownloadValue, have: Buffer[], size: number, etag: { v?: string }): Promise<Part> {
    const held = have.reduce((n, b) => n + b.length, 0);
    const headers: Record<string, string> = held > 0 ? { range: `bytes=${held}-`, ...(etag.v ? { "if-range": etag.v } : {}) } : {};
    return new Promise((resolve) => {
      let settled = false;
      const finish = (p: Part) => {
        if (settled) return;
        settled = true;
        clearTimeout(stall);
        req.destroy();
        resolve(p);
      };
      // No byte for a while: the server is gone (a dead CPU sends no reset).
      let stall = setTimeout(() => finish({ kind: "cut", why: "stalled", certain: false }), this.spec.timeoutMs);
      const req = request(`${this.spec.baseUrl}/files/${encodeURIComponent(d.file)}?kbps=${this.spec.kbps}`, { headers, agent: this.agent }, (res) => {
        const status = res.statusCode ?? 0;
        if (status !== 200 && status !== 206) {
          res.resume();
          return finish({ kind: "cut", why: `HTTP ${status}`, certain: true });
        }
        if (status === 200) have.length = 0; // the whole file again (first time, or the file changed)
        etag.v = typeof res.headers.etag === "string" ? res.headers.etag : etag.v;
        let total = have.reduce((n, b) => n + b.length, 0);
        res.on("data", (c: Buffer) => {
          have.push(c);
          total += c.length;
          clearTimeout(stall);
          stall = setTimeout(() => finish({ kind: "cut", why: "stalled", certain: false }), this.spec.timeoutMs);
          if (d.abandon && total >= size / 2) finish({ kind: "abandoned" });
        });
        res.on("end", () => finish(total >= size ? { kind: "done" } : { kind: "cut", why: `cut at ${total} of ${size} bytes`, certain: false }));
        res.on("aborted", () => finish({ kind: "cut", why: `cut at ${total} of ${size} bytes`, certain: false }));
        res.on("error", () => finish({ kind: "cut", why: `cut at ${total} of ${size} bytes`, certain: false }));
      });
      req.on("error", (err: NodeJS.ErrnoException) => finish({ kind: "cut", why: err.code ?? err.message, certain: err.code === "ECONNREFUSED" }));
      req.end();
    });
  }

  async invoke(op: Operation, signal: AbortSignal): Promise<Outcome> {
    const d = op.value as DownloadValue;
    const size = CATALOGUE[d.file] ?? 0;
    const have: Buffer[] = [];
    const etag: { v?: string } = {};
    let resumes = 0;
    const started = Date.now();
    const got = await retryUntil(
      async (n) => {
        if (n > 1 && have.length > 0) resumes++;
        const p = await this.transfer(d, have, size, etag);
        if (p.kind === "cut") return { again: p.why, certain: p.certain };
        return { done: { type: "ok", value: p.kind } };
      },
      { deadlineMs: this.spec.deadlineMs, backoffMs: 100 },
      signal,
    );
    const base = { download: d.download, file: d.file, resumes };
    if (got.type !== "ok") return { ...got, value: { ...base, bytes: 0, exact: false, abandoned: false, billed: false } satisfies DownloadResult };
    const data = Buffer.concat(have);
    if (got.value === "abandoned") return { type: "ok", attempts: got.attempts ?? 1, value: { ...base, bytes: data.length, exact: false, abandoned: true, billed: false } satisfies DownloadResult };
    const exact = data.length === size && sha256(data) === expectedSha(d.file);
    if (!exact) return { type: "ok", attempts: got.attempts ?? 1, value: { ...base, bytes: data.length, exact, abandoned: false, billed: false } satisfies DownloadResult };
    // The receipt, sent until answered: billing is idempotent per download id.
    const receipt = await retryUntil(
      async () => {
        const r = await httpCall(`${this.spec.baseUrl}/receipts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ download: d.download, file: d.file, sha256: sha256(data) }), timeoutMs: 1000, agent: this.agent });
        if ("error" in r) return { again: r.error, certain: r.certain };
        if (r.status === 200) return { done: { type: "ok" } };
        if (r.status === 409 || r.status === 400) return { done: { type: "fail", error: r.body.slice(0, 200) } };
        return { again: `HTTP ${r.status}` };
      },
      { deadlineMs: Math.max(1000, this.spec.deadlineMs - (Date.now() - started)), backoffMs: 100 },
      signal,
    );
    const value: DownloadResult = { ...base, bytes: data.length, exact, abandoned: false, billed: receipt.type === "ok" };
    // The receipt's fate unknown: so is whether the download was billed.
    return { type: receipt.type === "ok" ? "ok" : receipt.type, value, attempts: (got.attempts ?? 1) + (receipt.attempts ?? 1) - 1, ...(receipt.error ? { error: receipt.error } : {}) };
  }

  close(): Promise<void> {
    this.agent.destroy();
    return Promise.resolve();
  }
}
