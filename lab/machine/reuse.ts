// One running machine per topology, reused across scenarios, benchmark runs and tests:
// the lab's id is derived from its topology, so whoever asks for the same topology finds
// the same lab, reset and verified (./reset.ts) rather than brought up again. A reset that
// cannot prove the lab clean, or a lab that is not there, gives a fresh one, and the
// caller is told which it got and why. Only one shared lab runs at a time: two labs of
// four CPUs would starve each other on a 2-core machine.
import { createHash } from "node:crypto";
import type { Plumbing } from "../docker/plumbing.js";
import { reap } from "../docker/reap.js";
import { errorMessage } from "../errors.js";
import type { Topology } from "../topology/types.js";
import { resetMachine, type ResetReport } from "./reset.js";
import { attach, type StartedLab } from "./started.js";
import { readTopology } from "./status.js";
import { up, type UpOptions } from "./up.js";
import { withDefaults } from "./defaults.js";

/** Shared labs' ids start so; `reapShared` and a suite's teardown find them by it. */
export const SHARED_PREFIX = "shared-";

/** The id of the shared lab for a topology: the same topology, whatever lab it was resolved for, gives the same id. */
export function sharedLabId(t: Topology): string {
  const body = JSON.stringify({ ...t, lab: "" });
  return `${SHARED_PREFIX}${createHash("sha256").update(body).digest("hex").slice(0, 10)}`;
}

/** How a shared lab was had: reused after a reset that proved it clean, or brought up fresh (and why, when a reuse was refused). */
export interface SharedUse {
  reused: boolean;
  /** The reset's figures, when one ran. */
  reset?: ResetReport;
  /** Why a lab that was there was not reused: what the reset found, or why it failed. */
  freshBecause?: string;
}

export interface SharedLab {
  lab: StartedLab;
  use: SharedUse;
}

/**
 * The shared lab for `opts.topology`, whose `lab` must be `sharedLabId(topology)`. Its
 * handle does not own the lab: disposing heals this handle's faults and leaves it up for
 * the next use. `releaseShared` removes it when a use left it in doubt.
 */
export async function sharedLab(opts: UpOptions): Promise<SharedLab> {
  const { plumbing } = await withDefaults(opts);
  const t = opts.topology;
  for (const other of await plumbing.labs()) if (other.startsWith(SHARED_PREFIX) && other !== t.lab) await reap(plumbing, other);

  let freshBecause: string | undefined;
  let reset: ResetReport | undefined;
  if (await readTopology(plumbing, t.lab)) {
    try {
      const lab = await attach(plumbing, t.lab);
      reset = await resetMachine(lab, { ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
      if (reset.leftovers.length === 0) return { lab, use: { reused: true, reset } };
      freshBecause = `the reset found ${reset.leftovers.join("; ")}`;
    } catch (err) {
      freshBecause = `the reset failed: ${errorMessage(err)}`;
    }
    await reap(plumbing, t.lab);
  } else if ((await plumbing.container.list(t.lab)).length > 0) {
    // Parts without the topology's record: a bring-up that died half-way.
    await reap(plumbing, t.lab);
  }
  const lab = await up({ ...opts, plumbing });
  lab.keep();
  return { lab, use: { reused: false, ...(reset ? { reset } : {}), ...(freshBecause ? { freshBecause } : {}) } };
}

/** After a use that left the lab in doubt (the run failed mid-way), remove it: the next use starts fresh. */
export async function releaseShared(plumbing: Plumbing, lab: string): Promise<void> {
  await reap(plumbing, lab);
}

/** Removes every shared lab: the end of a suite, or `nonstop reap`'s usual sweep. */
export async function reapShared(plumbing: Plumbing): Promise<number> {
  const labs = (await plumbing.labs()).filter((l) => l.startsWith(SHARED_PREFIX));
  for (const l of labs) await reap(plumbing, l);
  return labs.length;
}
