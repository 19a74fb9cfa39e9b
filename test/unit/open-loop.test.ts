import { describe, expect, it } from "vitest";
import { HistoryRecorder } from "../../lab/history/recorder.js";
import { pairOps } from "../../lab/history/history.js";
import { OpenLoop } from "../../lab/workload/open-loop.js";
import type { Client, Outcome } from "../../lab/workload/types.js";

/** A client whose answers take `delay(i)` ms: a stand-in server, for the scheduling logic only. */
function slowClient(delay: (i: number) => number, outcome: (i: number) => Outcome = () => ({ type: "ok" })): Client {
  let i = 0;
  return {
    invoke: () => {
      const n = i++;
      return new Promise((r) => setTimeout(() => r(outcome(n)), delay(n)));
    },
    close: () => Promise.resolve(),
  };
}

describe("open-loop workload", () => {
  it("issues at the fixed rate and records every operation", async () => {
    const rec = new HistoryRecorder();
    const load = new OpenLoop(slowClient(() => 1), rec, { rate: 500, op: () => ({ f: "get" }) }).start();
    await new Promise((r) => setTimeout(r, 400));
    await load.stop();
    const ops = pairOps(rec.entries);
    expect(load.stats.issued).toBeGreaterThan(150);
    expect(load.stats.issued).toBeLessThan(260);
    expect(ops).toHaveLength(load.stats.issued);
    // Due times are exactly 2 ms apart.
    const due = rec.entries.filter((e) => e.type === "invoke").map((e) => e.time);
    for (let k = 1; k < due.length; k++) expect(Math.abs((due[k] ?? 0) - (due[k - 1] ?? 0) - 2000)).toBeLessThanOrEqual(1);
  });

  it("keeps issuing through a stall, and counts latency from the due time (no coordinated omission)", async () => {
    const rec = new HistoryRecorder();
    // Every operation issued in the first 300 ms waits until t≈300 ms: a stalled server.
    const t0 = performance.now();
    const client = slowClient(() => Math.max(1, 300 - (performance.now() - t0)));
    const load = new OpenLoop(client, rec, { rate: 200, op: () => ({ f: "get" }) }).start();
    await new Promise((r) => setTimeout(r, 500));
    await load.stop();
    const ops = pairOps(rec.entries).sort((a, b) => a.invokedAt - b.invokedAt);
    expect(ops.filter((o) => o.invokedAt < 250_000).length).toBeGreaterThan(40);
    // The first op waited the whole stall.
    expect(ops[0]?.latency).toBeGreaterThan(250_000);
  });

  it("never reuses a process whose operation ended in info", async () => {
    const rec = new HistoryRecorder();
    const load = new OpenLoop(slowClient(() => 1, (i) => (i % 2 ? { type: "info", error: "cut" } : { type: "ok" })), rec, { rate: 400, op: () => ({ f: "put" }) }).start();
    await new Promise((r) => setTimeout(r, 200));
    await load.stop();
    const ops = pairOps(rec.entries).sort((a, b) => a.invokedAt - b.invokedAt);
    expect(ops.filter((o) => o.type === "info").length).toBeGreaterThan(10);
    // Whatever a process did before, nothing follows an operation of unknown outcome.
    const ended = new Set<number>();
    for (const o of ops) {
      expect(ended.has(o.process)).toBe(false);
      if (o.type === "info") ended.add(o.process);
    }
  });

  it("fails due operations at once when too many are in flight, rather than waiting", async () => {
    const rec = new HistoryRecorder();
    const load = new OpenLoop(slowClient(() => 150), rec, { rate: 400, op: () => ({ f: "get" }), maxInFlight: 5 }).start();
    await new Promise((r) => setTimeout(r, 100));
    await load.stop();
    expect(load.stats.failed).toBeGreaterThan(10);
    expect(pairOps(rec.entries).find((o) => o.type === "fail")?.error).toMatch(/client saturated/);
  });
});
