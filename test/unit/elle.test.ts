// The list-append checker on hand-made histories, one per anomaly class, each the smallest
// history that has it (after Adya's and Elle's definitions), and on serial histories,
// where it must find nothing. Transactions are written as Elle writes them:
// "a x 1" appends 1 to x, "r x 1 2" read x as [1 2], "r x" read it empty.
import { describe, expect, it } from "vitest";
import { checkListAppend, listAppend, listAppendVerdict } from "../../lab/checks/elle/index.js";
import { describeStep } from "../../lab/checks/elle/cycles.js";
import type { Mop, Txn } from "../../lab/checks/elle/history.js";
import { txnsOf } from "../../lab/checks/elle/history.js";
import type { HistoryEntry } from "../../lab/history/types.js";
import { serialHistory } from "../../lab/checks/elle/generate.js";

function mop(s: string): Mop {
  const [f, key = "", ...vals] = s.split(" ");
  return f === "a" ? { f: "append", key, value: Number(vals[0]) } : { f: "r", key, value: vals.map(Number) };
}
const history = (...txns: [Txn["type"], ...string[]][]): Txn[] => txns.map(([type, ...mops], id) => ({ id, type, process: id, mops: mops.map(mop) }));
const classes = (txns: Txn[]) => {
  const r = checkListAppend(txns);
  return [...r.cycles.map((c) => c.class), ...r.findings.map((f) => f.type)].sort();
};

