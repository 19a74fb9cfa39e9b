// A client performs one operation against a service and says how it ended. The workload
// (./open-loop.ts) decides *when*; the client only *how*.

export interface Operation {
  f: string;
  value?: unknown;
  /** Its number in the workload (the open loop's i), for a client that spreads its load by it. */
  index?: number;
}

export interface Outcome {
  /** ok: done. fail: certainly not done. info: unknown (timed out or cut mid-way). */
  type: "ok" | "fail" | "info";
  value?: unknown;
  /** The CPU that served it, where the service says. */
  node?: string;
  error?: string;
  /** How many times the client sent it (more than 1: it survived only by a retry). */
  attempts?: number;
}

export interface Client {
  invoke(op: Operation, signal: AbortSignal): Promise<Outcome>;
  close(): Promise<void>;
}

export interface RetryPolicy {
  /** Extra attempts after a failure that certainly did nothing (fail), never after info. */
  retries: number;
  backoffMs: number;
}
