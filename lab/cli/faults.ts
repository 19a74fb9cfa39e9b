// `nonstop fault | faults | heal`: break the machine by hand, see what is broken, mend it.
import { parseDuration } from "../util/duration.js";
import type { LabConfig } from "../config.js";
import { connectEngine } from "../docker/engine.js";
import { Plumbing } from "../docker/plumbing.js";
import { UsageError } from "../errors.js";
import { CLI_FAULT_KINDS, checkEngine, checkFault, checkFaultShape, faultFromCli, type FaultFlags } from "../faults/kinds/index.js";
import { machineTarget } from "../faults/machine-target.js";
import type { AnyFault, FaultTarget } from "../faults/target.js";
import { attach } from "../machine/started.js";
import { FaultSession, healAll, healById, inject, type FaultEvent } from "../faults/inject.js";
import { activeFaults } from "../faults/ledger.js";
import { APP_CLI_KINDS, appFaultFromCli, appKindForCli, checkAppFault, checkAppFaultShape } from "../app/faults/index.js";
import { readAppTarget } from "../app/target.js";
import { table } from "./output.js";

/** The lab's system as a fault target, and how a CLI fault becomes checked data for it. */
interface System {
  /** What healing puts back, for the heal's last line. */
  whole: string;
  target: FaultTarget;
  parse(kind: string, target: string | undefined, flags: FaultFlags): Promise<AnyFault>;
}

async function system(config: LabConfig, lab: string): Promise<System> {
  const plumbing = new Plumbing(await connectEngine({ host: config.dockerHost }));
  const app = await readAppTarget(plumbing, lab);
  if (app) {
    return {
      whole: `every helper removed; project ${app.record.project}'s containers running`,
      target: app.target,
      parse: async (kind, target, flags) => {
        if (!appKindForCli(kind)) throw new UsageError(`fault kind: '${kind}' is a fault of the Tandem machine; lab ${lab} runs Compose project ${app.record.project}, whose kinds are: ${APP_CLI_KINDS.join(", ")}`);
        // Everything is checked before anything is touched: no fault is half-applied.
        return checkAppFault(appFaultFromCli(kind, target, flags), await app.ctx.snapshot());
      },
    };
  }
  const ctx = await attach(plumbing, lab);
  return {
    whole: "routers reset, CPUs running at their quota and attached to every plane",
    target: machineTarget(ctx),
    parse: (kind, target, flags) => {
      if (appKindForCli(kind) && !CLI_FAULT_KINDS.includes(kind)) throw new UsageError(`fault kind: '${kind}' is a fault of a Compose project; lab ${lab} is the Tandem machine (start a project with 'nonstop up --compose FILE --lab ID')`);
      const fault = checkFault(faultFromCli(kind, target, flags, ctx.topology.cpus.map((c) => c.name)), ctx.topology);
      checkEngine(fault, ctx.parts.engine);
      return Promise.resolve(fault);
    },
  };
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
  // The input first: an unknown kind, or a kind's malformed arguments (no target, a plane
  // that is not one, a negative delay), are usage errors whether or not the lab is up. A
  // name both systems know must fit at least one of them; the lab then says which it is.
  const shapes = [
    ...(CLI_FAULT_KINDS.includes(kind) || !appKindForCli(kind) ? [() => checkFaultShape(faultFromCli(kind, target, flags, []))] : []),
    ...(appKindForCli(kind) ? [() => checkAppFaultShape(appFaultFromCli(kind, target, flags))] : []),
  ];
  const refused = shapes.map((check) => {
    try {
      check();
      return undefined;
    } catch (err) {
      if (err instanceof UsageError) return err;
      throw err;
    }
  });
  if (refused.every((e) => e !== undefined)) throw refused[0] ?? new UsageError(`fault kind: '${kind}' is unknown`);
  const sys = await system(config, flags.lab);
  const fault = await sys.parse(kind, target, flags);
  const json = flags.json ?? false;
  if (holdMs === undefined) {
    const h = await inject(fault, sys.target, { onEvent: (e) => printEvent(e, json) });
    if (!json) console.log(`it stays until healed:  npx nonstop heal ${h.id} --lab ${flags.lab}   (or every fault: npx nonstop heal --lab ${flags.lab})`);
    return;
  }
  // Held for a while, then healed; Ctrl-C or SIGTERM heal it too.
  await using session = new FaultSession(sys.target, (e) => printEvent(e, json));
  session.installSignalHandlers();
  await session.inject(fault);
  if (!json) console.log(`holding for ${holdMs / 1000}s (Ctrl-C heals it now)`);
  await new Promise((r) => setTimeout(r, holdMs));
}

export async function faultsCommand(config: LabConfig, flags: { lab: string; json?: boolean }): Promise<void> {
  const plumbing = new Plumbing(await connectEngine({ host: config.dockerHost }));
  const records = await activeFaults(plumbing, flags.lab);
  const target = records.length ? (await system(config, flags.lab)).target : undefined;
  const describe = (f: AnyFault) => target?.describe(f) ?? f.kind;
  if (flags.json) {
    console.log(JSON.stringify(records));
    return;
  }
  if (records.length === 0) {
    console.log(`no active faults in lab ${flags.lab}`);
    return;
  }
  const now = Date.now();
  console.log(table([["ID", "FAULT", "SINCE"], ...records.map((r) => [r.id, describe(r.fault), `${((now - r.injectedAt) / 1000).toFixed(1)}s ago`])]));
}

export async function healCommand(config: LabConfig, id: string | undefined, flags: { lab: string; json?: boolean }): Promise<void> {
  const { target, whole } = await system(config, flags.lab);
  const json = flags.json ?? false;
  if (id) {
    if (!(await healById(target, id, (e) => printEvent(e, json)))) {
      const ids = (await activeFaults(target.plumbing, flags.lab)).map((r) => r.id);
      throw new UsageError(`heal: no active fault '${id}' in lab ${flags.lab}; ${ids.length ? `active: ${ids.join(", ")}` : "none is active"}`);
    }
    return;
  }
  const r = await healAll(target, (e) => printEvent(e, json));
  if (!json) console.log(`lab ${flags.lab} healed: ${r.healed.length} recorded fault(s) undone; ${whole}`);
  if (r.failed.length > 0) {
    for (const f of r.failed) process.stderr.write(`nonstop: could not heal ${f.id}: ${f.error}\n`);
    process.exitCode = 1;
  }
}
