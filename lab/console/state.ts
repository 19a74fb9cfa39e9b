// What the console draws: the machine as the engine and the CPUs themselves report it.
// Every part is asked through its 127.0.0.1 port; a part that does not answer is shown as
// such, never guessed.
import type { Plumbing } from "../docker/plumbing.js";
import { machineStatus } from "../machine/status.js";
import { httpJson } from "../util/http.js";

export interface CpuView {
  name: string;
  /** running, paused, exited… as Docker says; "fenced" is shown from the pair roles. */
  state: string;
  health: string;
  viewId: number | null;
  members: string[];
  quorate: boolean;
  /** Per service: primary, backup or spare (null when the CPU does not answer). */
  roles: Record<string, string | null>;
  /** Which peers this CPU hears, per plane. */
  hears: Record<string, Record<string, boolean>>;
  disks: { name: string; state: string; repaired: number; rebuild?: { done: number; files: number } }[];
}

export interface ConsoleState {
  lab: string;
  at: number;
  up: boolean;
  cpus: CpuView[];
  routers: { name: string; plane: string; health: string }[];
  planes: string[];
  mirrors: string[];
  services: { name: string; url?: string; primary: string | null; backup: string | null }[];
}

interface RuntimeReply {
  view: { id: number; members: string[] };
  quorate: boolean;
  liveness: { peer: string; planes: Record<string, boolean> }[];
  raid: { name: string; state: string; repaired: number; rebuild?: { done: number; files: number } }[];
  pairs: { service: string; role: string }[];
}

export async function consoleState(plumbing: Plumbing, lab: string): Promise<ConsoleState> {
  const s = await machineStatus(plumbing, lab);
  const t = s.topology;
  const cpus = await Promise.all(
    s.cpus.map(async (c): Promise<CpuView> => {
      const rt = c.agentUrl && c.state === "running" ? await httpJson<RuntimeReply>(`${c.agentUrl}/runtime`, 400).catch(() => undefined) : undefined;
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
  };
}
