// An HTTP client for workloads: keep-alive connections that reconnect on their own, a
// per-operation deadline, and an honest verdict. A refused connection did nothing (fail);
// a timeout or a connection cut after the request went out may have done something (info),
// unless the operation is idempotent, where retrying or failing is safe.
import { Agent, request } from "node:http";
import type { Client, Operation, Outcome, RetryPolicy } from "./types.js";

export interface HttpClientSpec {
  /** e.g. http://127.0.0.1:32778 */
  baseUrl: () => Promise<string> | string;
  /** Maps an operation to a request. */
  request: (op: Operation) => { method: string; path: string; body?: string };
  /** Reads the CPU that served it, and the result, from a 2xx response. */
  parse?: (status: number, body: string) => { value?: unknown; node?: string };
  timeoutMs: number;
  /** Operations safe to repeat: an unknown outcome of these counts as fail. */
  idempotent?: (op: Operation) => boolean;
  retry?: RetryPolicy;
  keepAlive?: boolean;
  /** Connections to keep open at most (default 1,024): set it above rate × deadline. */
  maxSockets?: number;
}

const NOTHING_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);

export class HttpClient implements Client {
  private readonly agent: Agent;

  constructor(private readonly spec: HttpClientSpec) {
    // A generous cap on sockets. An open-loop client must not queue requests behind its
    // own pool: with 256, the requests that hang through a takeover (200/s for a 1 s
    // timeout) filled it, and every later request waited for a slot, which showed as a
    // second of outage the service never had. Unbounded, a 12,000/s load spends itself
    // opening connections. 1,024 covers a 1 s deadline at 1,000/s with room to spare.
    this.agent = new Agent({ keepAlive: spec.keepAlive ?? true, maxSockets: spec.maxSockets ?? 1024 });
  }

  private once(base: string, op: Operation): Promise<Outcome> {
    const req = this.spec.request(op);
    const idempotent = this.spec.idempotent?.(op) ?? req.method === "GET";
    return new Promise((resolve) => {
      let timedOut = false;
      // No abort signal on the request: stopping a workload lets operations in flight finish
      // (each bounded by its deadline), so none is recorded as cut short by us.
      const r = request(`${base}${req.path}`, { method: req.method, agent: this.agent, timeout: this.spec.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          const body = Buffer.concat(chunks).toString("utf8");
          if (status >= 200 && status < 300) {
            const parsed = this.spec.parse?.(status, body) ?? {};
            resolve({ type: "ok", ...parsed });
          } else resolve({ type: status >= 500 && !idempotent ? "info" : "fail", error: `HTTP ${status}` });
        });
        res.on("error", (err) => resolve({ type: idempotent ? "fail" : "info", error: err.message }));
      });
      r.on("timeout", () => {
        timedOut = true;
        r.destroy();
      });
      r.on("error", (err: NodeJS.ErrnoException) => {
        if (timedOut) return resolve({ type: idempotent ? "fail" : "info", error: `timeout after ${this.spec.timeoutMs} ms` });
        const certain = NOTHING_SENT.has(err.code ?? "");
        resolve({ type: certain || idempotent ? "fail" : "info", error: err.code ?? err.message });
      });
      if (req.body !== undefined) r.end(req.body);
      else r.end();
    });
  }

  async invoke(op: Operation, signal: AbortSignal): Promise<Outcome> {
    const base = await this.spec.baseUrl();
    const retry = this.spec.retry ?? { retries: 0, backoffMs: 0 };
    let outcome = await this.once(base, op);
    let attempts = 1;
    for (let n = 0; n < retry.retries && outcome.type === "fail" && !signal.aborted; n++) {
      await new Promise((r) => setTimeout(r, retry.backoffMs));
      outcome = await this.once(await this.spec.baseUrl(), op);
      attempts++;
    }
    return { ...outcome, attempts };
  }

  close(): Promise<void> {
    this.agent.destroy();
    return Promise.resolve();
  }
}
