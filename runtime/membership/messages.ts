// ServerNet messages, parsed at the edge: whatever arrives through a router is checked
// before the runtime trusts it.
import { z } from "zod";
import { ListStateSchema, ListTxnOpSchema } from "../services/state/lists.js";

const cpu = z.string().regex(/^cpu-\d+$/);
const plane = z.enum(["x", "y"]);
const view = z.object({ id: z.number().int().min(0), members: z.array(cpu) });
const text = z.string();
const op = z.discriminatedUnion("f", [
  z.object({ f: z.literal("put"), key: text, value: text }),
  z.object({ f: z.literal("add"), value: text }),
  z.object({ f: z.literal("order"), key: text, customer: text, item: text, amount: z.number().int().positive() }),
  z.object({ f: z.literal("mail.accept"), id: text, from: text, to: z.array(text), data: text }),
  z.object({ f: z.literal("mail.deliver"), id: text }),
  z.object({ f: z.literal("bill"), download: text, file: text, bytes: z.number().int().min(0) }),
  z.object({ f: z.literal("file.put"), path: text, data: text }),
  ListTxnOpSchema,
]);
const record = <T extends z.ZodType>(v: T) => z.record(z.string(), v);
const state = z.object({
  seq: z.number().int().min(0),
  kv: record(text),
  items: z.array(text),
  tx: z
    .object({
      accounts: record(z.number()),
      orders: record(z.object({ customer: text, item: text, amount: z.number() })),
      payments: record(z.object({ from: text, to: text, amount: z.number() })),
      declined: record(text),
    })
    .optional(),
  mail: z.object({ messages: record(z.object({ from: text, to: z.array(text), data: text })), queue: z.array(text), mailboxes: record(z.array(text)) }).optional(),
  bills: z.object({ bills: z.array(z.object({ download: text, file: text, bytes: z.number() })) }).optional(),
  files: z.object({ files: record(text) }).optional(),
  lists: ListStateSchema.optional(),
});

export const Messages = {
  "/servernet/hb": z.object({ from: cpu, plane, view, sentAt: z.number().optional(), stallMs: z.number().min(0).optional() }),
  "/servernet/propose": z.object({ from: cpu, proposal: view }),
  "/servernet/commit": z.object({ from: cpu, view }),
  "/servernet/checkpoint": z.object({ service: z.string(), epoch: z.number().int(), entries: z.array(z.object({ seq: z.number().int(), op })).min(1) }),
  "/servernet/snapshot": z.object({ service: z.string(), epoch: z.number().int(), state, primary: cpu }),
  "/servernet/resync": z.object({ service: z.string(), from: cpu }),
  "/servernet/replica": z.object({ x: z.number().int() }),
  "/servernet/ping": z.object({ from: cpu }),
} as const;

export type MessagePath = keyof typeof Messages;

export function isMessagePath(p: string): p is MessagePath {
  return p in Messages;
}
