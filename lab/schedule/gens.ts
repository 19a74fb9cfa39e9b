// Fault generators for random schedules: each draws one fault for the topology.
import { grudgeFromSides, halves, majoritiesRing, splitOne } from "../faults/partition.js";
import type { FaultGen } from "./schedule.js";

const cpuNames = (t: Parameters<FaultGen>[1]) => t.cpus.map((c) => c.name);

export const gens = {
  killCpu: ((rng, t) => ({ kind: "cpu.kill", cpu: rng.pick(cpuNames(t)) })) as FaultGen,
  stopCpu: ((rng, t) => ({ kind: "cpu.stop", cpu: rng.pick(cpuNames(t)) })) as FaultGen,
  pauseCpu: ((rng, t) => ({ kind: "cpu.pause", cpu: rng.pick(cpuNames(t)) })) as FaultGen,
  isolateCpu: ((rng, t) => ({ kind: "node.isolate", cpu: rng.pick(cpuNames(t)), planes: t.planes.map((p) => p.name) })) as FaultGen,
  failPlane: ((rng, t) => ({ kind: "plane.fail", plane: rng.pick(t.planes.map((p) => p.name)) })) as FaultGen,
  splitOne: ((rng, t) => ({ kind: "partition", grudge: grudgeFromSides(splitOne(cpuNames(t), rng.pick(cpuNames(t)))) })) as FaultGen,
  halves: ((rng, t) => ({ kind: "partition", grudge: grudgeFromSides(halves(rng.shuffle(cpuNames(t)))) })) as FaultGen,
  majoritiesRing: ((rng, t) => ({ kind: "partition", grudge: majoritiesRing(rng.shuffle(cpuNames(t))) })) as FaultGen,
  planeLatency:
    (ms: number): FaultGen =>
    (rng, t) => ({ kind: "plane.toxic", plane: rng.pick(t.planes.map((p) => p.name)), toxic: { type: "latency", latencyMs: ms, jitterMs: Math.round(ms / 10) } }),
} as const;
