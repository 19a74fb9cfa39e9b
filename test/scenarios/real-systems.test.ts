// Real HA software from Debian's packages under the lab's faults, one fast scenario per
// system (tuned timers), run as a user runs them: loaded from examples/<system>/. Each must
// reproduce what has been published about it, and the figures behind the verdict are
// checked, not only the verdict: an expected failure that failed for another reason (no
// final read, no failover at all) would prove nothing. The full set is `npm run real-systems`.
import { describe, expect, inject, it } from "vitest";
import { appContainers } from "../../lab/app/system.js";
import { connectEngine } from "../../lab/docker/engine.js";
import { Plumbing } from "../../lab/docker/plumbing.js";
import { writeReports } from "../../lab/report/write.js";
import { loadScenarios } from "../../lab/scenario/load.js";
import { runScenario } from "../../lab/scenario/run.js";
import type { ScenarioResult } from "../../lab/scenario/result.js";

async function run(file: string): Promise<ScenarioResult> {
  const [s] = await loadScenarios([file]);
  if (!s) throw new Error(`${file}: no scenario`);
  const plumbing = new Plumbing(await connectEngine());
  const dir = `reports/scenarios/${s.name}`;
  const r = await runScenario(s, { plumbing, images: inject("images"), reportDir: dir });
  await writeReports(r, dir);
  expect(await plumbing.container.list(r.lab)).toEqual([]);
  expect(await appContainers(plumbing, r.lab)).toEqual([]);
  return r;
}

const figure = (r: ScenarioResult, check: string, name: string): number | null | undefined => r.checks.find((c) => c.name === check)?.figures[name];

describe("Redis 7.0.15 with Sentinel", () => {
  it("loses writes its old primary acknowledged during a partition (Jepsen, 2013), and two servers say master at once", async () => {
    const r = await run("examples/redis-sentinel/scenarios/partition-loses-writes.scenario.yaml");
    expect(r.ok, r.summary).toBe(true);
    expect(figure(r, "lostWrites", "acknowledged")).toBeGreaterThan(100);
    expect(figure(r, "lostWrites", "lost")).toBeGreaterThan(0);
    expect(figure(r, "splitBrain", "splitRounds")).toBeGreaterThan(0);
  });

  it("replaces a killed primary within one of its rule's cases, and its own log says it switched the master", async () => {
    const r = await run("examples/redis-sentinel/scenarios/kill-primary-tuned.scenario.yaml");
    expect(r.ok, r.summary).toBe(true);
    const band = r.thresholds.find((t) => t.check === "failoverGap" && t.cases);
    expect(band?.held, r.summary).toMatch(/^(first|retried)$/);
    // The case is the one Sentinel's log tells: a vote lost means the retry.
    expect(band?.held === "retried", r.summary).toBe((figure(r, "logs", "notElected") ?? 0) > 0);
    // A majority saw it down (quorum 2 of 3), and the gap was measured on real traffic.
    expect(figure(r, "logs", "odown")).toBeGreaterThanOrEqual(1);
    expect(figure(r, "logs", "sdown")).toBeGreaterThanOrEqual(2);
    expect(figure(r, "lostWrites", "acknowledged")).toBeGreaterThan(100);
  });
});

describe("PostgreSQL 15 with Patroni 3.0.2 and etcd 3.4.23", () => {
  it("in synchronous mode loses no committed insert and never has two primaries when its leader is killed", async () => {
    const r = await run("examples/patroni/scenarios/kill-leader-sync.scenario.yaml");
    expect(r.ok, r.summary).toBe(true);
    expect(figure(r, "lostWrites", "acknowledged")).toBeGreaterThan(100);
    // A failover happened: the probes saw a primary other than pg1, and writes came back.
    expect(figure(r, "failoverGap", "max")).toBeGreaterThan(0);
    expect(figure(r, "splitBrain", "probeRounds")).toBeGreaterThan(50);
  });

  // The control for the transactional checker: a correct configuration must raise no alarm.
  it("at SERIALIZABLE in synchronous mode, Elle's list-append check finds no anomaly through a killed leader", async () => {
    const r = await run("examples/patroni/scenarios/txn-serializable.scenario.yaml");
    expect(r.ok, r.summary).toBe(true);
    expect(figure(r, "listAppend", "committed")).toBeGreaterThan(200);
    expect(figure(r, "listAppend", "anomalies")).toBe(0);
    expect(figure(r, "splitBrain", "handovers")).toBeGreaterThanOrEqual(1);
  });

  // Patroni's documented exception: a cancelled wait for the standby commits locally.
  it("in synchronous mode loses a commit whose wait for the standby was cancelled, after others read it, and listAppend names it", async () => {
    const r = await run("examples/patroni/scenarios/cancelled-wait-loses-commit.scenario.yaml");
    expect(r.ok, r.summary).toBe(true);
    expect(figure(r, "listAppend", "lostAfterRead")).toBeGreaterThanOrEqual(1);
    // For the documented reason: PostgreSQL warned of cancelled waits on pg1, a standby
    // was promoted, and no two servers were primary at once.
    expect(figure(r, "logs", "cancelledWait")).toBeGreaterThanOrEqual(1);
    expect(figure(r, "logs", "promoted")).toBeGreaterThanOrEqual(1);
    expect(figure(r, "splitBrain", "splitRounds")).toBe(0);
    const lost = r.checks.find((c) => c.name === "listAppend")?.anomalies.find((a) => a.message.startsWith("lost-after-read"));
    expect(lost?.message).toMatch(/^lost-after-read: the append of \d+ to k\d+ by T\d+ was read by T\d+, then lost: T\d+, begun after, read k\d+ = \[[\d ]*\] without it$/);
  });
});

describe("keepalived 2.2.7 with HAProxy 2.6.12", () => {
  it("makes both nodes master when they are cut off from each other (VRRP has no quorum), and splitBrain says so", async () => {
    const r = await run("examples/keepalived/scenarios/partition-both-master.scenario.yaml");
    expect(r.ok, r.summary).toBe(true);
    expect(figure(r, "splitBrain", "splitRounds")).toBeGreaterThan(5);
    // The virtual address answered before and after: the split is the finding, not a dead system.
    expect(figure(r, "availability", "outsideFaults")).toBeGreaterThanOrEqual(95);
  });
});
