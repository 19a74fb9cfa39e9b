// The contract between a CPU's agent and the lab: every event the runtime reports, as one
// discriminated union, and every HTTP reply the agent gives, as a zod schema. The agent
// builds its replies as these types; the lab (lab/agent/client.ts) parses them with these
// schemas, so neither side re-types the other's shapes by hand.
import { z } from "zod";
import type { MembershipEvent } from "../membership/membership.js";
import type { RaidEvent } from "../raid/raid1.js";

/** What a process pair reports (runtime/pairs/pair.ts): boot, takeover, re-protection, fencing. */
export type PairEvent =
  | { type: "pair.primary"; service: string; epoch: number; backup: string | null }
  | { type: "pair.backup"; service: string; epoch: number; primary: string; seq: number }
  | { type: "pair.spare"; service: string; epoch: number; why?: string }
  | { type: "pair.recovered"; service: string; epoch: number; seq: number; ms: number }
  | { type: "pair.resumed"; service: string; epoch: number; seq: number }
  | { type: "pair.takeover"; service: string; epoch: number; from: string; seq: number; epochMs: number }
  | { type: "pair.backup-lost"; service: string; backup: string; seq: number }
  | { type: "pair.serving"; service: string; epoch: number; msSinceTakeover: number }
  | { type: "pair.reprotected"; service: string; backup: string; seq: number; ms: number; exposedMs: number }
  | { type: "pair.resync"; service: string; backup: string; reason: string }
  | { type: "pair.resync-failed"; service: string; backup: string }
  | { type: "pair.unprotected"; service: string; reason: string }
  | { type: "pair.fenced"; service: string; epoch: number; why: string }
  | { type: "pair.error"; service: string; error: string }
  | { type: "address.moved"; service: string; to: string; ms: number };

/** The service address on the edge (runtime/node.ts). */
export type AddressEvent =
  | { type: "address.taken"; service: string; vip: string; iface: string; ms: number }
  | { type: "address.announced"; service: string; vip: string; ms: number }
  | { type: "address.released"; service: string; vip: string }
  | { type: "edge.repointed"; service: string; upstream: string; ms: number };

/** The voted (TMR) compute service and the services themselves. */
export type OtherEvent =
  | { type: "replica.votedOut"; replica: string; x: number; got: string; want: string }
  | { type: "service.error"; service: string; error: string }
  | { type: "raid.error"; error: string };

/** Every event a CPU reports, as its module raised it. */
export type RuntimeEventBody = MembershipEvent | RaidEvent | PairEvent | AddressEvent | OtherEvent;
export type RuntimeEventType = RuntimeEventBody["type"];

/** On the wire (GET /events): the event's type, and the rest of it as its detail. */
export const WireEvent = z.object({
  seq: z.number(),
  /** Epoch milliseconds. */
  time: z.number(),
  cpu: z.string(),
  type: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
export type WireEvent = z.infer<typeof WireEvent>;

export const EventsReply = z.object({ boot: z.string(), events: z.array(WireEvent) });
export type EventsReply = z.infer<typeof EventsReply>;

const ViewSchema = z.object({ id: z.number(), members: z.array(z.string()) });

/** GET /runtime: the CPU's membership, its mirrors as it sees them, and its pairs' roles. */
export const RuntimeReply = z.object({
  cpu: z.string(),
  view: ViewSchema,
  admitted: z.boolean(),
  quorate: z.boolean(),
  liveness: z.array(z.object({ peer: z.string(), planes: z.record(z.string(), z.boolean()), heard: z.boolean(), alive: z.boolean() })),
  raid: z.array(
    z.object({
      name: z.string(),
      path: z.string(),
      state: z.string(),
      error: z.string().optional(),
      repaired: z.number(),
      rebuild: z.object({ done: z.number(), files: z.number() }).optional(),
    }),
  ),
  pairs: z.array(z.object({ service: z.string(), role: z.enum(["primary", "backup", "spare"]), epoch: z.number(), seq: z.number() })),
});
export type RuntimeReply = z.infer<typeof RuntimeReply>;

/** GET /health. */
export const HealthReply = z.object({ ok: z.boolean(), cpu: z.string(), uptimeMs: z.number() });
export type HealthReply = z.infer<typeof HealthReply>;

/** GET /services/NAME/state: what the service's pair holds, the truth a final read compares against. */
export const ServiceStateReply = z.object({ cpu: z.string(), service: z.string(), role: z.string(), epoch: z.number(), seq: z.number(), truth: z.unknown() });
export type ServiceStateReply = z.infer<typeof ServiceStateReply>;

/** GET /raid/scrub: this CPU verified (and repaired, and rebuilt) the files it writes. */
export const ScrubReply = z.object({
  checked: z.number(),
  repaired: z.number(),
  rebuilt: z.array(z.object({ mirror: z.string(), files: z.number(), bytes: z.number(), ms: z.number() })),
});
export type ScrubReply = z.infer<typeof ScrubReply>;

/** The fault hooks, reached only through the CPU's 127.0.0.1 port. */
export const MemoryReply = z.object({ id: z.string().optional(), mb: z.number().optional(), released: z.boolean().optional(), held: z.unknown() });
export const CrashReply = z.object({ armed: z.array(z.object({ id: z.string() }).passthrough()), disarmed: z.boolean().optional() });
export const DivergeReply = z.object({ divergent: z.unknown() });
