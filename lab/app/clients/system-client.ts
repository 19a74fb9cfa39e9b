// What a built-in client of a real system gives the workload: the operations it makes, how
// each went, and a final read of what the system holds (for the append workloads).
import { errorMessage } from "../../errors.js";
import type { Operation, Outcome } from "../../workload/types.js";
import type { Endpoint } from "./primary.js";

export interface SystemClient {
  /** The i-th operation; `tag` is unique to the run, so a value is never another run's. */
  op(i: number, tag: string): Operation;
  invoke(op: Operation, signal: AbortSignal): Promise<Outcome>;
  finalRead?(): Promise<unknown[]>;
  close(): Promise<void>;
}

/**
 * The operations of the two workloads, alike for every system: append writes a value
 * unique to the operation (f "add", which lostWrites and duplicates read); register
 * alternates a write of such a value and a read of the one key (the linearizable check).
 */
export function workloadOp(workload: "append" | "register"): (i: number, tag: string) => Operation {
  return (i, tag) => {
    const value = `${tag}-${i}`;
    if (workload === "append") return { f: "add", value };
    return i % 2 === 0 ? { f: "write", value } : { f: "read" };
  };
}

/** How one system performs the workloads' three operations; each says which server answered. */
export interface SystemOps {
  add(value: string, signal: AbortSignal): Promise<Endpoint>;
  write(value: string, signal: AbortSignal): Promise<Endpoint>;
  read(signal: AbortSignal): Promise<{ endpoint: Endpoint; value: unknown }>;
}

/**
 * `invoke` from a system's operations: ok, with the server that answered; a read that
 * failed changed nothing, whatever the error (fail); a write that failed is what the
 * system's own error says (`outcome`: fail when it certainly did nothing, else info).
 */
export function invokeWith(ops: SystemOps, outcome: (err: unknown) => Outcome): SystemClient["invoke"] {
  return async (op, signal) => {
    try {
      if (op.f === "add") return { type: "ok", node: (await ops.add(String(op.value), signal)).target };
      if (op.f === "write") return { type: "ok", node: (await ops.write(String(op.value), signal)).target };
      const { endpoint, value } = await ops.read(signal);
      return { type: "ok", value, node: endpoint.target };
    } catch (err) {
      return op.f === "read" ? { type: "fail", error: errorMessage(err) } : outcome(err);
    }
  };
}
