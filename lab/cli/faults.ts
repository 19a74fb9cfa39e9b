// `nonstop fault | faults | heal`: break the machine by hand, see what is broken, mend it.
import { parseDuration } from "../util/duration.js";
import type { LabConfig } from "../config.js";
import { connectEngine } from "../docker/engine.js";
import { Plumbing } from "../docker/plumbing.js";
import { UsageError } from "../errors.js";
import { checkFaultKind, faultFromCli, type FaultFlags } from "../faults/kinds/index.js";
import type { FaultContext } from "../faults/context.js";
import { attach } from "../machine/started.js";
import { FaultSession, healAll, healById, inject, type FaultEvent } from "../faults/inject.js";
import { activeFaults } from "../faults/ledger.js";
import { checkFault } from "../faults/kinds/index.js";
import { describeFault } from "../faults/kinds/index.js";
import { table } from "./output.js";

async function context(config: LabConfig, lab: string): Promise<FaultContext> {
  return attach(new Plumbing(await connectEngine({ host: config.dockerHost })), lab);
}

function printEvent(e: FaultEvent, json: boolean): void {
  if (json) console.log(JSON.stringify(e));
  else console.log(`${e.type === "fault.inject" ? "injected" : "healed"} ${e.id}: ${e.description} (${e.tookMs.toFixed(0)} ms)`);
}

export async function faultCommand(
  config: LabConfig,
  kind: string,
  target: string | undefined,
  flags: FaultFlags & { lab: string; for?: string; json?: boolean },
): Promise<void> {
  const holdMs = flags.for !== undefined ? parseDuration("--for", flags.for, { bareSeconds: true }) : undefined;
  // The input first: an unknown kind is a usage error whether or not the lab is up.
  checkFaultKind(kind);
  const ctx = await context(config, flags.lab);
  // Everything is checked before anything is touched: no fault is half-applied.
  const fault = checkFault(faultFromCli(kind, target, flags, ctx.topology.cpus.map((c) => c.name)), ctx.topology);
  const json = flags.json ?? false;
  if (holdMs === undefined) {
    const h = await inject(fault, ctx, { onEvent: (e) => printEvent(e, json) });
    if (!json) console.log(`it stays until healed:  npx nonstop heal ${h.id} --lab ${flags.lab}   (or every fault: npx nonstop heal --lab ${flags.lab})`);
    return;
  }
  // Held for a while, then healed; Ctrl-C or SIGTERM heal it too.
  await using session = new FaultSession(ctx, (e) => printEvent(e, json));
  session.installSignalHandlers();
  await session.inject(fault);
  if (!json) console.log(`holding for ${holdMs / 1000}s (Ctrl-C heals it now)`);
  await new Promise((r) => setTimeout(r, holdMs));
}

export async function faultsCommand(config: LabConfig, flags: { lab: string; json?: boolean }): Promise<void> {
  const plumbing = new Plumbing(await connectEngine({ host: config.dockerHost }));
  const records = await activeFaults(plumbing, flags.lab);
  if (flags.json) {
    console.log(JSON.stringify(records));
    return;
  }
  if (records.length === 0) {
    console.log(`no active faults in lab ${flags.lab}`);
    return;
  }
  const now = Date.now();
  console.log(table([["ID", "FAULT", "SINCE"], ...records.map((r) => [r.id, describeFault(r.fault), `${((now - r.injectedAt) / 1000).toFixed(1)}s ago`])]));
}

export async function healCommand(config: LabConfig, id: string | undefined, flags: { lab: string; json?: boolean }): Promise<void> {
  const ctx = await context(config, flags.lab);
  const json = flags.json ?? false;
  if (id) {
    if (!(await healById(ctx, id, (e) => printEvent(e, json)))) {
      const ids = (await activeFaults(ctx.plumbing, flags.lab)).map((r) => r.id);
      throw new UsageError(`heal: no active fault '${id}' in lab ${flags.lab}; ${ids.length ? `active: ${ids.join(", ")}` : "none is active"}`);
    }
    return;
  }
  const r = await healAll(ctx, (e) => printEvent(e, json));
  if (!json) console.log(`lab ${flags.lab} healed: ${r.healed.length} recorded fault(s) undone; routers reset, CPUs running at their quota and attached to every plane`);
  if (r.failed.length > 0) {
    for (const f of r.failed) process.stderr.write(`nonstop: could not heal ${f.id}: ${f.error}\n`);
    process.exitCode = 1;
  }
}
