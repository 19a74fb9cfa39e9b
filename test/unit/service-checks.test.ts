// The service checks and the scorecard on hand-made histories: each must catch the
// failure its claim rules out, and pass the history where nothing went wrong.
import { describe, expect, it } from "vitest";
import { downloads, files, mail, sessions, transactions } from "../../lab/checks/services.js";
import { scoreRows, scorecard } from "../../lab/checks/scorecard.js";
import type { HistoryEntry } from "../../lab/history/types.js";

type Unindexed = HistoryEntry extends infer E ? (E extends unknown ? Omit<E, "index"> : never) : never;

interface OpSpec {
  f: string;
  value?: unknown;
  result?: unknown;
  type?: "ok" | "fail" | "info";
  attempts?: number;
  service?: string;
  error?: string;
  at?: number;
}

/** Operations one after another (1 ms apart), then the final truth reads. */
function history(ops: OpSpec[], truths: Record<string, unknown>, fault?: [number, number]): HistoryEntry[] {
  const raw: Unindexed[] = [];
  let t = 0;
  ops.forEach((o, i) => {
    const at = (o.at ?? t) * 1000;
    t += 1;
    const svc = o.service ? { service: o.service } : {};
    raw.push({ type: "invoke", process: i, f: o.f, time: at, ...(o.value !== undefined ? { value: o.value } : {}), ...svc });
    raw.push({ type: o.type ?? "ok", process: i, f: o.f, time: at + 500, latency: 500, ...(o.result !== undefined ? { value: o.result } : {}), ...(o.attempts ? { attempts: o.attempts } : {}), ...(o.error ? { error: o.error } : {}), ...svc });
  });
  if (fault) {
    raw.push({ type: "fault", time: fault[0] * 1000, event: "inject", id: "f", kind: "cpu.kill", description: "cpu.kill cpu-0" });
    raw.push({ type: "fault", time: fault[1] * 1000, event: "heal", id: "f", kind: "cpu.kill", description: "cpu.kill cpu-0" });
  }
  Object.entries(truths).forEach(([service, truth], k) => {
    const time = (t + 10 + k) * 1000;
    raw.push({ type: "invoke", process: 1_000_000 + k, f: "truth", time, service });
    raw.push({ type: "ok", process: 1_000_000 + k, f: "truth", time: time + 1, value: truth, service });
  });
  return raw.sort((a, b) => a.time - b.time).map((e, index): HistoryEntry => ({ ...e, index }));
}

const order = (key: string, customer: string, amount: number, status = "paid", more: Partial<OpSpec> = {}): OpSpec => ({ f: "order", value: { key, customer, item: "x", amount }, result: { key, status }, ...more });

describe("transactions check", () => {
  const paid = { accounts: { ann: 990, shop: 10 }, orders: { k1: { customer: "ann", item: "x", amount: 10 } }, payments: { k1: { from: "ann", to: "shop", amount: 10 } }, declined: {} };

  it("passes a ledger that holds every acknowledged order, each paid once", () => {
    const v = transactions.run(history([order("k1", "ann", 10, "paid", { attempts: 2 })], { transactions: paid }));
    expect(v.valid).toBe(true);
    expect(v.figures).toMatchObject({ acknowledged: 1, lost: 0, retried: 1 });
  });

  it("finds an acknowledged order the ledger lost", () => {
    const v = transactions.run(history([order("k1", "ann", 10), order("k2", "ann", 5)], { transactions: paid }));
    expect(v.valid).toBe(false);
    expect(v.figures.lost).toBe(1);
  });

  it("finds a payment without its order, and money taken for nothing", () => {
    const broken = { ...paid, accounts: { ann: 980, shop: 20 }, payments: { ...paid.payments, k9: { from: "ann", to: "shop", amount: 10 } } };
    const v = transactions.run(history([order("k1", "ann", 10)], { transactions: broken }));
    expect(v.valid).toBe(false);
    expect(v.figures).toMatchObject({ orphans: 1, overcharged: 1 });
  });

  it("finds money that appeared from nowhere", () => {
    const v = transactions.run(history([order("k1", "ann", 10)], { transactions: { ...paid, accounts: { ann: 990, shop: 50 } } }));
    expect(v.figures.conservationError).toBe(40);
  });
});

describe("mail check", () => {
  const m = (id: string, to = "u@x"): OpSpec => ({ f: "mail", value: { id, to } });
  it("passes mail delivered once each", () => {
    expect(mail.run(history([m("<1>"), m("<2>")], { mail: { queue: [], mailboxes: { "u@x": ["<1>", "<2>"] } } })).valid).toBe(true);
  });
  it("finds a 250 never delivered, and one delivered twice", () => {
    const v = mail.run(history([m("<1>"), m("<2>")], { mail: { queue: [], mailboxes: { "u@x": ["<1>", "<1>"] } } }));
    expect(v.figures).toMatchObject({ lost: 1, duplicated: 1 });
    expect(v.valid).toBe(false);
  });
  it("counts an unacknowledged message as nobody's loss", () => {
    expect(mail.run(history([{ ...m("<1>"), type: "info" }], { mail: { queue: [], mailboxes: {} } })).valid).toBe(true);
  });
});

