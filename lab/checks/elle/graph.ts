// From list-append transactions to Adya's direct serialization graph. Each key's version
// order is its longest read (every other read must be a prefix of it); then:
//   ww  T1 appended the version just before T2's append to the same key;
//   wr  T2 read a list whose last element T1 appended;
//   rw  T1 read a list that T2's next append extended (T1 did not see T2's write); a
//       committed append that no read shows came after the longest read, so whoever
//       read the whole list did not see it either.
// Anomalies that need no cycle are found on the way: a read of an aborted append (G1a),
// of an append that its own transaction later followed with another (G1b), of a value
// nobody appended (garbage), reads that disagree on a key's order (incompatible order),
// a transaction that does not see its own appends (internal), and, by real time, a
// committed append that a read begun after its commit returned does not show (lost
// append), or after another read had shown it (lost after read): no isolation level a
// single primary gives allows either, so the write was lost.
import type { Txn } from "./history.js";

export const WW = 1;
export const WR = 2;
export const RW = 4;
export type EdgeKind = typeof WW | typeof WR | typeof RW;

/** Why an edge is there: the key, and the value whose order or visibility implies it. */
export interface Edge {
  to: number;
  kind: EdgeKind;
  key: string;
  value: number;
}

export interface Finding {
  type: "G1a" | "G1b" | "garbage" | "incompatible-order" | "duplicate-elements" | "internal" | "duplicate-append" | "lost-after-read" | "lost-append";
  message: string;
  txns: number[];
}

export interface Inferred {
  /** Out-edges of each transaction, by its id. Aborted transactions have none. */
  out: Edge[][];
  findings: Finding[];
  /** Each key's version order, as far as the reads show it. */
  orders: Map<string, number[]>;
}

const reads = (t: Txn) => t.mops.filter((m): m is { f: "r"; key: string; value: number[] } => m.f === "r" && m.value !== null);
const T = (id: number) => `T${id}`;

export function inferGraph(txns: readonly Txn[]): Inferred {
  const findings: Finding[] = [];
  // Who appended each value to each key, and each writer's last append per key (for G1b).
  const writer = new Map<string, Map<number, number>>();
  const lastAppend = new Map<number, Map<string, number>>();
  for (const t of txns) {
    for (const m of t.mops) {
      if (m.f !== "append") continue;
      let w = writer.get(m.key);
      if (!w) writer.set(m.key, (w = new Map<number, number>()));
      const before = w.get(m.value);
      if (before !== undefined && before !== t.id) findings.push({ type: "duplicate-append", message: `${T(before)} and ${T(t.id)} both append ${m.value} to ${m.key}: values must be unique per key`, txns: [before, t.id] });
      w.set(m.value, t.id);
      let l = lastAppend.get(t.id);
      if (!l) lastAppend.set(t.id, (l = new Map<string, number>()));
      l.set(m.key, m.value);
    }
  }

  // The version order of each key: its longest committed read, every other read a prefix.
  const orders = new Map<string, number[]>();
  for (const t of txns) {
    if (t.type !== "ok") continue;
    for (const r of reads(t)) {
      const have = orders.get(r.key);
      if (!have || r.value.length > have.length) orders.set(r.key, r.value);
    }
  }

  // Committed appends no read shows: lists only grow, so each came after its key's longest
  // read, and whoever read that whole list did not see it (an rw edge to its writer).
  const unseen = new Map<string, { value: number; by: number }[]>();
  for (const [key, w] of writer) {
    const shown = new Set(orders.get(key) ?? []);
    const list = [...w].filter(([value, by]) => !shown.has(value) && txns[by]?.type === "ok").map(([value, by]) => ({ value, by }));
    if (list.length > 0) unseen.set(key, list);
  }

  const out: Edge[][] = txns.map(() => []);
  const kindOf = (id: number) => txns[id]?.type;
  const edge = (from: number, e: Edge) => {
    if (from !== e.to && kindOf(from) !== "fail" && kindOf(e.to) !== "fail") out[from]?.push(e);
  };

  // ww: consecutive versions of each key, by different committed (or unknown) writers.
  for (const [key, order] of orders) {
    const w = writer.get(key);
    for (let i = 1; i < order.length; i++) {
      const a = w?.get(order[i - 1] as number);
      const b = w?.get(order[i] as number);
      if (a !== undefined && b !== undefined) edge(a, { to: b, kind: WW, key, value: order[i] as number });
    }
  }

  for (const t of txns) {
    if (t.type !== "ok") continue;
    const own = new Map<string, number[]>();
    for (const m of t.mops) {
      if (m.f === "append") {
        const list = own.get(m.key) ?? [];
        list.push(m.value);
        own.set(m.key, list);
        continue;
      }
      if (m.value === null) continue;
      const list = m.value;
      const order = orders.get(m.key) ?? [];
      const w = writer.get(m.key);
      // A read must be a prefix of the key's order; a value twice, or one nobody appended, is no version at all.
      if (new Set(list).size !== list.length) findings.push({ type: "duplicate-elements", message: `${T(t.id)} read ${m.key} = [${list.join(" ")}], a value twice`, txns: [t.id] });
      const diverges = list.findIndex((v, i) => order[i] !== v);
      if (diverges >= 0) findings.push({ type: "incompatible-order", message: `${T(t.id)} read ${m.key} = [${list.join(" ")}], which is no prefix of [${order.join(" ")}]`, txns: [t.id] });
      for (const v of list) {
        const by = w?.get(v);
        if (by === undefined) findings.push({ type: "garbage", message: `${T(t.id)} read ${v} in ${m.key}, a value nobody appended`, txns: [t.id] });
        else if (kindOf(by) === "fail") findings.push({ type: "G1a", message: `${T(t.id)} read ${v} in ${m.key}, appended by ${T(by)}, which aborted`, txns: [by, t.id] });
      }
      // Its own appends come last in what it reads (internal consistency), and are no dependency.
      const mine = own.get(m.key) ?? [];
      const tail = list.slice(list.length - mine.length);
      if (mine.length > 0 && tail.join(" ") !== mine.join(" ")) findings.push({ type: "internal", message: `${T(t.id)} appended [${mine.join(" ")}] to ${m.key}, then read [${list.join(" ")}] without them at its end`, txns: [t.id] });
      const external = mine.length > 0 && tail.join(" ") === mine.join(" ") ? list.slice(0, list.length - mine.length) : list;
      const last = external[external.length - 1];
      if (last !== undefined) {
        const by = w?.get(last);
        if (by !== undefined && by !== t.id) {
          edge(by, { to: t.id, kind: WR, key: m.key, value: last });
          if (lastAppend.get(by)?.get(m.key) !== last && kindOf(by) !== "fail") findings.push({ type: "G1b", message: `${T(t.id)} read ${m.key} ending at ${last}, an intermediate append of ${T(by)}, which appended to ${m.key} again after it`, txns: [by, t.id] });
        }
      }
      // rw: the version after what it read, appended by someone else; after the whole
      // order, every committed append that no read shows.
      if (diverges < 0) {
        const next = order[external.length];
        const by = next === undefined ? undefined : w?.get(next);
        if (next !== undefined && by !== undefined) edge(t.id, { to: by, kind: RW, key: m.key, value: next });
        // (Not to the writer of what it read last: a later append of that writer's is the
        // intermediate read, G1b.)
        const lastBy = last === undefined ? undefined : w?.get(last);
        if (list.length === order.length) for (const u of unseen.get(m.key) ?? []) if (u.by !== lastBy) edge(t.id, { to: u.by, kind: RW, key: m.key, value: u.value });
      }
    }
  }
  findings.push(...realTimeLosses(txns, writer));
  return { out, findings, orders };
}

