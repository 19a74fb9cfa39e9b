// Faults are data: a discriminated union on `kind`. Injecting one returns a handle whose
// heal() undoes it (./inject.ts); these types say only *what* breaks.
import type { ToxicKind, Stream } from "../router/toxics.js";
import type { PlaneName } from "../topology/types.js";
import type { CrashStep } from "../../runtime/pairs/crash.js";

/** Who cannot hear whom: grudge[a] lists the CPUs whose messages never reach a. */
export type Grudge = Record<string, string[]>;

export type Fault =
  // ── CPUs ───────────────────────────────────────────────────────────────────
  /** SIGKILL the CPU container and everything running in it. */
  | { kind: "cpu.kill"; cpu: string }
  /** Graceful stop (SIGTERM, then SIGKILL after the grace period). */
  | { kind: "cpu.stop"; cpu: string }
  /** Freeze every process of the CPU: alive but silent, the gray failure. */
  | { kind: "cpu.pause"; cpu: string }
  /** Stop and start again: a transient failure, nothing to heal afterwards. */
  | { kind: "cpu.restart"; cpu: string }
  /** Lower the CPU's quota at run time, in cores. */
  | { kind: "cpu.throttle"; cpu: string; cores: number }
  /** Hold `mb` of memory inside the CPU, pressing it toward its limit. */
  | { kind: "cpu.memory"; cpu: string; mb: number }
  /** The CPU's replica of the voted (TMR) compute service answers wrongly: a Byzantine-ish processor. */
  | { kind: "replica.diverge"; cpu: string }
  /**
   * The primary of `service` crashes (its whole CPU) when its next commit reaches `step`:
   * before the journal write, after it, after the commit, or before the acknowledgement.
   */
  | { kind: "pair.crash"; service: string; step: CrashStep }
  // ── links and planes (the routers' Toxiproxy) ──────────────────────────────
  /** A toxic on one link: traffic cpu `from` sends to `to` on `plane`. */
  | { kind: "link.toxic"; plane: PlaneName; from: string; to: string; toxic: ToxicKind; stream?: Stream }
  /** One link down: `from` cannot reach `to` on `plane`. */
  | { kind: "link.down"; plane: PlaneName; from: string; to: string }
  /** A toxic on every link of a plane. */
  | { kind: "plane.toxic"; plane: PlaneName; toxic: ToxicKind; stream?: Stream }
  /** Kill the plane's router: the plane is gone. */
  | { kind: "plane.fail"; plane: PlaneName }
  /** Disconnect a CPU from planes at the Docker network level. */
  | { kind: "node.isolate"; cpu: string; planes: PlaneName[] }
  /** A grudge, applied on both planes. */
  | { kind: "partition"; grudge: Grudge }
  // ── disks (the RAID-1 mirrors) ─────────────────────────────────────────────
  /** Flip `bytes` random bytes in one mirror's data (seeded). */
  | { kind: "disk.corrupt"; mirror: string; bytes: number; seed: number }
  /** Replace one mirror with a blank disk. */
  | { kind: "disk.wipe"; mirror: string }
  /** Make one mirror unusable to every CPU (permission denied on every access). */
  | { kind: "disk.fail"; mirror: string }
  // ── the edge (clients to services) ─────────────────────────────────────────
  /** A toxic on the client link of one service, or of all. */
  | { kind: "edge.toxic"; service?: string; toxic: ToxicKind; stream?: Stream }
  /** The client link of one service (or all) down. */
  | { kind: "edge.down"; service?: string };

export type FaultKind = Fault["kind"];

export const FAULT_KINDS: readonly FaultKind[] = [
  "cpu.kill",
  "cpu.stop",
  "cpu.pause",
  "cpu.restart",
  "cpu.throttle",
  "cpu.memory",
  "replica.diverge",
  "pair.crash",
  "link.toxic",
  "link.down",
  "plane.toxic",
  "plane.fail",
  "node.isolate",
  "partition",
  "disk.corrupt",
  "disk.wipe",
  "disk.fail",
  "edge.toxic",
  "edge.down",
];

/** A short human label, e.g. "link.latency x cpu-0→cpu-1" or "cpu.kill cpu-1". */
export function describeFault(f: Fault): string {
  switch (f.kind) {
    case "cpu.kill":
    case "cpu.stop":
    case "cpu.pause":
    case "cpu.restart":
    case "replica.diverge":
      return `${f.kind} ${f.cpu}`;
    case "pair.crash":
      return `pair.crash ${f.service} ${f.step}`;
    case "cpu.throttle":
      return `cpu.throttle ${f.cpu} to ${f.cores} cores`;
    case "cpu.memory":
      return `cpu.memory ${f.cpu} +${f.mb} MB`;
    case "link.toxic":
      return `link.${f.toxic.type} ${f.plane} ${f.from}→${f.to}`;
    case "link.down":
      return `link.down ${f.plane} ${f.from}→${f.to}`;
    case "plane.toxic":
      return `plane.${f.toxic.type} ${f.plane}`;
    case "plane.fail":
      return `plane.fail ${f.plane}`;
    case "node.isolate":
      return `node.isolate ${f.cpu} from ${f.planes.join("+")}`;
    case "partition":
      return `partition ${Object.entries(f.grudge)
        .filter(([, from]) => from.length > 0)
        .map(([a, from]) => `${a}✕{${from.join(",")}}`)
        .join(" ")}`;
    case "disk.corrupt":
      return `disk.corrupt ${f.mirror} ${f.bytes} bytes`;
    case "disk.wipe":
    case "disk.fail":
      return `${f.kind} ${f.mirror}`;
    case "edge.toxic":
      return `edge.${f.toxic.type} ${f.service ?? "all"}`;
    case "edge.down":
      return `edge.down ${f.service ?? "all"}`;
  }
}
