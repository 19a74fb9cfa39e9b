// Reaching other CPUs over one plane. Every call goes through the plane's router, on the
// proxy for this ordered pair, so the router's toxics (and its death) are what it feels.
import { httpGet } from "../../lab/util/http.js";
import { linksFrom } from "../../lab/topology/links.js";
import type { PlaneName, Topology } from "../../lab/topology/types.js";

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

export async function ping(t: Topology, from: string, to: string, plane: PlaneName, timeoutMs: number): Promise<PingResult> {
  const link = linksFrom(t, from).find((l) => l.to === to && l.plane === plane);
  if (!link) return { from, to, plane, ok: false, ms: 0, error: `no link ${from} -> ${to} on plane ${plane}` };
  const t0 = performance.now();
  try {
    const r = await httpGet(`http://${link.via.host}:${link.via.port}/health`, timeoutMs);
    if (r.status !== 200) throw new Error(`status ${r.status}`);
    const body = JSON.parse(r.body) as { cpu?: string };
    const ms = performance.now() - t0;
    return { from, to, plane, ok: body.cpu === to, ms, ...(body.cpu ? { answeredBy: body.cpu } : {}) };
  } catch (err) {
    return { from, to, plane, ok: false, ms: performance.now() - t0, error: err instanceof Error ? err.message : String(err) };
  }
}

export function pingAll(t: Topology, from: string, plane: PlaneName, timeoutMs: number): Promise<PingResult[]> {
  return Promise.all(t.cpus.filter((c) => c.name !== from).map((c) => ping(t, from, c.name, plane, timeoutMs)));
}