/**
 * By real time: each committed append that a committed read begun after it was known
 * does not show, nor any read begun after that one, once per key and value. Known means
 * the append's transaction had returned, or a read had shown the value and returned: the
 * second is the stronger finding (others saw the write, then it was gone), named as lost
 * after read, with the first reader that saw it. Times are the history's: a
 * transaction's invoke is when it was due, no later than it began, so a pair is counted
 * only when its order is certain.
 */
function realTimeLosses(txns: readonly Txn[], writer: Map<string, Map<number, number>>): Finding[] {
  interface Known {
    at: number;
    values: number[];
    /** The reader, when a read made them known; else the values' own writer. */
    reader?: Txn;
  }
  const known = new Map<string, Known[]>();
  const push = <T>(m: Map<string, T[]>, k: string, v: T) => {
    const l = m.get(k);
    if (l) l.push(v);
    else m.set(k, [v]);
  };
  for (const t of txns) {
    if (t.type !== "ok" || t.invokeAt === undefined || t.completeAt === undefined) continue;
    for (const m of t.mops) {
      if (m.f === "append") push(known, m.key, { at: t.completeAt, values: [m.value] });
      else if (m.value !== null) push(known, m.key, { at: t.completeAt, values: m.value, reader: t });
    }
  }
  const found: Finding[] = [];
  for (const [key, ks] of known) {
    const events = [...ks].sort((a, b) => a.at - b.at);
    // The reads of the key, each with its transaction, by begin time.
    const begun = ks.flatMap((k) => (k.reader ? [{ t: k.reader, list: k.values }] : [])).sort((a, b) => (a.t.invokeAt ?? 0) - (b.t.invokeAt ?? 0));
    // Sweep by begin time: every value known before this read began, and who first read
    // it. A value a later read shows again was missed by a stale read, not lost: that is
    // not this rule's to name.
    const lastShown = new Map<number, number>();
    for (const r of begun) for (const v of r.list) lastShown.set(v, Math.max(lastShown.get(v) ?? 0, r.t.invokeAt ?? 0));
    const committed = new Set<number>();
    const firstReader = new Map<number, Txn>();
    const reported = new Set<number>();
    let e = 0;
    for (const later of begun) {
      for (; e < events.length && (events[e]?.at ?? 0) < (later.t.invokeAt ?? 0); e++) {
        const k = events[e];
        if (!k) continue;
        for (const v of k.values) {
          committed.add(v);
          if (k.reader && !firstReader.has(v)) firstReader.set(v, k.reader);
        }
      }
      const has = new Set(later.list);
      for (const v of committed) {
        if (has.has(v) || reported.has(v) || (lastShown.get(v) ?? -1) > (later.t.invokeAt ?? 0)) continue;
        reported.add(v);
        const by = writer.get(key)?.get(v);
        const reader = firstReader.get(v);
        const without = `${T(later.t.id)}, begun after, read ${key} = [${later.list.join(" ")}] without it`;
        found.push(
          reader
            ? { type: "lost-after-read", message: `the append of ${v} to ${key}${by === undefined ? "" : ` by ${T(by)}`} was read by ${T(reader.id)}, then lost: ${without}`, txns: [...(by === undefined ? [] : [by]), reader.id, later.t.id] }
            : { type: "lost-append", message: `${by === undefined ? "an append" : T(by)} committed ${v} to ${key}, then lost: ${without}`, txns: [...(by === undefined ? [] : [by]), later.t.id] },
        );
      }
    }
  }
  return found;
}
