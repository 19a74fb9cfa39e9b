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
