// Turns `nonstop fault <kind> [target] --options` into fault data. Pure: the result is then
// checked against the topology (./validate.ts) before anything is touched.
import { UsageError } from "../errors.js";
import { TOXIC_TYPES, type ToxicKind, type ToxicType } from "../router/toxics.js";
import { PLANES } from "../topology/types.js";
import { grudgeFromSides, halves, majoritiesRing, splitOne } from "./partition.js";

export interface FaultFlags {
  plane?: string;
  from?: string;
  to?: string;
  ms?: string;
  jitter?: string;
  rate?: string;
  bytes?: string;
  size?: string;
  variation?: string;
  delayUs?: string;
  stream?: string;
  cores?: string;
  mb?: string;
  seed?: string;
  sides?: string;
  splitOne?: string;
  halves?: boolean;
  ring?: boolean;
  step?: string;
}

const SIMPLE_CPU = ["cpu.kill", "cpu.stop", "cpu.pause", "cpu.restart", "replica.diverge"];
const DISK = ["disk.corrupt", "disk.wipe", "disk.fail"];

/** Every kind the CLI accepts, as a user types it. */
export const CLI_FAULT_KINDS: readonly string[] = [
  ...SIMPLE_CPU,
  "cpu.throttle",
  "cpu.memory",
  "pair.crash",
  ...TOXIC_TYPES.map((t) => `link.${t}`),
  "link.down",
  ...TOXIC_TYPES.map((t) => `plane.${t}`),
  "plane.fail",
  "node.isolate",
  "partition",
  ...DISK,
  ...TOXIC_TYPES.map((t) => `edge.${t}`),
  "edge.down",
];

function num(flag: string, value: string | undefined, fallback?: number): number {
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw new UsageError(`--${flag} is required`);
  }
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new UsageError(`--${flag}: a number (got '${value}')`);
  return n;
}

export function toxicFromFlags(type: ToxicType, f: FaultFlags): ToxicKind {
  switch (type) {
    case "latency":
      return { type, latencyMs: num("ms", f.ms), jitterMs: num("jitter", f.jitter, 0) };
    case "bandwidth":
      return { type, rateKBps: num("rate", f.rate) };
    case "timeout":
      return { type, timeoutMs: num("ms", f.ms, 0) };
    case "reset_peer":
      return { type, timeoutMs: num("ms", f.ms, 0) };
    case "slicer":
      return { type, averageSize: num("size", f.size, 64), sizeVariation: num("variation", f.variation, 16), delayUs: num("delay-us", f.delayUs, 1000) };
    case "limit_data":
      return { type, bytes: num("bytes", f.bytes) };
    case "slow_close":
      return { type, delayMs: num("ms", f.ms) };
  }
}

function need(what: string, value: string | undefined): string {
  if (!value) throw new UsageError(`${what} is required`);
  return value;
}

/** A kind the CLI knows, or a usage error listing them: checked before the lab is even looked up. */
export function checkFaultKind(kind: string): void {
  if (!CLI_FAULT_KINDS.includes(kind)) throw new UsageError(`fault kind: unknown '${kind}'; allowed: ${CLI_FAULT_KINDS.join(", ")}`);
}

/** The fault as data; `cpus` is the lab's CPU list, for partition shapes. */
export function faultFromCli(kind: string, target: string | undefined, f: FaultFlags, cpus: readonly string[]): unknown {
  checkFaultKind(kind);
  const [family, verb] = kind.split(".") as [string, string];
  const stream = f.stream ? { stream: f.stream } : {};
  if (SIMPLE_CPU.includes(kind)) return { kind, cpu: need("the CPU (e.g. cpu-1)", target) };
  if (kind === "pair.crash") return { kind, service: need("the service (e.g. transactions)", target), step: need("--step", f.step) };
  if (kind === "cpu.throttle") return { kind, cpu: need("the CPU (e.g. cpu-1)", target), cores: num("cores", f.cores) };
  if (kind === "cpu.memory") return { kind, cpu: need("the CPU (e.g. cpu-1)", target), mb: num("mb", f.mb) };
  if (family === "link") {
    const base = { plane: need("--plane", f.plane ?? target), from: need("--from", f.from), to: need("--to", f.to) };
    return verb === "down" ? { kind: "link.down", ...base } : { kind: "link.toxic", ...base, toxic: toxicFromFlags(verb as ToxicType, f), ...stream };
  }
  if (family === "plane") {
    const plane = need(`the plane (${PLANES.join(" or ")})`, target ?? f.plane);
    return verb === "fail" ? { kind: "plane.fail", plane } : { kind: "plane.toxic", plane, toxic: toxicFromFlags(verb as ToxicType, f), ...stream };
  }
  if (kind === "node.isolate") {
    const planes = !f.plane || f.plane === "both" ? [...PLANES] : [f.plane];
    return { kind, cpu: need("the CPU (e.g. cpu-1)", target), planes };
  }
  if (kind === "partition") {
    if (f.sides) return { kind, grudge: grudgeFromSides(f.sides.split("|").map((s) => s.split(",").map((c) => c.trim()).filter(Boolean))) };
    if (f.splitOne) return { kind, grudge: grudgeFromSides(splitOne(cpus, f.splitOne)) };
    if (f.halves) return { kind, grudge: grudgeFromSides(halves(cpus)) };
    if (f.ring) return { kind, grudge: majoritiesRing(cpus) };
    throw new UsageError("partition: say which, with --sides 'cpu-0,cpu-1|cpu-2,cpu-3', --split-one cpu-N, --halves or --ring");
  }
  if (DISK.includes(kind)) {
    const mirror = need("the mirror (e.g. mirror-a)", target);
    return kind === "disk.corrupt" ? { kind, mirror, bytes: num("bytes", f.bytes, 16), seed: num("seed", f.seed, 1) } : { kind, mirror };
  }
  // edge
  const service = target ? { service: target } : {};
  return verb === "down" ? { kind: "edge.down", ...service } : { kind: "edge.toxic", ...service, toxic: toxicFromFlags(verb as ToxicType, f), ...stream };
}
