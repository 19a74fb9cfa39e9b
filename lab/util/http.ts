// A one-shot HTTP GET with a deadline, on a fresh connection (no keep-alive), so that
// every call crosses the router's accept and a fault is seen by the very next call.
import { request } from "node:http";
import { LabError } from "../errors.js";

export interface HttpResult {
  status: number;
  body: string;
  ms: number;
}

export function httpGet(url: string, timeoutMs = 5_000): Promise<HttpResult> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), ms: performance.now() - t0 }));
      res.on("error", reject);
    });
    let timedOut = false;
    // Node reports a destroyed request as "socket hang up"; say what really happened.
    req.on("timeout", () => {
      timedOut = true;
      req.destroy();
    });
    req.on("error", (err) => reject(timedOut ? new Error(`no answer from ${url} in ${timeoutMs} ms`) : err));
    req.end();
  });
}

export async function httpJson<T>(url: string, timeoutMs = 5_000): Promise<T> {
  const r = await httpGet(url, timeoutMs);
  if (r.status !== 200) throw new Error(`GET ${url}: ${r.status} ${r.body.slice(0, 200)}`);
  return JSON.parse(r.body) as T;
}

/** Polls until `probe` resolves truthy or the deadline passes. */
/** Polls `probe` until it gives a value; gives up at the deadline, or at once when `signal` aborts (a run interrupted by Ctrl-C). */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 100, signal?: AbortSignal): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new LabError(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
