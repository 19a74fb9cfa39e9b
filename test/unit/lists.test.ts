// The machine's side of the txn workload: transactions parsed from the wire, applied at
// once, each read answering the list it saw.
import { describe, expect, it } from "vitest";
import { apply, emptyState } from "../../runtime/pairs/state.js";
import { parseMops } from "../../runtime/services/state/lists.js";
import { txnFor } from "../../lab/workload/service-ops.js";

describe("list transactions on a pair", () => {
  it("applies appends and reads in order, a read seeing the appends before it", () => {
    const s = emptyState();
    expect(apply(s, { f: "txn", mops: [{ f: "append", key: "x", value: 1 }, { f: "r", key: "x", value: null }] })).toEqual([
      { f: "append", key: "x", value: 1 },
      { f: "r", key: "x", value: [1] },
    ]);
    expect(apply(s, { f: "txn", mops: [{ f: "r", key: "x", value: null }, { f: "append", key: "x", value: 2 }, { f: "r", key: "y", value: null }] })).toEqual([
      { f: "r", key: "x", value: [1] },
      { f: "append", key: "x", value: 2 },
      { f: "r", key: "y", value: [] },
    ]);
    expect(s.lists?.lists).toEqual({ x: [1, 2], y: [] });
    expect(s.seq).toBe(2);
  });

  it("parses mops from a request body, a read going in empty whatever it carried", () => {
    expect(parseMops('[{"f":"append","key":"k","value":3},{"f":"r","key":"k","value":[9]}]')).toEqual([
      { f: "append", key: "k", value: 3 },
      { f: "r", key: "k", value: null },
    ]);
  });

  it("refuses a malformed transaction with the mop's path and the allowed shapes", () => {
    expect(parseMops("nope")).toBe("the body must be JSON: a list of mops");
    expect(parseMops("[]")).toMatch(/^mops: .*allowed: \{ f: "append", key, value: integer \} or \{ f: "r", key \}$/);
    expect(parseMops('[{"f":"append","key":"k","value":1.5}]')).toMatch(/^mops\[0\]\.value: /);
    expect(parseMops('[{"f":"write","key":"k"}]')).toMatch(/^mops\[0\]\.f: /);
  });

  it("the workload's transactions append values unique per key, over keys that retire", () => {
    const seen = new Set<string>();
    const keys = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      for (const m of txnFor(i)) {
        keys.add(m.key);
        if (m.f !== "append") continue;
        expect(seen.has(`${m.key}=${m.value}`)).toBe(false);
        seen.add(`${m.key}=${m.value}`);
      }
    }
    expect(keys.size).toBeGreaterThan(40);
    expect(txnFor(17)).toEqual(txnFor(17));
  });
});
