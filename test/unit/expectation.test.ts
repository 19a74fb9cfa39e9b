// A baseline is right only when exactly what it names fails: these are the runs that the
// old `expect: "fail"` counted as expected, and must not.
import { describe, expect, it } from "vitest";
import { parseThreshold, judge, type Threshold } from "../../lab/checks/thresholds.js";
import { CHECKS } from "../../lab/checks/index.js";
import type { Check } from "../../lab/checks/types.js";
import { judgeExpectation, resolveExpectation, type Expectation } from "../../lab/scenario/expectation.js";
import { analyze, type CaseSpec } from "../../lab/scenario/case.js";
import type { CheckOutcome } from "../../lab/scenario/result.js";
import { UsageError } from "../../lab/errors.js";

const at = (p: string) => p;
const checkList = ["lostWrites", "availability", "duplicates"].map((n) => CHECKS[n]).filter((c): c is Check => c !== undefined);
const th = (text: string): Threshold => parseThreshold(text, "t", checkList);
const lostWritesRule = th("lostWrites.lost == 0");
const availabilityRule = th("availability.overall >= 99%");
const baseline: Expectation = { fail: ["lostWrites.lost == 0"] };

const outcome = (name: string, valid: boolean, figures: Record<string, number | null>): CheckOutcome => ({ name, valid, figures, anomalies: valid ? [] : [{ message: `${name} found something` }] });
const lostSome = outcome("lostWrites", false, { acknowledged: 200, lost: 12, unknown: 0 });
const lostNone = outcome("lostWrites", true, { acknowledged: 200, lost: 0, unknown: 0 });
const noFinalRead = outcome("lostWrites", false, { acknowledged: null, lost: null, unknown: null });
const served = outcome("availability", true, { overall: 100, ops: 200 });
const outage = outcome("availability", true, { overall: 60, ops: 200 });
const noDuplicates = outcome("duplicates", true, { values: 200, duplicated: 0 });

function verdict(checks: CheckOutcome[], after: "held" | "failed" = "held", e: Expectation = baseline) {
  const byName = new Map(checks.map((c) => [c.name, c]));
  const thresholds = [lostWritesRule, availabilityRule].map((t) => judge(t, byName.get(t.check) ?? { valid: false, figures: {}, anomalies: [] }));
  const afterRule = judge(availabilityRule, { valid: true, figures: { overall: after === "held" ? 100 : 50 }, anomalies: [] });
  return judgeExpectation(e, { checks, thresholds, after: [afterRule] });
}

describe("an expected failure", () => {
  it("is as expected when exactly what it names fails", () => {
    const v = verdict([lostSome, served, noDuplicates]);
    expect(v).toMatchObject({ status: "failed", ok: true, unexpected: [], held: [] });
  });

  it("is not as expected when only the availability fails", () => {
    const v = verdict([lostNone, outage, noDuplicates]);
    expect(v.ok).toBe(false);
    expect(v.status).toBe("failed-unexpectedly");
    expect(v.unexpected).toEqual(["availability.overall >= 99%"]);
    expect(v.held).toEqual(["lostWrites.lost == 0"]);
  });

  it("is not as expected when it fails only on the steady state after the faults", () => {
    const v = verdict([lostNone, served, noDuplicates], "failed");
    expect(v).toMatchObject({ status: "failed-unexpectedly", ok: false, unexpected: ["steady state after: availability.overall >= 99%"] });
  });

  it("is not as expected when what it names fails alongside something else", () => {
    const v = verdict([lostSome, outage, noDuplicates]);
    expect(v).toMatchObject({ status: "failed-unexpectedly", ok: false, held: [] });
  });

  it("is not as expected when the figure was never measured (no final read)", () => {
    const v = verdict([noFinalRead, served, noDuplicates]);
    expect(v.ok).toBe(false);
    expect(v.status).toBe("failed-unexpectedly");
    expect(v.unexpected.join("; ")).toMatch(/lostWrites \(measured nothing/);
    expect(v.unexpected).toContain("lostWrites.lost == 0 (no value)");
  });

  it("held: nothing failed, so the baseline did not show its flaw", () => {
    const v = verdict([lostNone, served, noDuplicates]);
    expect(v).toMatchObject({ status: "passed", ok: false, held: ["lostWrites.lost == 0"] });
  });

  it("a named check covers the thresholds on its figures", () => {
    const v = verdict([lostSome, served, noDuplicates], "held", { fail: ["lostWrites"] });
    expect(v).toMatchObject({ status: "failed", ok: true });
  });

  it("an expected pass is unchanged: any failure is a failure", () => {
    expect(verdict([lostSome, served, noDuplicates], "held", { fail: [] })).toMatchObject({ status: "failed", ok: false });
    expect(verdict([lostNone, served, noDuplicates], "held", { fail: [] })).toMatchObject({ status: "passed", ok: true });
  });
});

describe("expect, as written", () => {
  const names = checkList.map((c) => c.name);
  it("refuses the old bare fail, naming the shape that replaces it", () => {
    expect(() => resolveExpectation("fail", names, [lostWritesRule], at)).toThrow(UsageError);
    expect(() => resolveExpectation("fail", names, [lostWritesRule], at)).toThrow(/expect: "fail" no longer says what must fail; allowed: "pass", or \{ fail: \[/);
  });
  it("refuses a name that is none of the scenario's checks or thresholds, listing them", () => {
    expect(() => resolveExpectation({ fail: ["lostWrite"] }, names, [lostWritesRule], at)).toThrow(/expect\.fail\[0\]: 'lostWrite' is none of this scenario's checks or thresholds; allowed: lostWrites, availability, duplicates, lostWrites\.lost == 0/);
    expect(() => resolveExpectation({ fail: [] }, names, [lostWritesRule], at)).toThrow(/expect: allowed/);
  });
  it("matches a threshold whatever its spacing", () => {
    expect(resolveExpectation({ fail: ["lostWrites.lost==0".replace("==", "  ==  ")] }, names, [lostWritesRule], at)).toEqual({ fail: ["lostWrites.lost == 0"] });
    expect(resolveExpectation(undefined, names, [], at)).toEqual({ fail: [] });
  });
});

describe("the run's result", () => {
  it("says failed unexpectedly in its summary, and what failed", () => {
    const scn = { seed: 1, schedule: [], durationMs: 1, steady: { durationMs: 1, thresholds: [] }, checks: [], observed: [], thresholds: [], expect: baseline, describe: () => "" } as unknown as CaseSpec;
    const r = analyze({ name: "b", claim: "c" }, { ...scn, checks: [{ name: "availability", units: {}, run: () => ({ valid: false, figures: { overall: 10 }, anomalies: [{ message: "down" }] }) }] }, { history: [], before: [], after: [], aborted: false }, { lab: "x", startedAt: new Date(0), wallMs: 1, reportDir: undefined });
    expect(r.ok).toBe(false);
    expect(r.status).toBe("failed-unexpectedly");
    expect(r.summary).toMatch(/^b: failed unexpectedly: availability: down — this baseline is expected to fail lostWrites\.lost == 0, and nothing else: not availability/);
  });
});
