// The voter's logic: majority of three, switching off a dissenter, never outvoting a silent
// replica. Replicas are stubbed here (this is pure logic); the tmr-diverge scenario runs
// the real thing on three CPUs.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EventLog } from "../../runtime/events.js";
import type { ServerNet } from "../../runtime/membership/transport.js";
import { Raid1 } from "../../runtime/raid/raid1.js";
import { compute, corrupted } from "../../runtime/voting/compute.js";
import { Replica, Voter } from "../../runtime/voting/voter.js";
import { rightAnswers } from "../../lab/checks/index.js";
import type { HistoryEntry } from "../../lab/history/types.js";

let dir: string;
let raid: Raid1;
let events: EventLog;
/** How each remote replica behaves: "right", "wrong" or "silent". */
let behaviour: Record<string, "right" | "wrong" | "silent">;

const unused = () => Promise.reject(new Error("the voter only uses sendBoth"));
const transport: ServerNet = {
  send: unused,
  post: () => undefined,
  sendBoth: (to, _planes, _path, body) => {
    const x = (body as { x: number }).x;
    const b = behaviour[to] ?? "right";
    if (b === "silent") return Promise.reject(new Error("no answer"));
    return Promise.resolve({ value: b === "right" ? compute(x) : corrupted(compute(x)) });
  },
};

function voter(self = "cpu-1", replica = new Replica()): Voter {
  return new Voter({ self, replicas: ["cpu-1", "cpu-2", "cpu-3"], replica, transport, planes: ["x", "y"], raid, events, file: "pairs/web.voting.json", timeoutMs: 100 });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "voting-"));
  raid = new Raid1([{ name: "m", path: dir }]);
  events = new EventLog("cpu-1");
  behaviour = {};
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("the voter (TMR)", () => {
  it("answers what all three agree on", async () => {
    expect(await voter().vote(7)).toEqual({ ok: true, value: compute(7), votes: 3, of: 3 });
  });

  it("outvotes a divergent replica, switches it off, names it, and keeps it off on the RAID", async () => {
    behaviour["cpu-3"] = "wrong";
    const v = voter();
    expect(await v.vote(1)).toMatchObject({ ok: true, value: compute(1), votes: 2 });
    expect(await v.switchedOff()).toEqual(["cpu-3"]);
    expect(events.since(0).events.map((e) => [e.type, e.detail.replica])).toEqual([["replica.votedOut", "cpu-3"]]);
    // A voter on another CPU (after a takeover) reads the record and never asks cpu-3 again.
    behaviour["cpu-3"] = "right";
    expect(await voter("cpu-2").switchedOff()).toEqual(["cpu-3"]);
  });

  it("never outvotes a silent replica: a crash is not dissent", async () => {
    behaviour["cpu-2"] = "silent";
    expect(await voter().vote(2)).toMatchObject({ ok: true, votes: 2 });
    expect(await voter().switchedOff()).toEqual([]);
  });

  it("gives no answer rather than a wrong one when no two agree", async () => {
    behaviour["cpu-2"] = "wrong";
    behaviour["cpu-3"] = "silent";
    const r = await voter().vote(3);
    expect(r.ok).toBe(false);
  });

  it("a local replica diverges only while the fault is on", () => {
    const r = new Replica();
    r.diverge("f1");
    expect(r.answer(5)).not.toBe(compute(5));
    r.heal("f1");
    expect(r.answer(5)).toBe(compute(5));
  });

  it("the rightAnswers check catches a wrong answer a client received", () => {
    const h: HistoryEntry[] = [
      { index: 0, type: "invoke", process: 1, f: "compute", value: 4, time: 0 },
      { index: 1, type: "ok", process: 1, f: "compute", value: compute(4), time: 10 },
      { index: 2, type: "invoke", process: 2, f: "compute", value: 5, time: 20 },
      { index: 3, type: "ok", process: 2, f: "compute", value: corrupted(compute(5)), time: 30 },
    ];
    expect(rightAnswers.run(h)).toMatchObject({ valid: false, figures: { answers: 2, wrong: 1 } });
    expect(rightAnswers.run(h.slice(0, 2))).toMatchObject({ valid: true, figures: { answers: 1, wrong: 0 } });
  });
});
