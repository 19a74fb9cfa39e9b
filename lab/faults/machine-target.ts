// The Tandem machine as a fault target: its kinds (./kinds/), and the reconcile that puts
// every CPU and router back as planned after a heal.
import { dockerName } from "../docker/plumbing.js";
import { LabError } from "../errors.js";
import { planMachine } from "../machine/plan.js";
import { planeAlias } from "../topology/links.js";
import type { FaultContext } from "./context.js";
import { FAULT_KINDS, apply, checkEngine, describeFault, revert, revives, type Fault, type FaultKind } from "./kinds/index.js";
import type { FaultTarget } from "./target.js";

function machineFault(f: { kind: string }): Fault {
  if (!(FAULT_KINDS as readonly string[]).includes(f.kind)) throw new LabError(`${f.kind} is not a fault of the Tandem machine`);
  return f as Fault;
}

/** A machine fault's label, for code that holds faults of either system. */
export function describeMachineFault(f: { kind: string }): string {
  return describeFault(machineFault(f));
}

export function machineTarget(ctx: FaultContext): FaultTarget {
  return {
    lab: ctx.lab,
    plumbing: ctx.plumbing,
    toolImage: ctx.toolImage,
    apply: (f, id) => {
      checkEngine(f, ctx.parts.engine);
      return apply(machineFault(f), id, ctx);
    },
    // The ledger gives back what apply returned for this very fault.
    revert: (f, undo, id) => revert(machineFault(f), undo as never, id, ctx),
    describe: describeMachineFault,
    revives: (f) => revives(f.kind as FaultKind),
    reconcile: () => reconcile(ctx),
  };
}

/** Every CPU and router running, attached as planned, at its planned quota; no toxics; every link up. */
export async function reconcile(ctx: FaultContext): Promise<void> {
  const { lab, topology: t } = ctx;
  const parts = await ctx.parts.list();
  const routerImage = parts.find((c) => c.role === "router")?.image ?? ctx.toolImage;
  const plan = planMachine(t, { cpu: ctx.toolImage, router: routerImage }, ctx.vips);
  await Promise.all([...t.cpus.map((c) => c.name), ...plan.routers.map((r) => r.spec.name)].map((name) => ctx.parts.start(name)));
  await Promise.all(
    t.cpus.map(async (cpu) => {
      const { plumbing, id } = await ctx.parts.locate(cpu.name);
      await plumbing.container.setCpus(id, cpu.cpus);
      // On Swarm a task keeps its service's networks (node.isolate is refused there).
      if (ctx.parts.engine !== "host") return;
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