describe("downloads check", () => {
  const d = (download: string, r: Partial<{ exact: boolean; abandoned: boolean; billed: boolean; resumes: number }>): OpSpec => ({
    f: "download",
    value: { download, file: "applet.jar", abandon: r.abandoned ?? false },
    result: { download, file: "applet.jar", bytes: 10, exact: true, resumes: 0, abandoned: false, billed: true, ...r },
  });
  it("passes completed downloads billed once and abandoned ones unbilled", () => {
    const v = downloads.run(history([d("d1", { resumes: 1 }), d("d2", { abandoned: true, exact: false, billed: false })], { downloads: { bills: [{ download: "d1" }] } }));
    expect(v.valid).toBe(true);
    expect(v.figures).toMatchObject({ completed: 1, resumed: 1, abandoned: 1 });
  });
  it("finds a double bill, a bill for an abandoned download and a corrupt one", () => {
    const v = downloads.run(history([d("d1", {}), d("d2", { abandoned: true, exact: false, billed: false }), d("d3", { exact: false, billed: false })], { downloads: { bills: [{ download: "d1" }, { download: "d1" }, { download: "d2" }] } }));
    expect(v.figures).toMatchObject({ doubleBilled: 1, billedIncomplete: 1, corrupt: 1 });
    expect(v.valid).toBe(false);
  });
});

describe("files check", () => {
  const w = (path: string, cache: string, service: string): OpSpec => ({ f: "file-write", value: { path, data: `d-${path}`, cache }, service });
  it("fails a write-through loss, and only counts a write-back one", () => {
    const h = history([w("a", "write-through", "files"), w("b", "write-back", "files-wb"), w("c", "write-back", "files-wb")], { files: { files: {} }, "files-wb": { files: { c: "d-c" } } });
    const v = files.run(h);
    expect(v.figures).toMatchObject({ lost: 1, lostWriteBack: 1 });
    expect(v.valid).toBe(false);
    expect(files.run(history([w("b", "write-back", "files-wb")], { "files-wb": { files: {} } })).valid).toBe(true);
  });
});

describe("sessions check", () => {
  const s = (n: number, session = "s1"): OpSpec => ({ f: "session", value: { user: "u0" }, result: { user: "u0", session, n } });
  it("counts lost sessions and passes counters that step by one", () => {
    const lost: OpSpec = { f: "session", value: { user: "u0" }, result: { user: "u0", session: "s1" }, type: "fail", error: "session lost: connection closed" };
    const v = sessions.run(history([s(1), s(2), lost, s(1, "s2")], {}));
    expect(v.figures).toMatchObject({ sessions: 2, lost: 1 });
    expect(v.valid).toBe(true);
  });
  it("finds a counter that skipped", () => {
    expect(sessions.run(history([s(1), s(3)], {})).valid).toBe(false);
  });
});

describe("scorecard", () => {
  it("classifies each service by what its clients lived through", () => {
    const ops: OpSpec[] = [
      { f: "get", service: "web", at: 11 },
      { f: "get", service: "web", attempts: 3, at: 12 },
      { f: "file-write", value: { path: "a", data: "1", cache: "write-back" }, service: "files-wb", at: 13 },
      { f: "file-write", value: { path: "b", data: "1", cache: "write-through" }, service: "files", at: 14 },
      { f: "session", value: { user: "u" }, result: { user: "u", session: "s1", n: 1 }, service: "session", at: 15 },
      { f: "session", value: { user: "u" }, result: { user: "u", session: "s1" }, type: "fail", error: "session lost: timeout", service: "session", at: 16 },
    ];
    const h = history(ops, { "files-wb": { files: {} }, files: { files: { b: "1" } } }, [10, 20]);
    const rows = Object.fromEntries(scoreRows(h).map((r) => [r.service, r]));
    expect(rows.web?.measured).toBe("survived with retry");
    expect(rows["files-wb"]?.measured).toBe("data lost");
    expect(rows.files?.measured).toBe("transparent");
    expect(rows.session?.measured).toBe("session lost");
    const v = scorecard.run(h);
    expect(v.valid).toBe(true);
    expect(v.table?.[0]?.[0]).toBe("service");
  });

  it("marks a write-through service that lost data as against the paper", () => {
    const h = history([{ f: "file-write", value: { path: "a", data: "1", cache: "write-through" }, service: "files", at: 11 }], { files: { files: {} } }, [10, 20]);
    const v = scorecard.run(h);
    expect(v.valid).toBe(false);
    expect(v.anomalies[0]?.message).toContain("files: measured 'data lost'");
  });
});
