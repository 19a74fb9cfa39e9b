// What the console draws: the machine as the engine and the CPUs themselves report it.
// Every part is asked through its 127.0.0.1 port; a part that does not answer is shown as
// such, never guessed.
import { AgentClient } from "../agent/client.js";
import { appContainers } from "../app/system.js";
import type { Plumbing } from "../docker/plumbing.js";
import { machineStatus } from "../machine/status.js";
import { httpGet } from "../util/http.js";
import type { ConsoleState, CpuView } from "./types.js";

export type { ConsoleState, CpuView } from "./types.js";

/** Sum of every proxy's received bytes, from a router's Prometheus metrics (-proxy-metrics). */
export function bytesFromMetrics(text: string): number | undefined {
  let total = 0;
  let seen = false;
  for (const line of text.split("\n")) {
    if (!line.startsWith("toxiproxy_proxy_received_bytes_total")) continue;
    const v = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (Number.isFinite(v)) {
      total += v;
      seen = true;
    }
  }
  return seen ? total : undefined;
}

/** Live bytes/s per plane: the change in each plane router's byte count between two looks. */
export class PlaneTraffic {
  private last = new Map<string, { at: number; bytes: number; rate: number | null }>();

  async sample(routers: { name: string; plane: string; apiUrl?: string }[]): Promise<Record<string, number | null>> {
    const out: Record<string, number | null> = {};
    // Both routers at once, with room for a busy machine: a missed look only delays the
    // figure, it never resets it.
    await Promise.all(
      routers
        .filter((r) => r.plane !== "edge")
        .map(async (r) => {
          const text = r.apiUrl ? await httpGet(`${r.apiUrl}/metrics`, 800).then((x) => (x.status === 200 ? x.body : undefined)).catch(() => undefined) : undefined;
          const bytes = text ? bytesFromMetrics(text) : undefined;
          const prev = this.last.get(r.name);
          const now = Date.now();
          if (bytes === undefined) {
            out[r.plane] = prev?.rate ?? null;
            return;
          }
          const rate = prev && now > prev.at && bytes >= prev.bytes ? Math.round(((bytes - prev.bytes) * 1000) / (now - prev.at)) : (prev?.rate ?? null);
          out[r.plane] = rate;
          this.last.set(r.name, { at: now, bytes, rate });
        }),
    );
    return out;
  }
}

export async function consoleState(plumbing: Plumbing, lab: string, traffic?: PlaneTraffic): Promise<ConsoleState> {
  const s = await machineStatus(plumbing, lab);
  const t = s.topology;
  const cpus = await Promise.all(
    s.cpus.map(async (c): Promise<CpuView> => {
      const url = c.agentUrl;
      const rt = url && c.state === "running" ? await new AgentClient(c.name, () => Promise.resolve(url)).runtime(400).catch(() => undefined) : undefined;
      return {
        name: c.name,
        state: c.state,
        health: c.health,
        viewId: rt?.view.id ?? null,
        members: rt?.view.members ?? [],
        quorate: rt?.quorate ?? false,
        roles: Object.fromEntries((t?.services ?? []).map((svc) => [svc.name, rt?.pairs.find((p) => p.service === svc.name)?.role ?? null])),
        hears: Object.fromEntries((rt?.liveness ?? []).map((l) => [l.peer, l.planes])),
        disks: rt?.raid.map((d) => ({ name: d.name, state: d.state, repaired: d.repaired, ...(d.rebuild ? { rebuild: d.rebuild } : {}) })) ?? [],
      };
    }),
  );
  const holder = (svc: string, role: string) => cpus.find((c) => c.roles[svc] === role)?.name ?? null;
  return {
    lab,
    at: Date.now(),
    up: s.up,
    cpus,
    routers: s.routers.map((r) => ({ name: r.name, plane: r.plane, health: r.health })),
    planes: t?.planes.map((p) => p.name) ?? [],
    mirrors: t?.disks.map((d) => d.name) ?? [],
    services: s.services.map((svc) => ({ name: svc.name, ...(svc.url ? { url: svc.url } : {}), primary: holder(svc.name, "primary"), backup: holder(svc.name, "backup") })),
    traffic: traffic ? await traffic.sample(s.routers) : {},
  };
}

/** A Compose project's containers, as the engine reports them. */
export async function appConsoleState(plumbing: Plumbing, lab: string, project: string): Promise<ConsoleState> {
  const cs = await appContainers(plumbing, project);
  return {
    lab,
    at: Date.now(),
    up: cs.length > 0,
    cpus: [],
    routers: [],
    planes: [],
    mirrors: [],
    services: [],
    traffic: {},
    app: {
      project,
      containers: cs.map((c) => ({
        target: c.target,
        service: c.service,
        state: c.container.state,
        health: c.container.health,
        addresses: Object.values(c.container.addresses),
        ports: c.container.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.container}`),
      })),
    },
  };
}
