// ServerNet messages, parsed at the edge: whatever arrives through a router is checked
// before the runtime trusts it.
import { z } from "zod";

const cpu = z.string().regex(/^cpu-\d+$/);
const plane = z.enum(["x", "y"]);
const view = z.object({ id: z.number().int().min(0), members: z.array(cpu) });
const op = z.discriminatedUnion("f", [z.object({ f: z.literal("put"), key: z.string(), value: z.string() }), z.object({ f: z.literal("add"), value: z.string() })]);
const state = z.object({ seq: z.number().int().min(0), kv: z.record(z.string(), z.string()), items: z.array(z.string()) });

export const Messages = {
  "/servernet/hb": z.object({ from: cpu, plane, view, sentAt: z.number().optional() }),
  "/servernet/propose": z.object({ from: cpu, proposal: view }),
  "/servernet/commit": z.object({ from: cpu, view }),
  "/servernet/checkpoint": z.object({ service: z.string(), epoch: z.number().int(), entries: z.array(z.object({ seq: z.number().int(), op })).min(1) }),
  "/servernet/snapshot": z.object({ service: z.string(), epoch: z.number().int(), state, primary: cpu }),
  "/servernet/resync": z.object({ service: z.string(), from: cpu }),
  "/servernet/replica": z.object({ x: z.number().int() }),
} as const;

export type MessagePath = keyof typeof Messages;

export function isMessagePath(p: string): p is MessagePath {
  return p in Messages;
}
