// The state a pair protects: a small key-value store plus an append-only list (whose final
// read is how checks find lost or duplicated writes). Applying an operation is pure.

export type KvOp = { f: "put"; key: string; value: string } | { f: "add"; value: string };

export interface KvState {
  seq: number;
  kv: Record<string, string>;
  items: string[];
}

export function emptyState(): KvState {
  return { seq: 0, kv: {}, items: [] };
}

export function apply(s: KvState, op: KvOp): void {
  s.seq++;
  if (op.f === "put") s.kv[op.key] = op.value;
  else s.items.push(op.value);
}