describe("the list-append checker", () => {
  it("G0: two transactions' writes ordered both ways (dirty write)", () => {
    const h = history(["ok", "a x 1", "a y 1"], ["ok", "a x 2", "a y 2"], ["ok", "r x 1 2", "r y 2 1"]);
    const r = checkListAppend(h);
    expect(r.cycles.map((c) => c.class)).toEqual(["G0"]);
    expect(r.cycles[0]?.steps.map((s) => [s.from, s.to])).toEqual([[0, 1], [1, 0]]);
  });

  it("G1a: a read of an append whose transaction aborted", () => {
    expect(classes(history(["fail", "a x 1"], ["ok", "r x 1"]))).toEqual(["G1a"]);
  });

  it("G1b: a read of an intermediate append (its writer appended again after it)", () => {
    expect(classes(history(["ok", "a x 1", "a x 2"], ["ok", "r x 1"]))).toEqual(["G1b"]);
  });

  it("G1c: each transaction read the other's write", () => {
    const r = checkListAppend(history(["ok", "a x 1", "r y 1"], ["ok", "a y 1", "r x 1"]));
    expect(r.cycles.map((c) => c.class)).toEqual(["G1c"]);
    expect(r.cycles[0]?.steps.every((s) => s.kind === 2)).toBe(true);
  });

  it("G-single: a lost update (both read x empty, both appended, one append's reader missed the other)", () => {
    const r = checkListAppend(history(["ok", "r x", "a x 1"], ["ok", "r x", "a x 2"], ["ok", "r x 1 2"]));
    expect(r.cycles.map((c) => c.class)).toEqual(["G-single"]);
    expect(r.cycles[0]?.steps).toHaveLength(2);
  });

  it("G-single: read skew (a reader sees y's new value but x's old one)", () => {
    // T0 writes x and y; T1 reads x before T0 and y after it.
    expect(classes(history(["ok", "a x 1", "a y 1"], ["ok", "r x", "r y 1"], ["ok", "r x 1", "r y 1"]))).toEqual(["G-single"]);
  });

  it("G2-item: write skew (each read what the other was about to change)", () => {
    const r = checkListAppend(history(["ok", "r x", "r y", "a x 1"], ["ok", "r x", "r y", "a y 1"], ["ok", "r x 1", "r y 1"]));
    expect(r.cycles.map((c) => c.class)).toEqual(["G2-item"]);
    expect(r.cycles[0]?.steps.filter((s) => s.kind === 4)).toHaveLength(2);
  });

  it("garbage: a value nobody appended (a wrong answer escaped)", () => {
    expect(classes(history(["ok", "a x 1"], ["ok", "r x 1 9"]))).toContain("garbage");
  });

  it("incompatible order: two reads that disagree on a key's order", () => {
    expect(classes(history(["ok", "a x 1"], ["ok", "a x 2"], ["ok", "r x 1 2"], ["ok", "r x 2 1"]))).toContain("incompatible-order");
  });

  it("lost after read, and lost append: a committed append that a read begun after it was known does not show", () => {
    // PostgreSQL under Patroni, a commit whose wait for the standby was cancelled: visible
    // on the primary (T1 reads it), then gone after a promotion (T3 reads x without it).
    const at = (t: Txn, invokeAt: number, completeAt: number): Txn => ({ ...t, invokeAt, completeAt });
    const [w0, w1, r1, w2, r2] = history(["ok", "a x 1"], ["ok", "a x 2"], ["ok", "r x 1 2"], ["ok", "a x 3"], ["ok", "r x 1 3"]);
    const lost = [at(w0!, 0, 10), at(w1!, 20, 30), at(r1!, 40, 50), at(w2!, 60, 70), at(r2!, 80, 90)];
    const r = checkListAppend(lost);
    expect(r.findings.filter((f) => f.type.startsWith("lost"))).toEqual([
      { type: "lost-after-read", message: "the append of 2 to x by T1 was read by T2, then lost: T4, begun after, read x = [1 3] without it", txns: [1, 2, 4] },
    ]);
    expect(listAppendVerdict(r).figures).toMatchObject({ lostAfterRead: 1, lostAppend: 0 });
    // Nobody read it: an acknowledged append a later read does not show is lost all the same.
    const unread = checkListAppend([at(w0!, 0, 10), at(w1!, 20, 30), at(w2!, 60, 70), at(r2!, 80, 90)]);
    expect(unread.findings.filter((f) => f.type.startsWith("lost"))).toEqual([{ type: "lost-append", message: "T1 committed 2 to x, then lost: T4, begun after, read x = [1 3] without it", txns: [1, 4] }]);
    // Overlapping in time, the later read may be serialized first: nothing is certain.
    expect(classes([at(w0!, 0, 10), at(w1!, 20, 30), at(r1!, 40, 85), at(w2!, 60, 70), at(r2!, 80, 90)])).not.toContain("lost-after-read");
    // Shown again by a later read, it was a stale read, not a loss: not this rule's.
    const again: Txn = { id: 5, type: "ok", process: 5, mops: [mop("r x 1 2 3")], invokeAt: 100, completeAt: 110 };
    expect(classes([at(w0!, 0, 10), at(w1!, 20, 30), at(r1!, 40, 50), at(w2!, 60, 70), at(r2!, 80, 90), again]).filter((c) => c.startsWith("lost"))).toEqual([]);
    // Without times (a history from elsewhere), real time is not judged.
    expect(classes(history(["ok", "a x 1"], ["ok", "a x 2"], ["ok", "r x 1 2"], ["ok", "r x 1"]))).not.toContain("lost-after-read");
  });

  it("the example history in Elle's README (its histories/paper-example.edn): a cycle through an append no read shows", () => {
    // T2 read T1's 8 (wr); T3 did not (rw to T1); T3's 3 to 256 is in no read, so it came
    // after [1 2 4], which T2 read whole (rw to T3): two anti-dependencies, G2-item.
    const h = history(
      ["ok", "a 253 1", "a 253 3", "a 253 4", "a 255 2", "a 255 3", "a 255 4", "a 255 5", "a 256 1", "a 256 2"],
      ["ok", "a 255 8", "r 253 1 3 4"],
      ["ok", "a 256 4", "r 255 2 3 4 5 8", "r 256 1 2 4", "r 253 1 3 4"],
      ["ok", "a 250 10", "r 253 1 3 4", "r 255 2 3 4 5", "a 256 3"],
    );
    const r = checkListAppend(h);
    expect(r.findings).toEqual([]);
    expect(r.cycles.map((c) => [c.class, c.steps.map(describeStep).join(", ")])).toEqual([["G2-item", expect.stringMatching(/T1 -wr\(255 8\)-> T2|T2 -rw\(256 3\)-> T3|T3 -rw\(255 8\)-> T1/)]]);
    expect(new Set(r.cycles[0]?.steps.map((s) => `${s.from}>${s.to}`))).toEqual(new Set(["1>2", "2>3", "3>1"]));
  });

  it("internal: a transaction that does not see its own append", () => {
    expect(classes(history(["ok", "a x 1", "r x"]))).toEqual(["internal"]);
  });

  it("an unknown (info) transaction's observed append is no aborted read", () => {
    expect(classes(history(["info", "a x 1"], ["ok", "r x 1"]))).toEqual([]);
  });

  it("its own appends at the end of a read are no dependency", () => {
    expect(classes(history(["ok", "a x 1"], ["ok", "r x 1", "a x 2", "r x 1 2"]))).toEqual([]);
  });

  it("finds nothing in serial histories, whatever their mix", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = checkListAppend(serialHistory({ txns: 2000, keys: 8, seed }));
      expect(r.cycles, `seed ${seed}`).toEqual([]);
      expect(r.findings, `seed ${seed}`).toEqual([]);
    }
  });

  it("reads transactions from a run's history, and names each anomaly with its proof", () => {
    const entries: HistoryEntry[] = [];
    let index = 0;
    const txn = (process: number, type: "ok" | "fail", mops: Mop[], result: Mop[]) => {
      // Each invoked before the one before it ended: no order in real time between them.
      entries.push({ index: index++, type: "invoke", process, f: "txn", value: mops, time: process });
      entries.push({ index: index++, type, process, f: "txn", value: result, time: 100 + index });
    };
    txn(0, "ok", [mop("r x"), mop("a x 1")], [mop("r x"), mop("a x 1")]);
    txn(1, "ok", [{ f: "r", key: "x", value: null }, mop("a x 2")], [mop("r x"), mop("a x 2")]);
    txn(2, "ok", [{ f: "r", key: "x", value: null }], [mop("r x 1 2")]);
    expect(txnsOf(entries)).toHaveLength(3);
    const v = listAppend.run(entries);
    expect(v.valid).toBe(false);
    expect(v.figures).toMatchObject({ txns: 3, committed: 3, Gsingle: 1, anomalies: 1 });
    expect(v.anomalies[0]?.message).toMatch(/^G-single \(read skew or lost update.*\): T0 -ww\(x 2\)-> T1, T1 -rw\(x 1\)-> T0$/);
    expect(v.table?.[1]?.[0]).toBe("G-single");
    expect(v.cycles).toHaveLength(1);
    expect(v.cycles?.[0]?.title).toMatch(/^G-single: read skew/);
    expect(v.cycles?.[0]?.nodes).toEqual(["T0", "T1"]);
    expect(v.cycles?.[0]?.edges).toEqual([{ label: "ww x 2", emphasis: false }, { label: "rw x 1", emphasis: true }]);
    expect(listAppendVerdict(checkListAppend([])).valid).toBe(true);
  });
});
