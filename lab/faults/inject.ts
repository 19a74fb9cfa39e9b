// Injecting a fault returns a handle whose heal() undoes it; handles work with
// `await using`. Every injection and heal is an event with millisecond timestamps, and
// every active fault is recorded in the engine (./ledger.ts) so `nonstop heal`, run from
// any process, can undo it.
import { randomBytes } from "node:crypto";
import { dockerName } from "../docker/plumbing.js";
import { errorMessage } from "../errors.js";
import { planMachine } from "../machine/plan.js";
import { planeAlias } from "../topology/links.js";
import { apply, revert, revives } from "./kinds/index.js";
import type { FaultContext } from "./context.js";
import { activeFaults, removeMarker, writeMarker, type FaultRecord } from "./ledger.js";
import { describeFault, type Fault } from "./kinds/index.js";
import { onInterrupt } from "../util/interrupt.js";

export interface FaultEvent {
  /**
   * Epoch milliseconds. An injection is stamped when it was *issued*: its effect lands
   * somewhere between the call and its return, so a fault window must open at the call.
   * A heal is stamped when it finished, when the machine is whole again.
   */
  time: number;
  type: "fault.inject" | "fault.heal";
  id: string;
  fault: Fault;
  description: string;
  /** How long the call took, from start to the effect being in place. */
  tookMs: number;
}

export type FaultEventSink = (e: FaultEvent) => void;

export interface FaultHandle extends AsyncDisposable {
  readonly id: string;
  readonly fault: Fault;
  readonly injectedAt: number;
  heal(): Promise<void>;
}

export function newFaultId(): string {
  return `f${randomBytes(3).toString("hex")}`;
}

async function healRecord(ctx: FaultContext, r: FaultRecord, onEvent?: FaultEventSink): Promise<void> {
  const t0 = performance.now();
  await revert(r.fault, r.undo, r.id, ctx);
  await removeMarker(ctx.plumbing, ctx.lab, r.id);
  onEvent?.({ time: Date.now(), type: "fault.heal", id: r.id, fault: r.fault, description: describeFault(r.fault), tookMs: performance.now() - t0 });
}

export async function inject(fault: Fault, ctx: FaultContext, opts: { id?: string; onEvent?: FaultEventSink } = {}): Promise<FaultHandle> {
  const id = opts.id ?? newFaultId();
  const issuedAt = Date.now();
  const t0 = performance.now();
  const undo = await apply(fault, id, ctx);
  const tookMs = performance.now() - t0;
  const injectedAt = Date.now();
  const record: FaultRecord = { id, lab: ctx.lab, fault, injectedAt, undo };
  try {
    await writeMarker(ctx.plumbing, ctx.toolImage, record);
  } catch (err) {
    // Without a record no other process could heal it: undo now rather than leak it.
    await revert(fault, undo, id, ctx);
    throw err;
  }
  opts.onEvent?.({ time: issuedAt, type: "fault.inject", id, fault, description: describeFault(fault), tookMs });
  let healed: Promise<void> | undefined;
  const heal = () => (healed ??= healRecord(ctx, record, opts.onEvent));
  return { id, fault, injectedAt, heal, [Symbol.asyncDispose]: heal };
}

/** Heals one recorded fault by id, whichever process injected it. */
export async function healById(ctx: FaultContext, id: string, onEvent?: FaultEventSink): Promise<boolean> {
  const r = (await activeFaults(ctx.plumbing, ctx.lab)).find((x) => x.id === id);
  if (!r) return false;
  await healRecord(ctx, r, onEvent);
  return true;
}

export interface HealAllResult {
  healed: string[];
  failed: { id: string; error: string }[];
}


/**
 * Heals every recorded fault (newest first, so stacked faults unwind in order), then
 * puts the machine back to its plan, which also catches a fault whose injector died
 * before it could record it. Stopped CPUs are revived last and together: each waits to
 * rejoin the membership, and one after another they took 46 s for two kills.
 */
export async function healAll(ctx: FaultContext, onEvent?: FaultEventSink): Promise<HealAllResult> {
  const result: HealAllResult = { healed: [], failed: [] };
  const heal = async (r: FaultRecord) => {
    try {
      await healRecord(ctx, r, onEvent);
      result.healed.push(r.id);
    } catch (err) {
      result.failed.push({ id: r.id, error: errorMessage(err) });
    }
  };
  const records = (await activeFaults(ctx.plumbing, ctx.lab)).reverse();
  // Faults healed by starting a CPU again and waiting for it to rejoin take seconds each,
  // and are independent of one another: those go last, together.
  for (const r of records.filter((x) => !revives(x.fault.kind))) await heal(r);
  await Promise.all(records.filter((x) => revives(x.fault.kind)).map(heal));
  await reconcile(ctx);
  return result;
}

/** Every CPU and router running, attached as planned, at its planned quota; no toxics; every link up. */
export async function reconcile(ctx: FaultContext): Promise<void> {
  const { plumbing, lab, topology: t } = ctx;
  const parts = await plumbing.container.list(lab);
  const routerImage = parts.find((c) => c.role === "router")?.image ?? ctx.toolImage;
  const plan = planMachine(t, { cpu: ctx.toolImage, router: routerImage }, ctx.vips);
  await Promise.all(
    parts
      .filter((c) => c.role === "cpu" || c.role === "router")
      .map((c) => plumbing.container.ensureRunning(c.id)),
  );
  await Promise.all(
    t.cpus.map(async (cpu) => {
      const id = dockerName(lab, cpu.name);
      await plumbing.container.setCpus(id, cpu.cpus);
      const attached = (await plumbing.container.inspect(id)).addresses;
      for (const p of t.planes) {
        if (!attached[dockerName(lab, p.network)]) await plumbing.network.connect(dockerName(lab, p.network), id, [planeAlias(cpu.name, p.name)]);
      }
    }),
  );
  await Promise.all(
    plan.routers.map(async (r) => {
      const router = await ctx.router(r.spec.name).catch(() => undefined);
      if (!router) return;
      for (let i = 0; i < 100; i++) {
        if (await router.version().then(() => true, () => false)) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      await router.reset();
      await router.ensureProxies(r.proxies);
    }),
  );
}

/**
 * The faults one process injected, healed together on scope exit, on Ctrl-C and on
 * SIGTERM. `installSignalHandlers()` is for CLIs and scenario runners; tests use
 * `await using`.
 */
export class FaultSession implements AsyncDisposable {
  private readonly active = new Map<string, FaultHandle>();
  private removeHandlers: (() => void) | undefined;

  constructor(
    private readonly ctx: FaultContext,
    private readonly onEvent?: FaultEventSink,
  ) {}

  async inject(fault: Fault, id?: string): Promise<FaultHandle> {
    const h = await inject(fault, this.ctx, { ...(id ? { id } : {}), ...(this.onEvent ? { onEvent: this.onEvent } : {}) });
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
      () => this.healAll().catch((err: unknown) => log(`nonstop: heal failed: ${errorMessage(err)}; run 'nonstop heal --lab ${this.ctx.lab}'`)),
      { what: () => `healing ${this.active.size} fault(s) before exit`, log },
    );
    this.removeHandlers = () => handlers[Symbol.dispose]();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.removeHandlers?.();
    await this.healAll();
  }
}
