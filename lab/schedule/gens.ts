// Fault generators for random schedules: each draws one fault for the topology.
import { grudgeFromSides, halves, majoritiesRing, splitOne } from "../faults/partition.js";
import type { FaultGen } from "./schedule.js";

const cpuNames = (t: Parameters<FaultGen>[1]) => t.cpus.map((c) => c.name);
const planeNames = (t: Parameters<FaultGen>[1]) => t.planes.map((p) => p.name);
const mirrors = (t: Parameters<FaultGen>[1]) => t.disks.map((d) => d.name);
/** Two different CPUs, for a one-way link. */
const pairOf = (rng: Parameters<FaultGen>[0], t: Parameters<FaultGen>[1]) => {
  const [from = "cpu-0", to = "cpu-1"] = rng.shuffle(cpuNames(t));
  return { from, to };
};
/** The crash points every service's commit passes (mail's mid-data is mail's alone). */
const COMMIT_STEPS = ["before-journal", "after-journal", "after-commit", "before-ack"] as const;

export const gens = {
  killCpu: ((rng, t) => ({ kind: "cpu.kill", cpu: rng.pick(cpuNames(t)) })) as FaultGen,
  stopCpu: ((rng, t) => ({ kind: "cpu.stop", cpu: rng.pick(cpuNames(t)) })) as FaultGen,
  pauseCpu: ((rng, t) => ({ kind: "cpu.pause", cpu: rng.pick(cpuNames(t)) })) as FaultGen,
  isolateCpu: ((rng, t) => ({ kind: "node.isolate", cpu: rng.pick(cpuNames(t)), planes: t.planes.map((p) => p.name) })) as FaultGen,
  failPlane: ((rng, t) => ({ kind: "plane.fail", plane: rng.pick(t.planes.map((p) => p.name)) })) as FaultGen,
  splitOne: ((rng, t) => ({ kind: "partition", grudge: grudgeFromSides(splitOne(cpuNames(t), rng.pick(cpuNames(t)))) })) as FaultGen,
  halves: ((rng, t) => ({ kind: "partition", grudge: grudgeFromSides(halves(rng.shuffle(cpuNames(t)))) })) as FaultGen,
  majoritiesRing: ((rng, t) => ({ kind: "partition", grudge: majoritiesRing(rng.shuffle(cpuNames(t))) })) as FaultGen,
  restartCpu: ((rng, t) => ({ kind: "cpu.restart", cpu: rng.pick(cpuNames(t)) })) as FaultGen,
  throttleCpu: ((rng, t) => ({ kind: "cpu.throttle", cpu: rng.pick(cpuNames(t)), cores: 0.1 })) as FaultGen,
  pressMemory: ((rng, t) => ({ kind: "cpu.memory", cpu: rng.pick(cpuNames(t)), mb: 64 })) as FaultGen,
  divergeReplica: ((rng, t) => ({ kind: "replica.diverge", cpu: rng.pick(cpuNames(t).slice(-3)) })) as FaultGen,
  crashPair: ((rng, t) => ({ kind: "pair.crash", service: rng.pick(t.services.map((s) => s.name)), step: rng.pick(COMMIT_STEPS) })) as FaultGen,
  linkDown: ((rng, t) => ({ kind: "link.down", plane: rng.pick(planeNames(t)), ...pairOf(rng, t) })) as FaultGen,
  linkLatency: ((rng, t) => ({ kind: "link.toxic", plane: rng.pick(planeNames(t)), ...pairOf(rng, t), toxic: { type: "latency", latencyMs: rng.int(20, 200) } })) as FaultGen,
  linkReset: ((rng, t) => ({ kind: "link.toxic", plane: rng.pick(planeNames(t)), ...pairOf(rng, t), toxic: { type: "reset_peer", timeoutMs: 0 } })) as FaultGen,
  slowPlane: ((rng, t) => ({ kind: "plane.toxic", plane: rng.pick(planeNames(t)), toxic: { type: "latency", latencyMs: rng.int(10, 100), jitterMs: 5 } })) as FaultGen,
  isolateOnePlane: ((rng, t) => ({ kind: "node.isolate", cpu: rng.pick(cpuNames(t)), planes: [rng.pick(planeNames(t))] })) as FaultGen,
  corruptDisk: ((rng, t) => ({ kind: "disk.corrupt", mirror: rng.pick(mirrors(t)), bytes: rng.int(1, 8), seed: rng.int(1, 1_000_000) })) as FaultGen,
  wipeDisk: ((rng, t) => ({ kind: "disk.wipe", mirror: rng.pick(mirrors(t)) })) as FaultGen,
  failDisk: ((rng, t) => ({ kind: "disk.fail", mirror: rng.pick(mirrors(t)) })) as FaultGen,
  slowEdge: ((rng, t) => ({ kind: "edge.toxic", service: rng.pick(t.services.map((s) => s.name)), toxic: { type: "latency", latencyMs: rng.int(20, 300) } })) as FaultGen,
  edgeDown: ((rng, t) => ({ kind: "edge.down", service: rng.pick(t.services.map((s) => s.name)) })) as FaultGen,
  planeLatency:
    (ms: number): FaultGen =>
    (rng, t) => ({ kind: "plane.toxic", plane: rng.pick(t.planes.map((p) => p.name)), toxic: { type: "latency", latencyMs: ms, jitterMs: Math.round(ms / 10) } }),
} as const;
