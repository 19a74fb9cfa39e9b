// Faults from outside (CLI flags, schedule files, the console) are checked here against
// the lab's topology, before anything is touched: one-line errors that name the field and
// list the allowed values; nothing is half-applied.
import { z } from "zod";
import { CRASH_STEPS } from "../../runtime/pairs/crash.js";
import { UsageError } from "../errors.js";
import { formatZodError } from "../topology/resolve.js";
import { PLANES, type Topology } from "../topology/types.js";
import type { Fault } from "./types.js";
import { votingReplicas } from "../topology/voting.js";

const ms = () => z.number({ message: "a number of milliseconds" }).min(0, "must be 0 or more (milliseconds)");
const plane = z.enum(PLANES, { message: `unknown plane; allowed: ${PLANES.join(", ")}` });
const stream = z.enum(["upstream", "downstream"], { message: "allowed: upstream, downstream" }).optional();

export const ToxicSchema = z.discriminatedUnion(
  "type",
  [
    z.object({ type: z.literal("latency"), latencyMs: ms(), jitterMs: ms().optional() }).strict(),
    z.object({ type: z.literal("bandwidth"), rateKBps: z.number().min(0, "must be 0 or more (KB/s)") }).strict(),
    z.object({ type: z.literal("timeout"), timeoutMs: ms() }).strict(),
    z.object({ type: z.literal("reset_peer"), timeoutMs: ms() }).strict(),
    z
      .object({
        type: z.literal("slicer"),
        averageSize: z.number().int().positive(),
        sizeVariation: z.number().int().min(0),
        delayUs: z.number().int().min(0),
      })
      .strict(),
    z.object({ type: z.literal("limit_data"), bytes: z.number().int().min(0) }).strict(),
    z.object({ type: z.literal("slow_close"), delayMs: ms() }).strict(),
  ],
  { message: "toxic type: allowed: latency, bandwidth, timeout, reset_peer, slicer, limit_data, slow_close" },
);

const cpu = z.string();
export const FaultSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("cpu.kill"), cpu }).strict(),
    z.object({ kind: z.literal("cpu.stop"), cpu }).strict(),
    z.object({ kind: z.literal("cpu.pause"), cpu }).strict(),
    z.object({ kind: z.literal("cpu.restart"), cpu }).strict(),
    z.object({ kind: z.literal("cpu.throttle"), cpu, cores: z.number().gt(0, "must be more than 0").max(2) }).strict(),
    z.object({ kind: z.literal("cpu.memory"), cpu, mb: z.number().int().min(1, "at least 1") }).strict(),
    z.object({ kind: z.literal("replica.diverge"), cpu }).strict(),
    z.object({ kind: z.literal("pair.crash"), service: z.string(), step: z.enum(CRASH_STEPS, { message: `allowed: ${CRASH_STEPS.join(", ")}` }) }).strict(),
    z.object({ kind: z.literal("link.toxic"), plane, from: cpu, to: cpu, toxic: ToxicSchema, stream }).strict(),
    z.object({ kind: z.literal("link.down"), plane, from: cpu, to: cpu }).strict(),
    z.object({ kind: z.literal("plane.toxic"), plane, toxic: ToxicSchema, stream }).strict(),
    z.object({ kind: z.literal("plane.fail"), plane }).strict(),
    z.object({ kind: z.literal("node.isolate"), cpu, planes: z.array(plane).min(1) }).strict(),
    z.object({ kind: z.literal("partition"), grudge: z.record(z.string(), z.array(z.string())) }).strict(),
    z.object({ kind: z.literal("disk.corrupt"), mirror: z.string(), bytes: z.number().int().min(1, "at least 1"), seed: z.number().int() }).strict(),
    z.object({ kind: z.literal("disk.wipe"), mirror: z.string() }).strict(),
    z.object({ kind: z.literal("disk.fail"), mirror: z.string() }).strict(),
    z.object({ kind: z.literal("edge.toxic"), service: z.string().optional(), toxic: ToxicSchema, stream }).strict(),
    z.object({ kind: z.literal("edge.down"), service: z.string().optional() }).strict(),
  ],
  { message: "kind: unknown fault kind" },
);

function oneOf(field: string, noun: string, value: string, allowed: string[]): void {
  if (!allowed.includes(value)) throw new UsageError(`${field}: unknown ${noun} '${value}'; allowed: ${allowed.join(", ")}`);
}

/** Parses and checks a fault against the topology; returns it typed, or throws a UsageError. */
export function checkFault(input: unknown, t: Topology, prefix = "fault"): Fault {
  const parsed = FaultSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) throw new UsageError(formatZodError(prefix, parsed.error));
  const f: Fault = parsed.data;
  const cpus = t.cpus.map((c) => c.name);
  const planes = t.planes.map((p) => p.name);
  const checkCpu = (field: string, c: string) => oneOf(`${prefix}.${field}`, "CPU", c, cpus);
  const checkPlane = (p: string) => oneOf(`${prefix}.plane`, "plane", p, planes);
  switch (f.kind) {
    case "cpu.kill":
    case "cpu.stop":
    case "cpu.pause":
    case "cpu.restart":
    case "cpu.throttle":
    case "cpu.memory":
      checkCpu("cpu", f.cpu);
      break;
    case "pair.crash":
      oneOf(`${prefix}.service`, "service", f.service, t.services.map((s) => s.name));
      if (t.cpus.length < 2) throw new UsageError(`${prefix}: a crash point needs a backup to take over; this lab has one CPU`);
      if (f.step === "mid-data" && t.services.find((s) => s.name === f.service)?.kind !== "mail") throw new UsageError(`${prefix}.step: mid-data is a mail service's step; for ${f.service} use before-journal, after-journal, after-commit or before-ack`);
      break;
    case "replica.diverge": {
      const replicas = votingReplicas(t);
      if (replicas.length === 0) throw new UsageError(`${prefix}.cpu: the voted compute service needs at least 3 CPUs; this lab has ${t.cpus.length}`);
      oneOf(`${prefix}.cpu`, "replica CPU", f.cpu, replicas);
      break;
    }
    case "link.toxic":
    case "link.down":
      checkPlane(f.plane);
      checkCpu("from", f.from);
      checkCpu("to", f.to);
      if (f.from === f.to) throw new UsageError(`${prefix}.to: a link joins two different CPUs (from and to are both ${f.from})`);
      break;
    case "plane.toxic":
    case "plane.fail":
      checkPlane(f.plane);
      break;
    case "node.isolate":
      checkCpu("cpu", f.cpu);
      f.planes.forEach((p) => checkPlane(p));
      break;
    case "partition":
      for (const [to, froms] of Object.entries(f.grudge)) {
        checkCpu("grudge", to);
        for (const from of froms) {
          checkCpu(`grudge.${to}`, from);
          if (from === to) throw new UsageError(`${prefix}.grudge.${to}: a CPU cannot hold a grudge against itself`);
        }
      }
      break;
    case "disk.corrupt":
    case "disk.wipe":
    case "disk.fail":
      oneOf(`${prefix}.mirror`, "mirror", f.mirror, t.disks.map((d) => d.name));
      break;
    case "edge.toxic":
    case "edge.down":
      if (f.service !== undefined) oneOf(`${prefix}.service`, "service", f.service, t.services.map((s) => s.name));
      break;
  }
  return f;
}
