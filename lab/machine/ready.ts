// When a machine is ready: not when its containers run, but when every part answers
// through its 127.0.0.1 port, every CPU holds the same quorate membership view, and every
// service answers as primary through the edge router. One host and Swarm both wait so.
import { AgentClient } from "../agent/client.js";
import { LabError } from "../errors.js";
import type { Plumbing } from "../docker/plumbing.js";
import type { ImageSet } from "../images/build.js";
import type { Topology } from "../topology/types.js";
import { waitFor } from "../util/http.js";
import { servesAsPrimary } from "./service-probe.js";
import { machineStatus } from "./status.js";

/** What a bring-up works with, whichever engine it deploys to. */
export interface BringUp {
  plumbing: Plumbing;
  images: ImageSet;
  topology: Topology;
  progress: (line: string) => void;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Waits until the machine works, not just runs (see above). */
export async function waitForMachine(plumbing: Plumbing, t: Topology, progress: (line: string) => void, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const lab = t.lab;
  signal?.throwIfAborted();
  progress("waiting for every CPU agent to answer");
  await waitFor(
    "every CPU to answer its health check",
    async () => {
      const s = await machineStatus(plumbing, lab);
      const waiting = [...s.cpus, ...s.routers].filter((p) => p.health !== "healthy");
      // Thrown rather than returned, so a timeout names the parts it waited on.
      if (waiting.length > 0) throw new LabError(`not yet: ${waiting.map((p) => `${p.name} ${p.health} (${p.state})`).join(", ")}`);
      return s;
    },
    timeoutMs,
    100,
    signal,
  );
  // One more look, for every agent's published port.
  const status = await machineStatus(plumbing, lab);
  progress("waiting for the runtime: one membership view, and every service's primary");
  await waitFor(
    "every CPU to hold the same quorate membership view",
    async () => {
      const views = await Promise.all(
        status.cpus.map(async (c) => {
          const url = c.agentUrl;
          const rt = url ? await new AgentClient(c.name, () => Promise.resolve(url)).runtime(1000).catch(() => undefined) : undefined;
          return rt?.admitted && rt.quorate && rt.view.members.length === t.cpus.length ? rt.view.id : undefined;
        }),
      );
      return views.every((v) => v !== undefined && v === views[0]);
    },
    timeoutMs,
    100,
    signal,
  );
  for (const svc of status.services) {
    const port = svc.port;
    if (port === undefined) continue;
    await waitFor(
      `service ${svc.name} to answer through the edge router as primary`,
      () => servesAsPrimary(svc.kind, port),
      timeoutMs,
      50,
      signal,
    );
  }
}
