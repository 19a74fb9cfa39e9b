// Reaching other CPUs over one plane: a round trip on this CPU's own ServerNet link to the
// peer, through the plane's router on the proxy for this ordered pair, so the router's
// toxics (and its death) are what it feels.
import type { PlaneName, Topology } from "../../lab/topology/types.js";
import type { Transport } from "../membership/transport.js";

export interface PingResult {
  from: string;
  to: string;
  plane: PlaneName;
  ok: boolean;
  ms: number;
  /** The CPU that answered, as it says; proves the link reached the right one. */
  answeredBy?: string;
  error?: string;
}

export async function ping(transport: Transport, from: string, to: string, plane: PlaneName, timeoutMs: number): Promise<PingResult> {
  const t0 = performance.now();
  try {
    const r = await transport.ping(to, plane, timeoutMs);
    return { from, to, plane, ok: r.cpu === to, ms: r.ms, answeredBy: r.cpu };
  } catch (err) {
    return { from, to, plane, ok: false, ms: performance.now() - t0, error: err instanceof Error ? err.message : String(err) };
  }
}

export function pingAll(transport: Transport, t: Topology, from: string, plane: PlaneName, timeoutMs: number): Promise<PingResult[]> {
  return Promise.all(t.cpus.filter((c) => c.name !== from).map((c) => ping(transport, from, c.name, plane, timeoutMs)));
}
