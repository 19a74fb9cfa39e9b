// Serial list-append histories, for the checker's tests and benchmark: transactions run
// one after another against one store, so the history is strictly serializable by construction and
// the checker must find nothing in it. Keys retire after a number of appends, as Elle's
// generator does, so reads stay short however long the history.
import { seeded } from "../../schedule/random.js";
import type { Mop, Txn } from "./history.js";

export interface SerialOptions {
  txns: number;
  /** Keys live at once. */
  keys: number;
  seed: number;
  /** Appends a key takes before a fresh key replaces it. */
  appendsPerKey?: number;
  /** Mops a transaction holds, at most. */
  maxMops?: number;
}

export function serialHistory(o: SerialOptions): Txn[] {
  const rng = seeded(o.seed);
  const perKey = o.appendsPerKey ?? 32;
  const store = new Map<string, number[]>();
  let nextKey = 0;
  const live = Array.from({ length: o.keys }, () => `k${nextKey++}`);
  const txns: Txn[] = [];
  for (let id = 0; id < o.txns; id++) {
    const mops: Mop[] = [];
    for (let n = rng.int(1, o.maxMops ?? 4); n > 0; n--) {
      const slot = rng.int(0, live.length - 1);
      const key = live[slot] as string;
      const list = store.get(key) ?? [];
      if (rng.int(0, 1) === 0) {
        mops.push({ f: "r", key, value: [...list] });
        continue;
      }
      const value = list.length + 1;
      store.set(key, [...list, value]);
      mops.push({ f: "append", key, value });
      if (value >= perKey) live[slot] = `k${nextKey++}`;
    }
    // One after another in real time too (µs), so the real-time rule has pairs to weigh.
    txns.push({ id, type: "ok", process: id % 16, mops, invokeAt: id * 10, completeAt: id * 10 + 5 });
  }
  // One final read of every key, so every append's place is known.
  const end = o.txns * 10;
  txns.push({ id: txns.length, type: "ok", process: 0, mops: [...store].map(([key, list]) => ({ f: "r", key, value: [...list] })), invokeAt: end, completeAt: end + 5 });
  return txns;
}
