import { describe, expect, it } from "vitest";
import { UsageError } from "../../lab/errors.js";
import { defineScenario, type ScenarioSpec } from "../../lab/scenario/define.js";
import { analyze } from "../../lab/scenario/case.js";
import { resolveScenario } from "../../lab/scenario/validate.js";
import { SCENARIOS } from "../../scenarios/index.js";

const base: ScenarioSpec = defineScenario({
  name: "probe",
  claim: "a claim",
  topology: { cpus: 2 },
  workload: { client: "http", service: "web", rate: 10, timeoutMs: 500 },
  schedule: { timeline: [{ at: "1s", inject: { kind: "cpu.kill", cpu: "cpu-0" }, id: "k" }, { at: "2s", heal: "k" }] },
  duration: "3s",
  checks: ["availability", "failoverGap"],
  thresholds: ["failoverGap.p99 <= 500ms"],
});

function error(spec: Partial<ScenarioSpec>): string {
  try {
    resolveScenario({ ...base, ...spec }, "demo");
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).not.toContain("\n");
    return (e as Error).message;
  }
  throw new Error("expected an error");
}

describe("scenario validation, before anything starts", () => {
  it("accepts every shipped scenario", () => {
    for (const s of SCENARIOS) expect(resolveScenario(s, "demo").schedule.length).toBeGreaterThan(0);
  });

  it("rejects an unknown check with its field path", () => {
    expect(error({ checks: ["availability", "uptime"] })).toBe(
      "scenario probe: checks[1]: unknown check 'uptime'; allowed: availability, failoverGap, latency, lostWrites, duplicates, linearizable, runtime, splitBrain, readsCorrect, rightAnswers, transactions, mail, downloads, files, sessions, scorecard, listAppend, or a Check object of your own",
    );
  });

  it("observes checks without judging them, except through the thresholds that name them", () => {
    const scn = resolveScenario({ ...base, observe: ["lostWrites"], thresholds: ["lostWrites.lost <= 5"] }, "demo");
    const history = [
      { index: 0, type: "invoke" as const, process: 1, f: "write", value: "a", time: 0 },
      { index: 1, type: "ok" as const, process: 1, f: "write", value: "a", time: 10 },
      { index: 2, type: "invoke" as const, process: 2, f: "read-all", time: 20 },
      { index: 3, type: "ok" as const, process: 2, f: "read-all", value: [], time: 30 },
    ];
    const r = analyze(base, scn, { history, before: [], after: [], aborted: false }, { lab: "demo", startedAt: new Date(0), wallMs: 1, reportDir: undefined });
    const lost = r.checks.find((c) => c.name === "lostWrites");
    expect(lost).toMatchObject({ valid: false, observed: true, figures: { lost: 1 } });
    expect(r.status).toBe("passed");
    expect(error({ observe: ["availability"] })).toBe("scenario probe: observe: availability is in checks too; a check is either judged (checks) or observed");
  });

  it("rejects a workload whose client does not speak its service's protocol", () => {
    expect(error({ topology: { cpus: 2, services: "all" }, workload: { client: "http", service: "mail", rate: 10, timeoutMs: 500 } })).toBe(
      "scenario probe: workload.client: service 'mail' is mail, whose client is 'smtp' (got 'http')",
    );
    expect(error({ topology: { cpus: 2, services: "all" }, workload: [{ client: "smtp", service: "mail", rate: 10, timeoutMs: 500 }, { client: "telnet" as "session", service: "session", rate: 1, timeoutMs: 500 }] })).toBe(
      "scenario probe: workload[1]: client: allowed: http, transactions, smtp, downloads, files, session",
    );
  });

  it("rejects a threshold of the wrong unit", () => {
    expect(error({ thresholds: ["failoverGap.p99 <= 5%"] })).toMatch(/^scenario probe: thresholds\[0\]: failoverGap\.p99 is a time \(ms, s or us\)/);
  });

  it("rejects a schedule that names a missing CPU", () => {
    expect(error({ schedule: { timeline: [{ at: "1s", inject: { kind: "cpu.pause", cpu: "cpu-7" } }] } })).toBe(
      "scenario probe: schedule.timeline[0].inject.cpu: unknown CPU 'cpu-7'; allowed: cpu-0, cpu-1",
    );
  });

  it("rejects a heal of a fault that is never injected, and a fault after the end", () => {
    expect(error({ schedule: { timeline: [{ at: "1s", heal: "nope" }] } })).toMatch(/schedule\.timeline\[0\]\.heal: no fault 'nope'/);
    expect(error({ schedule: { timeline: [{ at: "9s", inject: { kind: "cpu.kill", cpu: "cpu-0" } }] } })).toMatch(/schedule\.timeline\[0\]\.at: 9s is after the end/);
  });

  it("rejects an unknown service and a bad workload", () => {
    expect(error({ workload: { ...base.workload, service: "mail" } })).toMatch(/workload\.service: unknown service 'mail'; the topology has web/);
    expect(error({ workload: { ...base.workload, rate: -1 } })).toMatch(/^scenario probe: workload: rate:/);
  });

  it("random schedules are seeded: the same seed gives the same faults", () => {
    const spec = { ...base, schedule: { random: { mix: ["killCpu", "halves"] as ("killCpu" | "halves")[], gap: ["200ms", "800ms"] as [string, string], hold: ["500ms", "1s"] as [string, string] } }, duration: "20s" };
    expect(resolveScenario(spec, "demo", 5).schedule).toEqual(resolveScenario(spec, "demo", 5).schedule);
    expect(resolveScenario(spec, "demo", 5).schedule).not.toEqual(resolveScenario(spec, "demo", 6).schedule);
  });
});
