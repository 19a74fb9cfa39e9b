// What a built-in client of a real system gives the workload: the operations it makes, how
// each went, and a final read of what the system holds (for the append workloads).
import type { Operation, Outcome } from "../../workload/types.js";

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
