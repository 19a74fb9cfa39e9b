// Sending again until done or out of time, as the paper's protocols do after a failover:
// an SMTP client resends, a browser reloads, an NFS client retransmits, a shop retries a
// payment with the same idempotency key. Only an operation safe to repeat may use this.
import type { Outcome } from "./types.js";

export type Attempt = { done: Outcome } | { again: string; certain?: boolean };

export interface RetryUntil {
  /** Give up (outcome unknown) this long after the first attempt. */
  deadlineMs: number;
  backoffMs: number;
}

/**
 * Runs `attempt` until it is done or the deadline passes. Out of time, the outcome is
 * unknown (info) if any attempt may have reached the server, and fail only if every one
 * certainly did nothing (`certain`: the connection was refused).
 */
export async function retryUntil(attempt: (n: number) => Promise<Attempt>, r: RetryUntil, signal?: AbortSignal): Promise<Outcome> {
  const deadline = Date.now() + r.deadlineMs;
  let allCertain = true;
  let last = "";
  for (let n = 1; ; n++) {
    const a = await attempt(n);
    if ("done" in a) return { ...a.done, attempts: n };
    allCertain &&= a.certain === true;
    last = a.again;
    if (Date.now() + r.backoffMs >= deadline || signal?.aborted === true) return { type: allCertain ? "fail" : "info", error: `gave up after ${n} attempts: ${last}`, attempts: n };
    await new Promise((res) => setTimeout(res, r.backoffMs));
  }
}
