// One HTTP request for the service clients, with a deadline, on the client's own agent
// (keep-alive, as real clients are). Never throws: says what happened.
import { request, type Agent } from "node:http";

import type { Attempt } from "./retry.js";
import type { Outcome } from "./types.js";

export type CallResult = { status: number; body: string; node?: string } | { error: string; certain: boolean };

/**
 * An answer as an attempt of an operation that is safe to repeat: 200 is done (as `ok`
 * makes it), a 4xx is a final refusal, and anything else (no answer, a 5xx) is worth
 * sending again.
 */
export function attemptOf(r: CallResult, ok: (r: { status: number; body: string; node?: string }) => Outcome): Attempt {
  if ("error" in r) return { again: r.error, certain: r.certain };
  if (r.status === 200) return { done: ok(r) };
  if (r.status >= 400 && r.status < 500) return { done: { type: "fail", error: `HTTP ${r.status}: ${r.body.slice(0, 200)}` } };
  return { again: `HTTP ${r.status}` };
}

const NOTHING_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);

export function httpCall(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs: number; agent: Agent }): Promise<CallResult> {
  return new Promise((resolve) => {
    let timedOut = false;
    const req = request(url, { method: opts.method ?? "GET", headers: opts.headers, agent: opts.agent, timeout: opts.timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        let node: string | undefined;
        try {
          const cpu = (JSON.parse(body) as { cpu?: unknown }).cpu;
          if (typeof cpu === "string") node = cpu;
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, body, ...(node ? { node } : {}) });
      });
      res.on("error", (err) => resolve({ error: err.message, certain: false }));
    });
    req.on("timeout", () => {
      timedOut = true;
      req.destroy();
    });
    req.on("error", (err: NodeJS.ErrnoException) => resolve(timedOut ? { error: `timeout after ${opts.timeoutMs} ms`, certain: false } : { error: err.code ?? err.message, certain: NOTHING_SENT.has(err.code ?? "") }));
    req.end(opts.body);
  });
}
