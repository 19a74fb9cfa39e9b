// The toxics that link, plane and edge faults add through a router (Toxiproxy), as data
// and as CLI flags: one schema and one flag reader for the three families.
import { z } from "zod";
import { TOXIC_TYPES, type Stream, type ToxicKind, type ToxicType } from "../../router/toxics.js";
import { num, toxicName, type CliInput, type FaultFlags } from "./kind.js";
import type { Router } from "../../router/router.js";

const ms = () => z.number({ message: "a number of milliseconds" }).min(0, "must be 0 or more (milliseconds)");

export const ToxicSchema: z.ZodType<ToxicKind> = z.discriminatedUnion(
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
  { message: `toxic type: allowed: ${TOXIC_TYPES.join(", ")}` },
);

export const StreamSchema = z.enum(["upstream", "downstream"], { message: "allowed: upstream, downstream" }).optional();

/** `link.latency`, `plane.slicer`, ...: every toxic under a family's prefix. */
export function toxicNames(family: string): string[] {
  return TOXIC_TYPES.map((t) => `${family}.${t}`);
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

/** The toxic a CLI name such as `link.latency` asks for, with its --stream. */
export function toxicFromCli(i: CliInput): { toxic: ToxicKind; stream?: string } {
  const type = i.name.split(".")[1] as ToxicType;
  return { toxic: toxicFromFlags(type, i.flags), ...(i.flags.stream ? { stream: i.flags.stream } : {}) };
}

export async function addToxic(r: Router, proxies: string[], id: string, toxic: ToxicKind, stream: Stream | undefined): Promise<void> {
  await Promise.all(proxies.map((p) => r.addToxic(p, { ...toxic, name: toxicName(id), ...(stream ? { stream } : {}) })));
}

export async function removeToxic(r: Router, proxies: string[], id: string): Promise<void> {
  await Promise.all(proxies.map((p) => r.removeToxic(p, toxicName(id))));
}
