// Lists of numbers under keys, changed and read only in transactions of appends and
// reads: the workload Jepsen's Elle checks (lab/checks/elle/). A transaction is one
// journal record, applied at once in the pair's order, so every read sees exactly the
// appends before it: the pair should come out serializable, and the checker says whether.
import { z } from "zod";

/** As the wire, the journal and ServerNet carry it; a read's value is filled in when it is applied. */
export const ListMopSchema = z.discriminatedUnion("f", [
  z.object({ f: z.literal("append"), key: z.string().min(1), value: z.number().int() }).strict(),
  z.object({ f: z.literal("r"), key: z.string().min(1), value: z.array(z.number().int()).nullable().default(null) }).strict(),
]);
export type ListMop = z.output<typeof ListMopSchema>;

export const ListTxnOpSchema = z.object({ f: z.literal("txn"), mops: z.array(ListMopSchema).min(1) });
export type ListTxnOp = z.output<typeof ListTxnOpSchema>;

export const ListStateSchema = z.object({ lists: z.record(z.string(), z.array(z.number().int())) });
export type ListState = z.infer<typeof ListStateSchema>;

export function emptyLists(): ListState {
  return { lists: {} };
}

/** Applies the transaction and answers its mops, each read with the list it saw. */
export function applyTxn(s: ListState, op: ListTxnOp): ListMop[] {
  return op.mops.map((m) => {
    const list = (s.lists[m.key] ??= []);
    if (m.f === "append") {
      list.push(m.value);
      return m;
    }
    return { f: "r", key: m.key, value: [...list] };
  });
}

/** Parses a transaction from a request body: its mops, each read going in empty, or why not. */
export function parseMops(body: string): ListMop[] | string {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return "the body must be JSON: a list of mops";
  }
  const parsed = z.array(ListMopSchema).min(1).safeParse(v);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `mops${issue?.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("") ?? ""}: ${issue?.message ?? "invalid"}; allowed: { f: "append", key, value: integer } or { f: "r", key }`;
  }
  return parsed.data.map((m) => (m.f === "r" ? { f: "r", key: m.key, value: null } : m));
}
