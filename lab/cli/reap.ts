// `nonstop reap`: remove every labelled resource of one lab or of all of them.
import type { LabConfig } from "../config.js";
import { connectEngine } from "../docker/engine.js";
import { Plumbing } from "../docker/plumbing.js";
import { reap, type ReapResult } from "../docker/reap.js";
import { healAppLab } from "../app/lifecycle.js";

/** One line per resource that could not be removed, and a failing exit; shared with `down`. */
export function reportLeftovers(r: ReapResult): void {
  for (const f of r.failures) console.error(`nonstop: could not remove ${f.kind} ${f.name}: ${f.why}`);
  if (r.failures.length > 0) process.exitCode = 1;
}

export async function reapCommand(config: LabConfig, opts: { lab?: string; all?: boolean }): Promise<void> {
  const plumbing = new Plumbing(await connectEngine({ host: config.dockerHost }));
  const lab = opts.all ? undefined : (opts.lab ?? "default");
  // A user's containers carry no lab label when the lab adopted them: their faults are
  // healed from the lab's ledger before the ledger itself is removed.
  for (const l of lab ? [lab] : await plumbing.labs()) await healAppLab(plumbing, l);
  const r = await reap(plumbing, lab);
  console.log(`reaped ${lab ? `lab ${lab}` : "all labs"}: ${r.containers} containers, ${r.networks} networks, ${r.volumes} volumes`);
  reportLeftovers(r);
}
