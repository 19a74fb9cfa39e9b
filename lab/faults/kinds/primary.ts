// Which CPU holds a service's primary: asked of every CPU's runtime, for the faults that
// aim at the primary wherever it is (pair.crash, and cpu.* with cpu: primary:<service>).
import { waitFor } from "../../util/http.js";
import type { FaultContext } from "../context.js";

/** The CPU whose runtime is the primary of `service` now, or once a takeover under way ends. */
export async function primaryOf(ctx: FaultContext, service: string): Promise<string> {
  const ask = async (cpu: string): Promise<string | undefined> => {
    // A CPU that is down (say, still rebooting from the last crash) is nobody's primary.
    const rt = await ctx.agent(cpu).runtime(1000).catch(() => undefined);
    return rt?.pairs.some((p) => p.service === service && p.role === "primary") ? cpu : undefined;
  };
  // Asked in the instant after the last primary died (a crash sweep's next step, a busy
  // machine), no CPU is primary yet: the fault means the next one, so wait for the
  // takeover rather than fail the schedule. Five seconds is well past any takeover.
  return waitFor(
    `a CPU to be the primary of ${service}`,
    async () => (await Promise.all(ctx.topology.cpus.map((c) => ask(c.name)))).find((c) => c !== undefined),
    5000,
    50,
  ).catch(() => {
    throw new Error(`no CPU is the primary of ${service} now`);
  });
}
