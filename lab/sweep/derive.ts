// Every single fault a machine can suffer, derived from its topology rather than written
// by hand: each CPU killed and paused, each CPU's attachment to each plane cut, each plane
// (its router) gone, each mirror wiped and corrupted, and the edge (the machine's one
// connection to its clients). The sweep runs each of them once (./run.ts).
import type { Fault } from "../faults/kinds/index.js";
import type { Topology } from "../topology/types.js";

export interface SweepFault {
  /** What breaks, as the map and `--allow` name it: cpu-0, cpu-0@x, router-x, mirror-a, router-edge. */
  part: string;
  fault: Fault;
  /** Why the paper does not claim to mask it, where it does not. */
  paperExpects?: string;
}

/**
 * The edge router stands for the machine's connection to the Internet. The paper doubles
 * the CPUs, the ServerNet planes and the disk, never that line: the edge is a single
 * point of failure by design, and the sweep names it so rather than hide it.
 */
const EDGE = "the paper doubles CPUs, ServerNet and disks, not the line to the clients: the edge router is one";

export function machineFaults(t: Topology): SweepFault[] {
  const planes = t.planes.map((p) => p.name);
  return [
    ...t.cpus.flatMap((c): SweepFault[] => [
      { part: c.name, fault: { kind: "cpu.kill", cpu: c.name } },
      { part: c.name, fault: { kind: "cpu.pause", cpu: c.name } },
    ]),
    ...t.cpus.flatMap((c) => planes.map((p): SweepFault => ({ part: `${c.name}@${p}`, fault: { kind: "node.isolate", cpu: c.name, planes: [p] } }))),
    ...planes.map((p): SweepFault => ({ part: `router-${p}`, fault: { kind: "plane.fail", plane: p } })),
    ...t.disks.flatMap((d): SweepFault[] => [
      { part: d.name, fault: { kind: "disk.wipe", mirror: d.name } },
      { part: d.name, fault: { kind: "disk.corrupt", mirror: d.name, bytes: 64, seed: 1 } },
    ]),
    { part: t.edge.router, fault: { kind: "edge.down" }, paperExpects: EDGE },
  ];
}

/** The faults of the kinds asked for (`--kinds cpu.kill,plane.fail`), all when none are. */
export function ofKinds(faults: SweepFault[], kinds: readonly string[]): SweepFault[] {
  return kinds.length === 0 ? faults : faults.filter((f) => kinds.includes(f.fault.kind));
}
