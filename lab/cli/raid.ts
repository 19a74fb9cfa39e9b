// `nonstop raid status | scrub`: the mirrors as each CPU's RAID-1 driver sees them, and a
// scrub (verify everything, repair bad copies, rebuild a blank or returning mirror).
import type { LabConfig } from "../config.js";
import { connectEngine } from "../docker/engine.js";
import { Plumbing } from "../docker/plumbing.js";
import { LabError } from "../errors.js";
import { attach } from "../machine/started.js";
import { table } from "./output.js";

interface MirrorStatus {
  name: string;
  state: string;
  error?: string;
  repaired: number;
  rebuild?: { done: number; files: number };
}

export async function raidCommand(config: LabConfig, action: "status" | "scrub", flags: { lab: string; json?: boolean }): Promise<void> {
  const ctx = await attach(new Plumbing(await connectEngine({ host: config.dockerHost })), flags.lab);
  const rows: { cpu: string; mirrors?: MirrorStatus[]; scrub?: unknown; error?: string }[] = [];
  for (const c of ctx.topology.cpus) {
    try {
      if (action === "scrub") {
        // Every CPU scrubs the files it writes; together they cover the disk.
        rows.push({ cpu: c.name, scrub: await ctx.agent(c.name).scrub() });
        continue;
      }
      rows.push({ cpu: c.name, mirrors: (await ctx.agent(c.name).runtime(2000)).raid });
    } catch (err) {
      rows.push({ cpu: c.name, error: err instanceof Error ? err.message : String(err) });
    }
  }
  if (rows.every((r) => r.error)) throw new LabError(`raid ${action}: no CPU of lab ${flags.lab} answered`);
  if (flags.json) {
    console.log(JSON.stringify(rows));
    return;
  }
  if (action === "scrub") {
    for (const r of rows) console.log(`${r.cpu}: ${r.error ? `unreachable (${r.error})` : JSON.stringify(r.scrub)}`);
    return;
  }
  console.log(
    table([
      ["CPU", ...ctx.topology.disks.map((d) => d.name.toUpperCase())],
      ...rows.map((r) => [r.cpu, ...ctx.topology.disks.map((d) => {
        if (r.error) return "unreachable";
        const m = r.mirrors?.find((x) => x.name === d.name);
        return m ? `${m.rebuild ? `rebuilding ${m.rebuild.done}/${m.rebuild.files}` : m.state}${m.repaired ? ` (${m.repaired} repaired)` : ""}${m.error ? `: ${m.error.slice(0, 40)}` : ""}` : "-";
      })]),
    ]),
  );
}
