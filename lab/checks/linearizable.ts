// Linearizability of a single register (read, write, cas) by the Wing–Gong search with
// Lowe's memoization: find an order of the operations that respects real time (an op
// completed before another was invoked comes first) and the register's semantics. An `ok`
// op must take effect between its invoke and completion; an `info` op may take effect any
// time after its invoke, or never; a `fail` op never did. Exponential in the worst case,
// so it is meant for small histories (tens of operations).
import { pairOps } from "../history/history.js";
import type { PairedOp } from "../history/types.js";
import type { Check, Verdict } from "./types.js";

interface RegOp {
  i: number;
  f: "read" | "write" | "cas";
  value: unknown;
  result: unknown;
  invokedAt: number;
  /** Infinity for info ops: they may take effect at any time after their invoke. */
  completedAt: number;
  required: boolean;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Applies an op to the register; undefined when the op cannot happen in this state. */
function step(state: unknown, op: RegOp): { state: unknown } | undefined {
  switch (op.f) {
    case "read":
      return op.result === undefined || same(op.result, state) ? { state } : undefined;
    case "write":
      return { state: op.value };
    case "cas": {
      const [expect, next] = op.value as [unknown, unknown];
      return same(state, expect) ? { state: next } : undefined;
    }
  }
}

export function checkRegister(ops: readonly PairedOp[], initial: unknown = null, budget = 2_000_000): Verdict {
  const reg: RegOp[] = ops
    .filter((o) => (o.f === "read" || o.f === "write" || o.f === "cas") && o.type !== "fail")
    .map((o, i) => ({
      i,
      f: o.f as RegOp["f"],
      value: o.value,
      result: o.type === "ok" ? o.result : undefined,
      invokedAt: o.invokedAt,
      completedAt: o.type === "ok" ? o.completedAt : Number.POSITIVE_INFINITY,
      required: o.type === "ok",
    }));
  const n = reg.length;
  const seen = new Set<string>();
  let explored = 0;
  let best = 0;
  const all = (1n << BigInt(n)) - 1n;
  const requiredMask = reg.reduce((m, o) => (o.required ? m | (1n << BigInt(o.i)) : m), 0n);

  function search(done: bigint, state: unknown, depth: number): boolean {
    if ((done & requiredMask) === requiredMask) return true;
    if (++explored > budget) throw new Error("budget");
    const memo = `${done.toString(36)}|${JSON.stringify(state ?? null)}`;
    if (seen.has(memo)) return false;
    seen.add(memo);
    best = Math.max(best, depth);
    // Real time: nothing may go next if some pending required op completed before it was invoked.
    let horizon = Number.POSITIVE_INFINITY;
    for (const o of reg) if (!(done & (1n << BigInt(o.i))) && o.completedAt < horizon) horizon = o.completedAt;
    for (const o of reg) {
      const bit = 1n << BigInt(o.i);
      if (done & bit || o.invokedAt > horizon) continue;
      const next = step(state, o);
      if (next && search(done | bit, next.state, depth + 1)) return true;
    }
    return false;
  }

  try {
    const ok = n === 0 || search(0n, initial, 0) || all === 0n;
    return {
      valid: ok,
      figures: { ops: n, explored },
      anomalies: ok ? [] : [{ message: `no linear order exists: at most ${best} of ${n} register operations could be ordered consistently` }],
    };
  } catch {
    return { valid: false, figures: { ops: n, explored }, anomalies: [{ message: `search budget of ${budget} states exhausted; the history is too large for this checker` }] };
  }
}

export const linearizable: Check = {
  name: "linearizable",
  units: { ops: "count", explored: "count" },
  run: (history) => checkRegister(pairOps(history)),
};
