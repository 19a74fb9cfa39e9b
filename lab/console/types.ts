// What the console's server pushes and its page draws: shared by lab/console/ (Node) and
// console/app.ts (the browser), so this file imports nothing.

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

/** One container of a user's Compose project, as the console draws it. */
export interface AppBoxView {
  /** api, api.2, store: the name faults take. */
  target: string;
  service: string;
  state: string;
  health: string;
  addresses: string[];
  ports: string[];
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
  /** Bytes per second through each plane's router (null: no figure yet, or the router is down). */
  traffic: Record<string, number | null>;
  /** A lab whose system is a user's Compose project: its containers (the machine's fields are empty). */
  app?: { project: string; containers: AppBoxView[] };
}

/** The state as pushed, with the demo workload's status. */
export interface PushedState extends ConsoleState {
  workload: { running: boolean; rate: number };
}

/** One half-second summary of the demo workload. */
export interface WorkloadSample {
  t: number;
  ops: number;
  errors: number;
  p99: number | null;
}
