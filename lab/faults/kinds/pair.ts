// Pair faults: the primary of a service crashes at a chosen step of a commit, whichever
// CPU is the primary by then.
import { z } from "zod";
import { CRASH_STEPS } from "../../../runtime/pairs/crash.js";
import { UsageError } from "../../errors.js";
import { waitFor } from "../../util/http.js";
import { revive } from "./cpu.js";
import { primaryOf } from "./primary.js";
import { HEALED, kind, need, oneOf, partState } from "./kind.js";


export const pairFaults = {
  "pair.crash": kind({
    schema: z.object({ kind: z.literal("pair.crash"), service: z.string(), step: z.enum(CRASH_STEPS, { message: `allowed: ${CRASH_STEPS.join(", ")}` }) }).strict(),
    summary: "the service's primary crashes (its whole CPU) when its next commit reaches --step",
    describe: (f) => `pair.crash ${f.service} ${f.step}`,
    check: (f, t, at) => {
      oneOf(`${at}.service`, "service", f.service, t.services.map((s) => s.name));
      if (t.cpus.length < 2) throw new UsageError(`${at}: a crash point needs a backup to take over; this lab has one CPU`);
      if (f.step === "mid-data" && t.services.find((s) => s.name === f.service)?.kind !== "mail") throw new UsageError(`${at}.step: mid-data is a mail service's step; for ${f.service} use before-journal, after-journal, after-commit or before-ack`);
    },
    cli: { parse: (i) => ({ kind: "pair.crash", service: need("the service (e.g. transactions)", i.target), step: need("--step", i.flags.step) }) },
    apply: async (f, id, ctx) => {
      const cpu = await primaryOf(ctx, f.service);
      await ctx.agent(cpu).armCrash(id, f.service, f.step);
      // The fault is in place once the CPU has crashed, which its next commit does: a
      // schedule that heals soon after must not disarm a point that never had its moment.
      // A service with no traffic keeps it armed until healed.
      await waitFor(`${cpu} to reach its crash point`, async () => (await partState(ctx, cpu)) !== "running", 3000, 20).catch(() => undefined);
      return { cpu };
    },
    revert: async (_f, undo, id, ctx) => {
      // Fired: the CPU is down, and healing is repairing it. Not fired yet: disarm it.
      const reply = await ctx.agent(undo.cpu).disarmCrash(id).catch(() => undefined);
      if (reply?.disarmed) return HEALED;
      // It fired: the CPU is dead or dying (an exit a moment ago may not show yet). Let it
      // finish dying, then repair it.
      await waitFor(`${undo.cpu} to finish crashing`, async () => (await partState(ctx, undo.cpu)) !== "running", 3000, 50).catch(() => undefined);
      await revive(ctx, undo.cpu);
      return HEALED;
    },
  }),
};
