// A started lab as one typed handle, in the shape of testcontainers' StartedTestContainer:
// `up()` returns one for the lab it brought up, `attach()` reads one back from the engine
// for a lab another process started. It carries what every consumer of a running lab
// needs (the topology, its routers' and agents' addresses, fault sessions, status) and
// disposes with `await using`: its fault sessions healed, then the lab removed.
import type { Plumbing } from "../docker/plumbing.js";
import { reap, type ReapResult } from "../docker/reap.js";
import { readFaultContext, type FaultContext } from "../faults/context.js";
import { HandleSessions, type FaultEventSink, type FaultSession } from "../faults/inject.js";
import { machineStatus, type MachineStatus } from "./status.js";

export interface StartedLab extends FaultContext, AsyncDisposable {
  /** The lab id (the `nonstop.lab` label on everything it made). */
  readonly id: string;
  /** Whether disposing removes the lab: yes for `up()`'s handle, no for `attach()`'s unless asked. */
  readonly owned: boolean;
  /** From now on disposing leaves the lab up (a run kept for poking at); faults are still healed. */
  keep(): void;
  /** Parts, roles and published addresses now; `live` asks each agent for its runtime roles. */
  status(opts?: { live?: boolean }): Promise<MachineStatus>;
  /** A fault session on this lab; the lab heals it when disposed, if it is still open. */
  faults(onEvent?: FaultEventSink): FaultSession;
  /** Heals this handle's fault sessions and removes every labelled resource of the lab. Safe to call twice. */
  down(): Promise<ReapResult>;
}

export interface AttachOptions {
  /** Dispose removes the lab, as for a lab this process brought up (default: leave it up). */
  own?: boolean;
}

/** The handle of a lab that is up, read back from the engine (its topology rides on a label). */
export async function attach(plumbing: Plumbing, id: string, opts: AttachOptions = {}): Promise<StartedLab> {
  return startedLab(await readFaultContext(plumbing, id), opts.own ?? false);
}

/** The handle over a lab's context; `own`: disposing removes the lab. */
export function startedLab(ctx: FaultContext, own: boolean): StartedLab {
  let owned = own;
  const sessions = new HandleSessions(ctx);
  let removed: Promise<ReapResult> | undefined;
  const down = () =>
    (removed ??= (async () => {
      await sessions.healAll();
      return reap(ctx.plumbing, ctx.lab);
    })());
  return {
    ...ctx,
    id: ctx.lab,
    get owned() {
      return owned;
    },
    keep: () => {
      owned = false;
    },
    status: (o = {}) => machineStatus(ctx.plumbing, ctx.lab, o),
    faults: (onEvent) => sessions.session(onEvent),
    down,
    // A lab this process does not own is left up: only the faults it injected are healed.
    [Symbol.asyncDispose]: async () => {
      if (owned) await down();
      else await sessions.healAll();
    },
  };
}
