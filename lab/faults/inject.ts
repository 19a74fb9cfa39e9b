// Injecting a fault returns a handle whose heal() undoes it; handles work with
// `await using`. Every injection and heal is an event with millisecond timestamps, and
// every active fault is recorded in the engine (./ledger.ts) so `nonstop heal`, run from
// any process, can undo it. All of it works on a FaultTarget: the Tandem machine (a
// FaultContext, adapted by ./machine-target.ts) or a user's Compose project (../app/).
import { randomBytes } from "node:crypto";
import { errorMessage } from "../errors.js";
import type { FaultContext } from "./context.js";
import { activeFaults, removeMarker, writeMarker, type FaultRecord } from "./ledger.js";
import { machineTarget } from "./machine-target.js";
import type { AnyFault, FaultTarget } from "./target.js";
import { onInterrupt } from "../util/interrupt.js";

/** What the fault functions take: a system's fault target, or the machine's context as the machine's own callers hold it. */
export type Faultable = FaultTarget | FaultContext;

function targetOf(t: Faultable): FaultTarget {
  return "topology" in t ? machineTarget(t) : t;
}

export interface FaultEvent {
  /**
   * Epoch milliseconds. An injection is stamped when it was *issued*: its effect lands
   * somewhere between the call and its return, so a fault window must open at the call.
   * A heal is stamped when it finished, when the machine is whole again.
   */
  time: number;
  type: "fault.inject" | "fault.heal";
  id: string;
  fault: AnyFault;
  description: string;
  /** How long the call took, from start to the effect being in place. */
  tookMs: number;
}

export type FaultEventSink = (e: FaultEvent) => void;

export interface FaultHandle extends AsyncDisposable {
  readonly id: string;
  readonly fault: AnyFault;
  readonly injectedAt: number;
  heal(): Promise<void>;
}

export function newFaultId(): string {
  return `f${randomBytes(3).toString("hex")}`;
}

async function healRecord(t: FaultTarget, r: FaultRecord, onEvent?: FaultEventSink): Promise<void> {
  const t0 = performance.now();
  await t.revert(r.fault, r.undo, r.id);
  await removeMarker(t.plumbing, t.lab, r.id);
  onEvent?.({ time: Date.now(), type: "fault.heal", id: r.id, fault: r.fault, description: t.describe(r.fault), tookMs: performance.now() - t0 });
}

export async function inject(fault: AnyFault, on: Faultable, opts: { id?: string; onEvent?: FaultEventSink } = {}): Promise<FaultHandle> {
  const t = targetOf(on);
  const id = opts.id ?? newFaultId();
  const issuedAt = Date.now();
  const t0 = performance.now();
  const undo = await t.apply(fault, id);
  const tookMs = performance.now() - t0;
  const injectedAt = Date.now();
  const record: FaultRecord = { id, lab: t.lab, fault, injectedAt, undo };
  try {
    await writeMarker(t.plumbing, t.toolImage, record);
  } catch (err) {
    // Without a record no other process could heal it: undo now rather than leak it.
    await t.revert(fault, undo, id);
    throw err;
  }
  opts.onEvent?.({ time: issuedAt, type: "fault.inject", id, fault, description: t.describe(fault), tookMs });
  let healed: Promise<void> | undefined;
  const heal = () => (healed ??= healRecord(t, record, opts.onEvent));
  return { id, fault, injectedAt, heal, [Symbol.asyncDispose]: heal };
}

/** Heals one recorded fault by id, whichever process injected it. */
export async function healById(on: Faultable, id: string, onEvent?: FaultEventSink): Promise<boolean> {
  const t = targetOf(on);
  const r = (await activeFaults(t.plumbing, t.lab)).find((x) => x.id === id);
  if (!r) return false;
  await healRecord(t, r, onEvent);
  return true;
}

export interface HealAllResult {
  healed: string[];
  failed: { id: string; error: string }[];
}


/**
 * Heals every recorded fault (newest first, so stacked faults unwind in order), then
 * puts the system back to its plan, which also catches a fault whose injector died
 * before it could record it. Faults healed by waiting for a part to come back (a stopped
 * CPU rejoining the membership) go last and together: one after another, two CPU kills
 * took 46 s to heal.
 */
export async function healAll(on: Faultable, onEvent?: FaultEventSink): Promise<HealAllResult> {
  const t = targetOf(on);
  const result: HealAllResult = { healed: [], failed: [] };
  const heal = async (r: FaultRecord) => {
    try {
      await healRecord(t, r, onEvent);
      result.healed.push(r.id);
    } catch (err) {
      result.failed.push({ id: r.id, error: errorMessage(err) });
    }
  };
  const records = (await activeFaults(t.plumbing, t.lab)).reverse();
  for (const r of records.filter((x) => !t.revives(x.fault))) await heal(r);
  await Promise.all(records.filter((x) => t.revives(x.fault)).map(heal));
  await t.reconcile();
  return result;
}

/**
 * The faults one process injected, healed together on scope exit, on Ctrl-C and on
 * SIGTERM. `installSignalHandlers()` is for CLIs and scenario runners; tests use
 * `await using`.
 */
export class FaultSession implements AsyncDisposable {
  private readonly active = new Map<string, FaultHandle>();
  private removeHandlers: (() => void) | undefined;

  private readonly target: FaultTarget;

  constructor(
    on: Faultable,
    private readonly onEvent?: FaultEventSink,
  ) {
    this.target = targetOf(on);
  }

  async inject(fault: AnyFault, id?: string): Promise<FaultHandle> {
    const h = await inject(fault, this.target, { ...(id ? { id } : {}), ...(this.onEvent ? { onEvent: this.onEvent } : {}) });
    this.active.set(h.id, h);
    return h;
  }

  async heal(id: string): Promise<void> {
    const h = this.active.get(id);
    if (!h) return;
    this.active.delete(id);
    await h.heal();
  }

  get activeIds(): string[] {
    return [...this.active.keys()];
  }

  async healAll(): Promise<void> {
    // Newest first, so stacked faults unwind in order.
    for (const id of [...this.active.keys()].reverse()) await this.heal(id);
  }

  installSignalHandlers(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): void {
    this.removeHandlers?.();
    const handlers = onInterrupt(
      () => this.healAll().catch((err: unknown) => log(`nonstop: heal failed: ${errorMessage(err)}; run 'nonstop heal --lab ${this.target.lab}'`)),
      { what: () => `healing ${this.active.size} fault(s) before exit`, log },
    );
    this.removeHandlers = () => handlers[Symbol.dispose]();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.removeHandlers?.();
    await this.healAll();
  }
}

/**
 * The fault sessions a lab's handle opened: a StartedLab or a StartedApp heals them all
 * when it is disposed or taken down, whichever system it holds.
 */
export class HandleSessions {
  private readonly open = new Set<FaultSession>();

  constructor(private readonly on: Faultable) {}

  session(onEvent?: FaultEventSink): FaultSession {
    const s = new FaultSession(this.on, onEvent);
    this.open.add(s);
    return s;
  }

  /** Heals every session's faults; one that fails to heal does not stop the others. */
  async healAll(): Promise<void> {
    await Promise.all([...this.open].map((s) => s.healAll().catch(() => undefined)));
    this.open.clear();
  }
}
