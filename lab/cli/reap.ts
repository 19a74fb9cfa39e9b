// `nonstop reap`: remove every labelled resource of one lab or of all of them.
import type { LabConfig } from "../config.js";
import { connectEngine } from "../docker/engine.js";
import { Plumbing } from "../docker/plumbing.js";
import { reap } from "../docker/reap.js";

export async function reapCommand(config: LabConfig, opts: { lab?: string; all?: boolean }): Promise<void> {
  const plumbing = new Plumbing(await connectEngine({ host: config.dockerHost }));
  const lab = opts.all ? undefined : (opts.lab ?? "default");
  const r = await reap(plumbing, lab);
  console.log(`reaped ${lab ? `lab ${lab}` : "all labs"}: ${r.containers} containers, ${r.networks} networks, ${r.volumes} volumes`);
}
