// The system under test, as the fault machinery sees it: what it is called, how a fault of
// its kinds is applied, healed and described, and how the system is put back to its plan.
// The Tandem machine (./machine-target.ts) and a user's Compose project
// (../app/target.ts) are the two; injection, the ledger, sessions, `nonstop heal` and
// the scenario runner work on either through this alone.
import type { AppFault } from "../app/faults/index.js";
import type { Plumbing } from "../docker/plumbing.js";
import type { Fault } from "./kinds/index.js";
import type { Healed } from "./kinds/kind.js";

/**
 * A fault of either system. A lab is one system or the other, and its faults are applied
 * by that system's target, so the two may share a kind's name (disk.corrupt: a mirror of
 * the machine's disk, or a file on a user's volume).
 */
export type AnyFault = Fault | AppFault;

export interface FaultTarget {
  readonly lab: string;
  readonly plumbing: Plumbing;
  /** The image that fault markers and helper containers are made from. */
  readonly toolImage: string;
  /** Breaks the system; returns what the heal will need, recorded in the ledger. */
  apply(f: AnyFault, id: string): Promise<unknown>;
  /** Undoes the fault; safe to repeat. */
  revert(f: AnyFault, undo: unknown, id: string): Promise<Healed>;
  describe(f: AnyFault): string;
  /** Healed by waiting for a part to come back: healAll runs these together, last. */
  revives(f: AnyFault): boolean;
  /** After every recorded fault is healed: the system as planned again. */
  reconcile(): Promise<void>;
}
